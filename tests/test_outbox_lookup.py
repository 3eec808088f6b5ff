"""Looking up the outbox by address stays cheap however many e-mails a day brings.

The sender checks the daily confirmation limit before each confirmation. It compares
the recipient's mailbox, kind and date; an index on exactly that finds one mailbox's
rows, where the former (kind, created_at) index read every confirmation of the day. The
limit stays case-blind: Jana@… and jana@… are one address.
"""

import re
from datetime import timedelta

from sqlalchemy import select

from tests.support.database import statements_run
from webapp.extensions import db
from webapp.mail import outbox
from webapp.mail.kinds import Kind
from webapp.mail.kinds import State
from webapp.models import OutboxMessage
from webapp.models import utcnow

INDEX = "ix_outbox_message_mailbox_kind_created_at"


def test_the_daily_count_is_case_blind_and_looks_back_only(app):
    with app.app_context():
        for address in ("Jana@Example.org", "jana@example.org", "other@example.org"):
            outbox.queue(Kind.CONFIRMATION, address, "Subject", "Body")
        outbox.queue(Kind.STAFF_NOTIFICATION, "jana@example.org", "Subject", "Body")
        withheld = outbox.queue(Kind.CONFIRMATION, "JANA@example.org", "Subject", "Body")
        withheld.state = State.WITHHELD  # never reached anyone: does not count
        third = outbox.queue(Kind.CONFIRMATION, "JANA@example.ORG", "Subject", "Body")
        later = outbox.queue(Kind.CONFIRMATION, "jana@example.org", "Subject", "Body")
        db.session.commit()
        assert outbox.earlier_in_a_day(third) == 2
        assert outbox.earlier_in_a_day(later) == 3
        first = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).first()
        assert outbox.earlier_in_a_day(first) == 0  # the ones after it do not count
        # A day later the slate is clean.
        later.created_at = utcnow() + timedelta(days=1, minutes=1)
        assert outbox.earlier_in_a_day(later) == 0


def test_the_daily_count_uses_the_address_index(app, backend):
    with app.app_context():
        message = outbox.queue(Kind.CONFIRMATION, "jana@example.org", "Subject", "Body")
        db.session.commit()
        with statements_run(app) as run:
            outbox.earlier_in_a_day(message)
        statement, parameters = [(s.sql, s.parameters) for s in run if "count(" in s.sql.lower()][
            -1
        ]
        with db.engine.connect() as connection:
            if backend == "sqlite":
                plan = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
            else:  # the table is tiny: forbid the sequential scan to see the usable index
                connection.exec_driver_sql("SET enable_seqscan = off")
                plan = connection.exec_driver_sql(f"EXPLAIN {statement}", parameters)
            text = " ".join(str(row) for row in plan)
    assert INDEX in text


def test_message_ids_stay_unique_when_random_is_seeded(app):
    """Forked workers share the random module's state, and tests seed it: Message-IDs
    must not depend on it (make_msgid gave two messages one ID within 10 ms)."""
    import random

    with app.app_context():
        ids = set()
        for _ in range(20):
            random.seed(1)
            ids.add(outbox.queue(Kind.CONFIRMATION, "a@example.org", "S", "B").message_id)
        db.session.commit()
    assert len(ids) == 20
    assert all(re.fullmatch(r"<[0-9a-f]{16}\.[0-9a-f]{16}@[^>]+>", value) for value in ids)


def test_new_message_ids_sort_last(app):
    """So the unique index on message_id grows at its end (see outbox.new_message_id)."""
    with app.app_context():
        ids = [outbox.new_message_id() for _ in range(50)]
    times = [value[1:17] for value in ids]  # two may share a nanosecond
    assert times == sorted(times) and len(set(ids)) == 50
