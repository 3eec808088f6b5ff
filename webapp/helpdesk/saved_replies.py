"""Saved replies: short texts staff keep per topic and language to start an answer with.

A reply belongs to exactly one topic (a fixed topic or an initiative's slug, as a
request stores it) and one of the site's languages. The answer form on a request's page
offers only the replies for that request's topic and language, so staff never send a
Polish visitor a German text by mistake.
"""

from sqlalchemy import select

from webapp.extensions import db
from webapp.models import ContactRequest
from webapp.models import SavedReply
from webapp.models import utcnow


def listed() -> list[SavedReply]:
    """Every saved reply, by topic, language and title."""
    stmt = select(SavedReply).order_by(
        SavedReply.topic, SavedReply.language, SavedReply.title, SavedReply.id
    )
    return list(db.session.scalars(stmt))


def get(reply_id: int) -> SavedReply | None:
    """One saved reply, or None."""
    return db.session.get(SavedReply, reply_id)


def for_request(item: ContactRequest) -> list[SavedReply]:
    """The replies that fit a request: its topic and its visitor's language, by title."""
    stmt = (
        select(SavedReply)
        .where(SavedReply.topic == item.topic, SavedReply.language == item.language)
        .order_by(SavedReply.title, SavedReply.id)
    )
    return list(db.session.scalars(stmt))


def offered(item: ContactRequest, reply_id: str | None) -> SavedReply | None:
    """The saved reply `reply_id` (as the query string gives it) if it fits the request."""
    try:
        number = int(reply_id or "")
    except ValueError:
        return None
    # Beyond the database's integers PostgreSQL would refuse the query itself.
    reply = get(number) if 0 < number < 2**31 else None
    if reply is None or reply.topic != item.topic or reply.language != item.language:
        return None
    return reply


def _clean(body: str) -> str:
    # Browsers send CRLF; store one kind of line break, as answers do.
    return body.replace("\r\n", "\n").strip()


def create(topic: str, language: str, title: str, body: str) -> SavedReply:
    """Store a new saved reply."""
    now = utcnow()
    reply = SavedReply(
        topic=topic,
        language=language,
        title=title.strip(),
        body=_clean(body),
        created_at=now,
        updated_at=now,
    )
    db.session.add(reply)
    db.session.commit()
    return reply


def update(reply: SavedReply, topic: str, language: str, title: str, body: str) -> None:
    """Change a saved reply."""
    reply.topic = topic
    reply.language = language
    reply.title = title.strip()
    reply.body = _clean(body)
    reply.updated_at = utcnow()
    db.session.commit()


def delete(reply: SavedReply) -> None:
    """Delete a saved reply; answers already sent with it keep their text."""
    db.session.delete(reply)
    db.session.commit()
