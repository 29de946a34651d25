"""reference generation: the key of the per-worker caches of reference data

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29 12:00:00.000000

Reviewed: one new table of at most one row (id 1), written only by `portal.reference_cache` in the same
transaction as a change of reference data (communes, collection points, returns and weighings, emission
factors); no existing table changes. The row is inserted here with a random value, so the caches work from
the first request; should it be missing (emptied by hand), the caches are off until the next change writes
it again. Downgrade drops the table (the caches are then off).
"""
import secrets

from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    table = op.create_table(
        'reference_generation',
        sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('value', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_reference_generation')),
    )
    op.bulk_insert(table, [{'id': 1, 'value': secrets.randbits(62)}])


def downgrade():
    op.drop_table('reference_generation')
