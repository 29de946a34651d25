"""results at full scale: campaign results version (cache key); covering index of device returns by date

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29 09:00:00.000000

Reviewed: campaign.results_version is one integer column, NOT NULL with a server default of 0 so that
existing rows need no data migration. The services bump it (an atomic `results_version + 1`) in the same
transaction as any change of the campaign's results (joining, leaving, hiding from one's team, recomputed
progress, an edit), so a cached result keyed by (campaign, version) is never served after such a change,
on any web worker. On device_return, the index on declared_at becomes (declared_at, quantity): the same
range searches, and the devices returned over a period are summed from the index alone (the locator's page
and the campaigns' summaries). Downgrade restores the single-column index and drops the column.
"""
from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('campaign', schema=None) as batch_op:
        batch_op.add_column(sa.Column('results_version', sa.Integer(), server_default='0', nullable=False))
    with op.batch_alter_table('device_return', schema=None) as batch_op:
        batch_op.drop_index('ix_device_return_declared_at')
        batch_op.create_index('ix_device_return_declared_at_quantity', ['declared_at', 'quantity'], unique=False)


def downgrade():
    with op.batch_alter_table('device_return', schema=None) as batch_op:
        batch_op.drop_index('ix_device_return_declared_at_quantity')
        batch_op.create_index('ix_device_return_declared_at', ['declared_at'], unique=False)
    with op.batch_alter_table('campaign', schema=None) as batch_op:
        batch_op.drop_column('results_version')
