"""content state: a version raised by every content load

Revision ID: 5c0a7e3b9d21
Revises: 5b1e2c7d9a40
Create Date: 2026-11-28 10:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5c0a7e3b9d21'
down_revision = '5b1e2c7d9a40'
branch_labels = None
depends_on = None


def upgrade():
    content_state = op.create_table(
        'content_state',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('version', sa.Integer(), server_default='0', nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    # The one row every worker reads; `content load` raises its version.
    op.bulk_insert(content_state, [{'id': 1, 'version': 0}])


def downgrade():
    op.drop_table('content_state')
