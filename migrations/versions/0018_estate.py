"""estate: monthly snapshots of indicators, reference year, depots

Revision ID: 0018
Revises: 0019
Create Date: 2026-12-03 07:48:31.398723

Reviewed: new tables only, nothing existing changes. estate_snapshot holds one row per computed month and
version (a recompute adds a version, the older ones stay with who and why); estate_indicator_value its
indicators per scope, deleted with it; estate_settings one row (the reference year, the detour factor, the
delivery site and vehicle); estate_depot one row per ITSM assignment group. Vehicle factors are rows of the
existing factor library (kind scalar, key vehicle_*), so they need no schema. Downgrade drops the four tables:
the snapshots are lost (they can be computed again, with today's factors).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0018'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('estate_depot',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assignment_group', sa.String(length=160), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('vehicle', sa.String(length=40), nullable=False),
    sa.ForeignKeyConstraint(['site_id'], ['site.id'], name=op.f('fk_estate_depot_site_id_site')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_estate_depot')),
    sa.UniqueConstraint('assignment_group', name=op.f('uq_estate_depot_assignment_group'))
    )
    with op.batch_alter_table('estate_depot', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_estate_depot_site_id'), ['site_id'], unique=False)

    op.create_table('estate_settings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reference_year', sa.Integer(), nullable=True),
    sa.Column('detour_factor', sa.Numeric(precision=4, scale=2), nullable=False),
    sa.Column('delivery_site_id', sa.Integer(), nullable=True),
    sa.Column('delivery_vehicle', sa.String(length=40), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['delivery_site_id'], ['site.id'], name=op.f('fk_estate_settings_delivery_site_id_site')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['user.id'], name=op.f('fk_estate_settings_updated_by_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_estate_settings'))
    )
    op.create_table('estate_snapshot',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('month', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('computed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('computed_by_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.String(length=300), nullable=False),
    sa.Column('factor_versions', sa.JSON(), nullable=False),
    sa.Column('seconds', sa.Numeric(precision=10, scale=3), nullable=False),
    sa.ForeignKeyConstraint(['computed_by_id'], ['user.id'], name=op.f('fk_estate_snapshot_computed_by_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_estate_snapshot')),
    sa.UniqueConstraint('year', 'month', 'version', name=op.f('uq_estate_snapshot_year_month_version'))
    )
    op.create_table('estate_indicator_value',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('snapshot_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('convention', sa.String(length=12), nullable=False),
    sa.Column('scope', sa.String(length=10), nullable=False),
    sa.Column('scope_key', sa.String(length=200), nullable=False),
    sa.Column('value', sa.Numeric(precision=18, scale=6), nullable=False),
    sa.Column('unit', sa.String(length=20), nullable=False),
    sa.ForeignKeyConstraint(['snapshot_id'], ['estate_snapshot.id'], name=op.f('fk_estate_indicator_value_snapshot_id_estate_snapshot'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_estate_indicator_value'))
    )
    with op.batch_alter_table('estate_indicator_value', schema=None) as batch_op:
        batch_op.create_index('ix_estate_indicator_value_snapshot_scope', ['snapshot_id', 'scope', 'scope_key', 'code'], unique=False)



def downgrade():
    with op.batch_alter_table('estate_indicator_value', schema=None) as batch_op:
        batch_op.drop_index('ix_estate_indicator_value_snapshot_scope')

    op.drop_table('estate_indicator_value')
    op.drop_table('estate_snapshot')
    op.drop_table('estate_settings')
    with op.batch_alter_table('estate_depot', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_estate_depot_site_id'))

    op.drop_table('estate_depot')
