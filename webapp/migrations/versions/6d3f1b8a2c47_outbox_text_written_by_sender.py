"""outbox: subject and body may wait for the sender

The help POST queues its two e-mails without their text; the sender writes it from the
stored request at the first try and keeps it, so every retry sends the same message.

Revision ID: 6d3f1b8a2c47
Revises: 5c0a7e3b9d21
Create Date: 2026-11-29 04:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


# SQLite's batch mode copies the table without expression indexes: this one is dropped
# first and made again afterwards, in both directions.
INDEX = 'ix_outbox_message_recipient_kind_created_at'


def _drop_index():
    op.drop_index(INDEX, table_name='outbox_message')


def _create_index():
    op.create_index(
        INDEX,
        'outbox_message',
        [sa.text('lower(recipient)'), 'kind', 'created_at'],
        unique=False,
    )


# revision identifiers, used by Alembic.
revision = '6d3f1b8a2c47'
down_revision = '5c0a7e3b9d21'
branch_labels = None
depends_on = None


def upgrade():
    _drop_index()
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.alter_column('subject', existing_type=sa.String(length=300), nullable=True)
        batch_op.alter_column('body', existing_type=sa.Text(), nullable=True)
    _create_index()


def downgrade():
    # A message whose text was never written gets an empty one (it was not sent either).
    op.execute("UPDATE outbox_message SET subject = '' WHERE subject IS NULL")
    op.execute("UPDATE outbox_message SET body = '' WHERE body IS NULL")
    _drop_index()
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.alter_column('body', existing_type=sa.Text(), nullable=False)
        batch_op.alter_column('subject', existing_type=sa.String(length=300), nullable=False)
    _create_index()
