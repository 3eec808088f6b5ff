"""The help desk's words: its topics and statuses, defined once.

The help form, the staff list and request page, the CSV export, every e-mail and the
visitor's status lookup name a topic or a status through this module only, so a topic
reads the same everywhere ("Finding a job" in the form, the list and the staff e-mail)
and a new one is added in one place.

A request's `topic` is one of FIXED_TOPICS or the slug of an initiative, whose name
comes from the database in the language asked for. A request's `status` is a `Status`;
no other module spells one out.

The models import `Status` (a new request's default), so this module imports the models
only inside the functions that query them.
"""

from enum import StrEnum
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from webapp.extensions import db

if TYPE_CHECKING:
    from webapp.models import Initiative


class Status(StrEnum):
    """Where a request stands, in the order staff work through it."""

    NEW = "new"
    IN_PROGRESS = "in_progress"
    ANSWERED = "answered"
    CLOSED = "closed"


# The order staff work through a request; any step may be set again (to reopen one).
STATUSES = tuple(Status)
# Requests still waiting for an answer: they have an age and can be overdue.
OPEN_STATUSES = (Status.NEW, Status.IN_PROGRESS)
STATUS_LABELS = {
    Status.NEW: _l("New"),
    Status.IN_PROGRESS: _l("In progress"),
    Status.ANSWERED: _l("Answered"),
    Status.CLOSED: _l("Closed"),
}
# The same statuses as the visitor reads them in the status lookup.
VISITOR_STATUS_LABELS = {
    Status.NEW: _l("Received, not yet read"),
    Status.IN_PROGRESS: _l("Being worked on"),
    Status.ANSWERED: _l("Answered"),
    Status.CLOSED: _l("Closed"),
}

# The general topics, in the order the help form offers them ("other" comes last there,
# after the initiatives).
TOPIC_LABELS = {
    "job": _l("Finding a job"),
    "housing": _l("Housing"),
    "childcare": _l("Childcare"),
    "moving": _l("Moving to the region"),
    "barrier": _l("Reporting a barrier on this website"),
    "other": _l("Something else"),
}
FIXED_TOPICS = tuple(TOPIC_LABELS)


def status_label(status: str) -> str:
    """A status in the current language, as staff read it (the raw value if unknown)."""
    return str(STATUS_LABELS.get(status, status))


def visitor_status_label(status: str) -> str:
    """A status in the current language, as the visitor reads it."""
    return str(VISITOR_STATUS_LABELS.get(status, VISITOR_STATUS_LABELS[Status.IN_PROGRESS]))


def initiative_topics(lang: str) -> list[tuple[str, str]]:
    """(slug, name) of every initiative in display order: one light query of two columns."""
    from webapp.models import Initiative
    from webapp.models import InitiativeText

    stmt = (
        select(Initiative.slug, InitiativeText.name)
        .join(InitiativeText)
        .where(InitiativeText.lang == lang)
        .order_by(Initiative.sort_order, Initiative.id)
    )
    return [(slug, name) for slug, name in db.session.execute(stmt)]


def topic_label(topic: str, lang: str, initiative: "Initiative | None" = None) -> str:
    """A topic (a request's or a saved reply's) in words: a fixed topic in the current
    language, or the initiative's name in `lang` (`initiative` when the caller has it,
    else looked up by slug); else the raw value. The one lookup of a topic's name."""
    from webapp.models import Initiative

    if topic in TOPIC_LABELS:
        return str(TOPIC_LABELS[topic])
    if initiative is None:
        initiative = db.session.scalar(select(Initiative).where(Initiative.slug == topic))
    return initiative.text(lang).name if initiative else topic


def topic_choices(lang: str) -> list[tuple[str, str]]:
    """Every topic a request can have, as (value, label) pairs: the fixed ones, then the
    initiatives (for the staff list's filter)."""
    fixed = [(topic, str(label)) for topic, label in TOPIC_LABELS.items()]
    return fixed + initiative_topics(lang)
