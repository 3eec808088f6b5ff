"""The initiatives as the pages show them, kept in memory until `content load` changes them.

Reading them from the database for every page cost more than rendering the page. They
change only through `flask content load`, which raises the version in the one-row
`content_state` table in the same transaction. Each worker keeps an immutable snapshot
and asks the database for the version at most every CONTENT_CHECK_SECONDS (0: on every
request); when it differs, the worker reads the initiatives again. So every worker on
every host shows new content within that time, without a restart.
"""

import threading
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import Flask
from flask import current_app
from sqlalchemy import select

from webapp.extensions import db
from webapp.models import ContentState
from webapp.models import Initiative


@dataclass(frozen=True)
class Text:
    """An initiative's texts in one language."""

    lang: str
    name: str
    place: str
    lead: str
    teaser: str
    summary: str
    facts: tuple[dict, ...]
    paragraphs: tuple[str, ...]  # the summary split at blank lines


@dataclass(frozen=True)
class Shown:
    """One initiative as the public pages show it."""

    slug: str
    website: str
    texts: tuple[Text, ...]
    version: int | None = None  # the content version it was read at (cards.py keys by it)

    def text(self, lang: str) -> Text:
        """The texts in one language (falls back to the first one stored)."""
        for text in self.texts:
            if text.lang == lang:
                return text
        return self.texts[0]

    @property
    def website_label(self) -> str:
        """The website's address as people read it (www.recomine.de)."""
        return urlsplit(self.website).netloc or self.website


@dataclass(frozen=True)
class Snapshot:
    """Every initiative in display order, as of one content version."""

    version: int | None
    items: tuple[Shown, ...]
    by_slug: dict[str, Shown]


class Memory:
    """One app's snapshot and when its version was last checked (shared by the threads)."""

    def __init__(self) -> None:
        self.snapshot = Snapshot(None, (), {})
        self.checked_at = float("-inf")
        self.lock = threading.Lock()


def _shown(initiative: Initiative, version: int | None) -> Shown:
    texts = tuple(
        Text(
            lang=t.lang,
            name=t.name,
            place=t.place,
            lead=t.lead,
            teaser=t.teaser,
            summary=t.summary,
            facts=tuple(t.facts or ()),
            paragraphs=tuple(t.paragraphs),
        )
        for t in initiative.texts
    )
    return Shown(slug=initiative.slug, website=initiative.website, texts=texts, version=version)


def _read(version: int | None) -> Snapshot:
    rows = db.session.scalars(select(Initiative).order_by(Initiative.sort_order, Initiative.id))
    items = tuple(_shown(row, version) for row in rows)
    return Snapshot(version, items, {item.slug: item for item in items})


def current() -> Snapshot:
    """The snapshot of the current content version (read again when the version changed)."""
    memory: Memory = current_app.extensions["initiatives"]
    now = time.monotonic()
    if now - memory.checked_at < current_app.config["CONTENT_CHECK_SECONDS"]:
        return memory.snapshot
    with memory.lock:  # one thread reads; the others wait and take its snapshot
        if now - memory.checked_at >= current_app.config["CONTENT_CHECK_SECONDS"]:
            version = db.session.scalar(select(ContentState.version).where(ContentState.id == 1))
            if version is None or version != memory.snapshot.version:
                memory.snapshot = _read(version)
            memory.checked_at = time.monotonic()
    return memory.snapshot


def all_initiatives() -> tuple[Shown, ...]:
    """Every initiative in display order."""
    return current().items


def find(slug: str) -> Shown | None:
    """One initiative by slug, or None."""
    return current().by_slug.get(slug)


def register(app: Flask) -> None:
    """Give the app its (empty) snapshot; the first page reads the content."""
    app.extensions["initiatives"] = Memory()
