"""The staff area's navigation: its sections, the current one marked."""

from dataclasses import dataclass

from flask import request
from flask import url_for
from flask_babel import lazy_gettext as _l

from webapp.admin import bp

# Each section: its page, its name, and the endpoints that belong to it.
SECTIONS = (
    (
        "admin.index",
        _l("Requests"),
        ("admin.index", "admin.detail", "admin.delete", "admin.forget"),
    ),
    ("admin.overview", _l("Overview"), ("admin.overview",)),
    (
        "admin.replies",
        _l("Saved replies"),
        ("admin.replies", "admin.new_reply", "admin.edit_reply", "admin.delete_reply"),
    ),
)


@dataclass(frozen=True)
class Section:
    """A link in the staff navigation."""

    url: str
    label: str
    # aria-current: "page" on the section's own page, "true" on a page within it, else "".
    current: str


def _current(endpoint: str, endpoints: tuple[str, ...]) -> str:
    if request.endpoint == endpoint:
        return "page"
    return "true" if request.endpoint in endpoints else ""


def sections() -> list[Section]:
    """The navigation's links, the section of the page shown marked as current."""
    return [
        Section(url_for(endpoint), str(label), _current(endpoint, endpoints))
        for endpoint, label, endpoints in SECTIONS
    ]


@bp.context_processor
def navigation_context() -> dict:
    """`staff_sections()` for the staff area's header."""
    return {"staff_sections": sections}
