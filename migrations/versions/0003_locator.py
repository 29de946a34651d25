"""locator: collection points, returns

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28 17:42:24.600361

Reviewed: three new tables, nothing else changed. collection_point keeps hours and closures in the compact
text form of portal.locator.hours (validated by the application) and a unique `code`, the key of imports
and exports. device_return.asset_id is unique (an asset is returned once; NULL for personal devices) and
declared_at is indexed for the period totals of the campaigns. Downgrade drops the three tables.
"""
from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('collection_point',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('commune_insee', sa.String(length=5), nullable=False),
    sa.Column('name', sa.String(length=160), nullable=False),
    sa.Column('address', sa.String(length=200), nullable=False),
    sa.Column('postcode', sa.String(length=5), nullable=False),
    sa.Column('lat', sa.Numeric(precision=8, scale=5), nullable=False),
    sa.Column('lon', sa.Numeric(precision=8, scale=5), nullable=False),
    sa.Column('hours', sa.String(length=400), nullable=False),
    sa.Column('closures', sa.Text(), nullable=False),
    sa.Column('accepted', sa.String(length=200), nullable=False),
    sa.Column('access_notes', sa.Text(), nullable=False),
    sa.Column('contact', sa.String(length=80), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('lat BETWEEN -90 AND 90 AND lon BETWEEN -180 AND 180', name=op.f('ck_collection_point_coordinates_range')),
    sa.ForeignKeyConstraint(['commune_insee'], ['commune.insee'], name=op.f('fk_collection_point_commune_insee_commune')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_collection_point')),
    sa.UniqueConstraint('code', name=op.f('uq_collection_point_code'))
    )
    with op.batch_alter_table('collection_point', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_collection_point_commune_insee'), ['commune_insee'], unique=False)

    op.create_table('collection_weighing',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('point_id', sa.Integer(), nullable=False),
    sa.Column('collected_on', sa.Date(), nullable=False),
    sa.Column('weight_kg', sa.Numeric(precision=10, scale=2), nullable=False),
    sa.Column('note', sa.String(length=200), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('weight_kg > 0', name=op.f('ck_collection_weighing_weight_positive')),
    sa.ForeignKeyConstraint(['point_id'], ['collection_point.id'], name=op.f('fk_collection_weighing_point_id_collection_point')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user.id'], name=op.f('fk_collection_weighing_recorded_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_collection_weighing'))
    )
    with op.batch_alter_table('collection_weighing', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_collection_weighing_collected_on'), ['collected_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_collection_weighing_point_id'), ['point_id'], unique=False)

    op.create_table('device_return',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('point_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('asset_id', sa.Integer(), nullable=True),
    sa.Column('item', sa.String(length=20), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('declared_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('received_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('asset_id IS NULL OR quantity = 1', name=op.f('ck_device_return_one_asset')),
    sa.CheckConstraint('quantity BETWEEN 1 AND 20', name=op.f('ck_device_return_quantity_range')),
    sa.ForeignKeyConstraint(['asset_id'], ['asset.id'], name=op.f('fk_device_return_asset_id_asset')),
    sa.ForeignKeyConstraint(['point_id'], ['collection_point.id'], name=op.f('fk_device_return_point_id_collection_point')),
    sa.ForeignKeyConstraint(['received_by_id'], ['user.id'], name=op.f('fk_device_return_received_by_id_user')),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_device_return_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_device_return')),
    sa.UniqueConstraint('asset_id', name=op.f('uq_device_return_asset_id'))
    )
    with op.batch_alter_table('device_return', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_device_return_declared_at'), ['declared_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_device_return_point_id'), ['point_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_device_return_user_id'), ['user_id'], unique=False)



def downgrade():
    with op.batch_alter_table('device_return', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_device_return_user_id'))
        batch_op.drop_index(batch_op.f('ix_device_return_point_id'))
        batch_op.drop_index(batch_op.f('ix_device_return_declared_at'))

    op.drop_table('device_return')
    with op.batch_alter_table('collection_weighing', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_collection_weighing_point_id'))
        batch_op.drop_index(batch_op.f('ix_collection_weighing_collected_on'))

    op.drop_table('collection_weighing')
    with op.batch_alter_table('collection_point', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_collection_point_commune_insee'))

    op.drop_table('collection_point')
