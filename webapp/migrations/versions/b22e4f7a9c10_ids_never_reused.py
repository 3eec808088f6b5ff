"""ids never reused: AUTOINCREMENT for requests, e-mails, saved replies; housekeeping state

SQLite gives a new row max(id) + 1 unless the table is declared AUTOINCREMENT: deleting
the newest request handed its id, and so its reference number (H-2026-000038), to the
next visitor, and an old staff e-mail's link or the old number then opened another
person's request. The same held for outbox messages, whose ids the request page's
"Send again" buttons and the sender's claims name, and for saved replies, whose edit
form, left open on a deleted one, would have saved over a newer one. (Staff accounts are
never deleted, only deactivated; notes and history entries are named by no link.) With
AUTOINCREMENT SQLite keeps the largest id ever used in sqlite_sequence and never goes
below it. PostgreSQL's sequences never go back already: nothing changes there.

The tables are copied (batch mode) with the option. Copying the rows with their ids
seeds sqlite_sequence with the largest id present; for requests it is raised further to
the largest number any audit entry names ("deleted H-2026-000038"), so a request deleted
before this migration does not come back under its old number either.

Revision ID: b22e4f7a9c10
Revises: 6d3f1b8a2c47
Create Date: 2026-12-06 10:00:00.000000

"""
import re

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b22e4f7a9c10'
down_revision = 'a7c4e1d9b3f2'
branch_labels = None
depends_on = None

# SQLite's batch mode copies a table without its expression indexes: this one is dropped
# first and made again afterwards (as in 6d3f1b8a2c47).
OUTBOX_INDEX = 'ix_outbox_message_recipient_kind_created_at'
TRAILING_NUMBER = re.compile(r'(\d+)$')


def _sqlite() -> bool:
    return op.get_bind().dialect.name == 'sqlite'


def _has_index(name: str) -> bool:
    # The address-keys migration (a11e5c0d7f42) replaces this index; either may run first.
    found = op.get_bind().execute(
        sa.text("SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = :name"),
        {'name': name},
    )
    return found.first() is not None


def _recreate(autoincrement: bool) -> None:
    if autoincrement:
        options = {'table_kwargs': {'sqlite_autoincrement': True}}
    else:
        options = {}
    with op.batch_alter_table('contact_request', recreate='always', **options):
        pass
    expression_index = _has_index(OUTBOX_INDEX)
    if expression_index:
        op.drop_index(OUTBOX_INDEX, table_name='outbox_message')
    with op.batch_alter_table('outbox_message', recreate='always', **options):
        pass
    if expression_index:
        op.create_index(
            OUTBOX_INDEX,
            'outbox_message',
            [sa.text('lower(recipient)'), 'kind', 'created_at'],
            unique=False,
        )
    with op.batch_alter_table('saved_reply', recreate='always', **options):
        pass


def _largest_audited_request_number() -> int:
    """The largest request id an audit entry's reference names (H-2026-000038, #38)."""
    references = op.get_bind().execute(
        sa.text('SELECT reference FROM audit_entry WHERE reference IS NOT NULL')
    ).scalars()
    numbers = [int(m.group(1)) for m in map(TRAILING_NUMBER.search, references) if m]
    return max(numbers, default=0)


def _raise_sequence(table: str, at_least: int) -> None:
    bind = op.get_bind()
    current = bind.execute(
        sa.text('SELECT seq FROM sqlite_sequence WHERE name = :name'), {'name': table}
    ).scalar()
    if current is None:
        if at_least:
            bind.execute(
                sa.text('INSERT INTO sqlite_sequence (name, seq) VALUES (:name, :seq)'),
                {'name': table, 'seq': at_least},
            )
    elif current < at_least:
        bind.execute(
            sa.text('UPDATE sqlite_sequence SET seq = :seq WHERE name = :name'),
            {'name': table, 'seq': at_least},
        )


def upgrade():
    op.create_table(
        'housekeeping_state',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('last_run_at', sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('id'),
    )
    if _sqlite():
        _recreate(autoincrement=True)
        _raise_sequence('contact_request', _largest_audited_request_number())


def downgrade():
    if _sqlite():
        _recreate(autoincrement=False)
    op.drop_table('housekeeping_state')
