"""equipment orders say why a device is added rather than replacing one

Revision ID: 0017
Revises: 0013
Create Date: 2026-12-03 08:00:00.000000

Reviewed: one column. equipment_order.additional_reason holds the requester's reason for an additional device
when she already has one of the category in use (an order that replaces a device leaves it empty). Existing
orders get an empty text (server default), which is what they mean: no reason was asked then. Downgrade drops
the column; the reasons given since are lost (the general justification stays).
"""
from alembic import op
import sqlalchemy as sa


revision = '0017'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('equipment_order', schema=None) as batch_op:
        batch_op.add_column(sa.Column('additional_reason', sa.Text(), server_default='', nullable=False))


def downgrade():
    with op.batch_alter_table('equipment_order', schema=None) as batch_op:
        batch_op.drop_column('additional_reason')
