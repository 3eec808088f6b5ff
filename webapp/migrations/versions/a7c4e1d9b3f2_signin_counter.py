"""signin_counter: sign-in attempts counted in the database before the password check

Concurrent guesses were all checked, because the count came after the slow hash; the
counters now live in the database and are raised atomically before it.

Revision ID: a7c4e1d9b3f2
Revises: 6d3f1b8a2c47
Create Date: 2026-12-06 09:45:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a7c4e1d9b3f2'
down_revision = 'c33a7e51b0d4'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'signin_counter',
        sa.Column('key_hash', sa.String(length=64), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('window_ends', sa.Float(), nullable=False),
        sa.Column('blocked_until', sa.Float(), server_default='0', nullable=False),
        sa.PrimaryKeyConstraint('key_hash'),
    )


def downgrade():
    op.drop_table('signin_counter')
