"""request assignee

Revision ID: 5c2e8a41d7b3
Revises: 3c1f0a9e2b7d
Create Date: 2026-11-28 10:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5c2e8a41d7b3'
down_revision = '3c1f0a9e2b7d'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('contact_request', schema=None) as batch_op:
        batch_op.add_column(sa.Column('assignee_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_contact_request_assignee_id'), ['assignee_id'], unique=False)
        batch_op.create_foreign_key(
            batch_op.f('fk_contact_request_assignee_id_staff_user'),
            'staff_user', ['assignee_id'], ['id'], ondelete='SET NULL',
        )


def downgrade():
    with op.batch_alter_table('contact_request', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_contact_request_assignee_id_staff_user'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_contact_request_assignee_id'))
        batch_op.drop_column('assignee_id')
