"""outbox: one index on lower(recipient), kind, created_at

The daily confirmation limit and a person's export and deletion all compare
lower(recipient). The plain index on recipient could serve none of them, and the one on
(kind, created_at) made the daily count read every confirmation of the day; this one
index finds one address's rows directly.

Revision ID: 3c1f0a9e2b7d
Revises: 14904ae01935
Create Date: 2026-11-28 10:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3c1f0a9e2b7d'
down_revision = '14904ae01935'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_message_kind_created_at')
        batch_op.drop_index(batch_op.f('ix_outbox_message_recipient'))
    op.create_index(
        'ix_outbox_message_recipient_kind_created_at',
        'outbox_message',
        [sa.text('lower(recipient)'), 'kind', 'created_at'],
        unique=False,
    )


def downgrade():
    op.drop_index('ix_outbox_message_recipient_kind_created_at', table_name='outbox_message')
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outbox_message_recipient'), ['recipient'], unique=False)
        batch_op.create_index('ix_outbox_message_kind_created_at', ['kind', 'created_at'], unique=False)
