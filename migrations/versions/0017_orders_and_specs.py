"""equipment orders say why a device is added rather than replacing one; catalogue items have main specs

Revision ID: 0017
Revises: 0013
Create Date: 2026-12-03 08:00:00.000000

Reviewed: seven columns, one index. equipment_order.additional_reason holds the requester's reason for an additional device
when she already has one of the category in use (an order that replaces a device leaves it empty). Existing
orders get an empty text (server default), which is what they mean: no reason was asked then.
catalogue_item gets its main specs, all optional (screen_inches indexed: the catalogue filters on it), and
spec_demo_fields, the names of the specs that are demo values; existing items get none until `flask catalogue
seed` (or the demo) fills the seeded models' specs. Downgrade drops the columns; the reasons and specs are lost
(the general justification stays).
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
    with op.batch_alter_table('catalogue_item', schema=None) as batch_op:
        batch_op.add_column(sa.Column('screen_inches', sa.Numeric(precision=4, scale=1), nullable=True))
        batch_op.add_column(sa.Column('memory_gb', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('storage_gb', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('processor_class', sa.String(length=20), server_default='', nullable=False))
        batch_op.add_column(sa.Column('weight_kg', sa.Numeric(precision=6, scale=2), nullable=True))
        batch_op.add_column(sa.Column('spec_demo_fields', sa.String(length=100), server_default='', nullable=False))
        batch_op.create_index(batch_op.f('ix_catalogue_item_screen_inches'), ['screen_inches'], unique=False)


def downgrade():
    with op.batch_alter_table('catalogue_item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_catalogue_item_screen_inches'))
        for column in ('spec_demo_fields', 'weight_kg', 'processor_class', 'storage_gb', 'memory_gb',
                       'screen_inches'):
            batch_op.drop_column(column)
    with op.batch_alter_table('equipment_order', schema=None) as batch_op:
        batch_op.drop_column('additional_reason')
