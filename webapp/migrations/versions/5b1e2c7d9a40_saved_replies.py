"""saved replies

Revision ID: 5b1e2c7d9a40
Revises: 5c2e8a41d7b3
Create Date: 2026-11-28 10:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5b1e2c7d9a40'
down_revision = '5c2e8a41d7b3'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'saved_reply',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('topic', sa.String(length=80), nullable=False),
        sa.Column('language', sa.String(length=8), nullable=False),
        sa.Column('title', sa.String(length=120), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('saved_reply', schema=None) as batch_op:
        batch_op.create_index('ix_saved_reply_topic_language', ['topic', 'language'], unique=False)


def downgrade():
    with op.batch_alter_table('saved_reply', schema=None) as batch_op:
        batch_op.drop_index('ix_saved_reply_topic_language')
    op.drop_table('saved_reply')
