"""The staff list as a CSV download, for spreadsheet programs.

It takes the list's filters (request_list.Filters), so the file holds every request the
list shows, on all its pages.
"""

import csv
import io

from flask_babel import lazy_gettext as _l
from flask_babel import to_user_timezone

from webapp.extensions import db
from webapp.helpdesk import request_list
from webapp.helpdesk import vocabulary
from webapp.web.i18n import language_name

# Spreadsheet programs run a cell starting with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_STARTS):
        # A leading apostrophe makes spreadsheet programs show the text, not run it.
        return "'" + text
    return text


def export_csv(filters: request_list.Filters, lang: str) -> str:
    """Every request matching the filter (all pages) as CSV text, with a BOM.

    Semicolons separate the cells: German spreadsheet programs expect them, and the
    byte order mark makes them read the file as UTF-8, so umlauts show correctly.
    """
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(
        [
            str(h)
            for h in (
                _l("Reference"),
                _l("Received"),
                _l("Status"),
                _l("Topic"),
                _l("Name"),
                _l("E-mail"),
                _l("Organisation"),
                _l("Phone"),
                _l("Message"),
                _l("Language"),
                _l("Assigned to"),
                _l("Working days"),
            )
        ]
    )
    for item in db.session.scalars(request_list.query(filters)):
        age = request_list.age_of(item)
        received = to_user_timezone(item.created_at).strftime("%Y-%m-%d %H:%M")
        writer.writerow(
            [
                _cell(v)
                for v in (
                    item.reference,
                    received,
                    vocabulary.status_label(item.status),
                    vocabulary.topic_label(item.topic, lang, item.initiative),
                    item.name,
                    item.email,
                    item.organisation,
                    item.phone,
                    item.message,
                    language_name(item.language),
                    item.assignee.email if item.assignee else "",
                    age.days if age else "",
                )
            ]
        )
    return out.getvalue()
