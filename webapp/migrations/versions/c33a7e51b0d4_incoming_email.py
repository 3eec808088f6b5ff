"""incoming e-mail: messages and attachments read from the help desk mailbox

Replies, new e-mails, auto-replies and delivery reports are filed into requests
(webapp/mail/inbox.py); "reply waiting" on the request; the mailbox's state for the
staff overview.

Revision ID: c33a7e51b0d4
Revises: 6d3f1b8a2c47
Create Date: 2026-12-06 09:45:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c33a7e51b0d4'
down_revision = 'a11e5c0d7f42'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'incoming_message',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('request_id', sa.Integer(), nullable=False),
        sa.Column('message_id', sa.String(length=250), nullable=False),
        sa.Column('from_address', sa.String(length=320), nullable=False),
        sa.Column('from_key', sa.String(length=320), nullable=False),
        sa.Column('from_name', sa.String(length=200), nullable=True),
        sa.Column('subject', sa.String(length=300), nullable=False),
        sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('quoted', sa.Text(), nullable=False),
        sa.Column('from_other_address', sa.Boolean(), nullable=False),
        sa.Column('automatic', sa.Boolean(), nullable=False),
        sa.Column('delivery_report', sa.Boolean(), nullable=False),
        sa.Column('started_request', sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(['request_id'], ['contact_request.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('message_id'),
    )
    op.create_index('ix_incoming_message_request_id', 'incoming_message', ['request_id'])
    op.create_index('ix_incoming_message_from_key', 'incoming_message', ['from_key'])
    op.create_table(
        'incoming_attachment',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('incoming_message_id', sa.Integer(), nullable=False),
        sa.Column('filename', sa.String(length=255), nullable=False),
        sa.Column('content_type', sa.String(length=120), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('kept', sa.Boolean(), nullable=False),
        sa.Column('data', sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(
            ['incoming_message_id'], ['incoming_message.id'], ondelete='CASCADE'
        ),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index(
        'ix_incoming_attachment_incoming_message_id',
        'incoming_attachment',
        ['incoming_message_id'],
    )
    op.create_table(
        'mailbox_state',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('last_attempt_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('last_success_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('last_error', sa.String(length=300), nullable=True),
        sa.Column('failures', sa.Integer(), server_default='0', nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    # A plain ADD COLUMN (no batch copy): SQLite can add a nullable column in place.
    op.add_column(
        'contact_request', sa.Column('reply_waiting_since', sa.DateTime(timezone=True))
    )
    op.create_index(
        'ix_contact_request_reply_waiting_since', 'contact_request', ['reply_waiting_since']
    )


def downgrade():
    op.drop_index('ix_contact_request_reply_waiting_since', table_name='contact_request')
    with op.batch_alter_table('contact_request') as batch_op:
        batch_op.drop_column('reply_waiting_since')
    op.drop_table('mailbox_state')
    op.drop_index('ix_incoming_attachment_incoming_message_id', table_name='incoming_attachment')
    op.drop_table('incoming_attachment')
    op.drop_index('ix_incoming_message_from_key', table_name='incoming_message')
    op.drop_index('ix_incoming_message_request_id', table_name='incoming_message')
    op.drop_table('incoming_message')
