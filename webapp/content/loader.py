"""Loading the initiatives from the data file kept in the repository."""

import re
import tomllib
from pathlib import Path

from sqlalchemy import select
from sqlalchemy import update

from webapp.extensions import db
from webapp.models import ContentState
from webapp.models import Initiative
from webapp.models import InitiativeText

TEXT_KEYS = ("name", "place", "lead", "teaser", "summary")
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


class ContentError(Exception):
    """The content file cannot be loaded; the message names the file and the problem."""


def read(path: Path, languages: tuple[str, ...]) -> list[dict]:
    """Parse and check the file; return a list of initiative records or raise ContentError."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ContentError(f"{path}: cannot read the file ({exc.strerror})") from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ContentError(f"{path}: not valid TOML: {exc}") from exc
    items = data.get("initiative")
    if not isinstance(items, list) or not items:
        raise ContentError(f"{path}: expected at least one [[initiative]] table")
    seen: set[str] = set()
    for number, item in enumerate(items, start=1):
        where = f"{path}: initiative #{number}"
        slug = item.get("slug")
        if not isinstance(slug, str) or not SLUG.match(slug):
            raise ContentError(f"{where}: 'slug' must be lowercase letters, digits and hyphens")
        if slug in seen:
            raise ContentError(f"{where}: slug '{slug}' appears twice")
        seen.add(slug)
        where = f"{path}: initiative '{slug}'"
        if not isinstance(item.get("sort_order"), int):
            raise ContentError(f"{where}: 'sort_order' must be a whole number")
        website = item.get("website")
        if not isinstance(website, str) or not website.startswith("https://"):
            raise ContentError(f"{where}: 'website' must be an https:// address")
        for lang in languages:
            _check_text(item.get(lang), f"{where}, language '{lang}'")
    return items


def _check_text(text: object, where: str) -> None:
    if not isinstance(text, dict):
        raise ContentError(f"{where}: the table is missing")
    for key in TEXT_KEYS:
        if not isinstance(text.get(key), str) or not text[key].strip():
            raise ContentError(f"{where}: '{key}' is missing or empty")
    facts = text.get("facts", [])
    if not isinstance(facts, list) or not all(
        isinstance(f, dict) and isinstance(f.get("label"), str) and isinstance(f.get("value"), str)
        for f in facts
    ):
        raise ContentError(f"{where}: 'facts' must be a list of {{label, value}} tables")


def load(path: Path, languages: tuple[str, ...]) -> tuple[int, int]:
    """Insert or update every initiative in the file; return (created, updated).

    The whole file is checked before anything is written, and written in one
    transaction, so a bad file changes nothing. The same transaction raises the content
    version, which tells every worker to read the initiatives again (initiatives.py).
    """
    items = read(path, languages)
    existing = {i.slug: i for i in db.session.scalars(select(Initiative))}
    created = updated = 0
    for item in items:
        initiative = existing.get(item["slug"])
        if initiative is None:
            initiative = Initiative(slug=item["slug"])
            db.session.add(initiative)
            created += 1
        else:
            updated += 1
        initiative.sort_order = item["sort_order"]
        initiative.website = item["website"]
        initiative.contact_email = item.get("contact_email") or None
        texts = {t.lang: t for t in initiative.texts}
        for lang in languages:
            source = item[lang]
            text = texts.get(lang)
            if text is None:
                text = InitiativeText(lang=lang)
                initiative.texts.append(text)
            for key in TEXT_KEYS:
                setattr(text, key, source[key].strip())
            text.facts = [
                {"label": f["label"], "value": f["value"]} for f in source.get("facts", [])
            ]
    _raise_version()
    db.session.commit()
    return created, updated


def _raise_version() -> None:
    raised = db.session.execute(
        update(ContentState).where(ContentState.id == 1).values(version=ContentState.version + 1)
    )
    if raised.rowcount == 0:  # the migration writes the row; a database without it gets it now
        db.session.add(ContentState(id=1, version=1))
