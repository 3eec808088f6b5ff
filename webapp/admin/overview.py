"""The staff overview: requests per status, per topic and per week, as tables and a chart."""

from datetime import date

from flask import render_template
from flask_babel import format_date

from webapp.admin import bp
from webapp.helpdesk import reports
from webapp.mail import outbox
from webapp.web.i18n import current_lang

DATE_PATTERNS = {"de": "dd.MM.yyyy", "en": "d MMM yyyy"}


def staff_date(value: date) -> str:
    """A date as the staff area writes it, e.g. 23.11.2026."""
    return format_date(value, DATE_PATTERNS.get(current_lang(), DATE_PATTERNS["en"]))


@bp.get("/overview")
def overview():
    """Counts per status and topic, and new requests per week for the last twelve weeks."""
    return render_template(
        "admin/overview.html",
        figures=reports.overview(current_lang()),
        staff_date=staff_date,
        delivery_paused=outbox.paused(),
    )
