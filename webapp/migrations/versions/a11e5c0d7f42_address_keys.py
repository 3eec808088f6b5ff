"""addresses: compared by a stored normalised key, never by lower()

SQLite's lower() folds ASCII only, so ÖZIL@… and özil@… were two addresses there and one
on PostgreSQL. Every request now keeps addresses.normalise(email) beside the address as
typed, and every outbox message its recipient's key and mailbox (the key without a
+tag, which the daily confirmation limit counts). The outbox's expression index on
lower(recipient) gives way to one on the mailbox. The keys of existing rows are written
here, in Python, with the same function the app uses; staff accounts, which store their
address normalised, are normalised the same way (ß becomes ss).

Revision ID: a11e5c0d7f42
Revises: 6d3f1b8a2c47
Create Date: 2026-12-06 10:00:00.000000

"""

from alembic import op
import sqlalchemy as sa

from webapp.helpdesk import addresses


# revision identifiers, used by Alembic.
revision = "a11e5c0d7f42"
down_revision = "6d3f1b8a2c47"
branch_labels = None
depends_on = None

OLD_INDEX = "ix_outbox_message_recipient_kind_created_at"
BATCH = 1000


def _fill(table: str, source: str, keys: dict) -> None:
    """Write each row's keys (column -> function of the source column), a batch at a time."""
    bind = op.get_bind()
    rows = sa.table(table, sa.column("id"), sa.column(source), *(sa.column(k) for k in keys))
    change = (
        sa.update(rows)
        .where(rows.c.id == sa.bindparam("row_id"))
        .values({k: sa.bindparam(f"new_{k}") for k in keys})
    )
    last = 0
    while True:
        batch = bind.execute(
            sa.select(rows.c.id, rows.c[source])
            .where(rows.c.id > last)
            .order_by(rows.c.id)
            .limit(BATCH)
        ).all()
        if not batch:
            return
        bind.execute(
            change,
            [
                {"row_id": row_id, **{f"new_{k}": rule(value) for k, rule in keys.items()}}
                for row_id, value in batch
            ],
        )
        last = batch[-1][0]


def _normalise_staff_addresses() -> None:
    """Staff addresses were stored lower-cased; now normalised. One that would collide
    with another account's is left as it is (and can no longer sign in until changed)."""
    bind = op.get_bind()
    staff = sa.table("staff_user", sa.column("id"), sa.column("email"))
    accounts = bind.execute(sa.select(staff.c.id, staff.c.email)).all()
    taken = {email for _id, email in accounts}
    for account_id, email in accounts:
        key = addresses.normalise(email)
        if key != email and key not in taken:
            bind.execute(sa.update(staff).where(staff.c.id == account_id).values(email=key))
            taken.add(key)


def upgrade():
    # SQLite's batch mode copies the table without expression indexes: drop it first.
    op.drop_index(OLD_INDEX, table_name="outbox_message")
    with op.batch_alter_table("contact_request", schema=None) as batch_op:
        batch_op.add_column(sa.Column("email_key", sa.String(length=320), nullable=True))
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.add_column(sa.Column("recipient_key", sa.String(length=320), nullable=True))
        batch_op.add_column(sa.Column("recipient_mailbox", sa.String(length=320), nullable=True))

    _fill("contact_request", "email", {"email_key": addresses.normalise})
    _fill(
        "outbox_message",
        "recipient",
        {"recipient_key": addresses.normalise, "recipient_mailbox": addresses.mailbox},
    )
    _normalise_staff_addresses()

    with op.batch_alter_table("contact_request", schema=None) as batch_op:
        batch_op.alter_column("email_key", existing_type=sa.String(length=320), nullable=False)
        batch_op.create_index(
            batch_op.f("ix_contact_request_email_key"), ["email_key"], unique=False
        )
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.alter_column("recipient_key", existing_type=sa.String(length=320), nullable=False)
        batch_op.alter_column(
            "recipient_mailbox", existing_type=sa.String(length=320), nullable=False
        )
        batch_op.create_index(
            "ix_outbox_message_mailbox_kind_created_at",
            ["recipient_mailbox", "kind", "created_at"],
            unique=False,
        )


def downgrade():
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_message_mailbox_kind_created_at")
        batch_op.drop_column("recipient_mailbox")
        batch_op.drop_column("recipient_key")
    with op.batch_alter_table("contact_request", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contact_request_email_key"))
        batch_op.drop_column("email_key")
    op.create_index(
        OLD_INDEX,
        "outbox_message",
        [sa.text("lower(recipient)"), "kind", "created_at"],
        unique=False,
    )
