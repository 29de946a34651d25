"""estate: each trip as a snapshot counted it (the trips page reads them, nothing recomputed per request)

Revision ID: 0023
Revises: 0027
Create Date: 2026-12-03 16:10:00

Reviewed: a new table and one new partial index, nothing existing changes. ix_asset_in_service_acquired (the
devices still in the estate, by acquisition) lets the estate's fleet page walk them oldest first a page at a time,
instead of sorting them all or passing every older device already gone. estate_trip holds, per snapshot, every intervention,
transfer line and delivery with its distance, vehicle, footprint and whether the distance was estimated; rows
are deleted with their snapshot. Snapshots taken before this revision have no rows: the trips page says so and
an admin recomputes the month to fill them. Downgrade drops the table and the index.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0023'
down_revision = '0027'
branch_labels = None
depends_on = None

# Devices still in the estate, as portal.catalogue.models.IN_ESTATE_SQL writes it (a copy: migrations stay fixed).
IN_ESTATE = "status NOT IN ('returned', 'recycled', 'retired', 'on_order')"


def upgrade():
    op.create_table('estate_trip',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('snapshot_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('ref_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=True),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=True),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('one_way_km', sa.Numeric(precision=12, scale=3), nullable=False),
    sa.Column('vehicle_km', sa.Numeric(precision=14, scale=3), nullable=False),
    sa.Column('vehicle', sa.String(length=40), nullable=False),
    sa.Column('kgco2e', sa.Numeric(precision=14, scale=6), nullable=False),
    sa.Column('estimated', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['snapshot_id'], ['estate_snapshot.id'], name=op.f('fk_estate_trip_snapshot_id_estate_snapshot'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_estate_trip'))
    )
    with op.batch_alter_table('estate_trip', schema=None) as batch_op:
        batch_op.create_index('ix_estate_trip_snapshot_kind', ['snapshot_id', 'kind', 'ref_id'], unique=False)
    with op.batch_alter_table('asset', schema=None) as batch_op:
        batch_op.create_index('ix_asset_in_service_acquired', ['acquired_on', 'id'], unique=False,
                              sqlite_where=sa.text(IN_ESTATE), postgresql_where=sa.text(IN_ESTATE))


def downgrade():
    with op.batch_alter_table('asset', schema=None) as batch_op:
        batch_op.drop_index('ix_asset_in_service_acquired')
    with op.batch_alter_table('estate_trip', schema=None) as batch_op:
        batch_op.drop_index('ix_estate_trip_snapshot_kind')
    op.drop_table('estate_trip')
