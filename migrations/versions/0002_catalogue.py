"""catalogue: factors and versions, items, assets, orders; notices

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 17:36:29.802488

Reviewed: footprint results are stored on catalogue_item so that /catalogue filters and sorts in SQL;
orders freeze per-unit figures and point at the factor versions they used.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('notice',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('params', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('read_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_notice_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notice'))
    )
    with op.batch_alter_table('notice', schema=None) as batch_op:
        batch_op.create_index('ix_notice_user_unread', ['user_id', 'read_at'], unique=False)

    op.create_table('catalogue_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sku', sa.String(length=80), nullable=False),
    sa.Column('category', sa.String(length=20), nullable=False),
    sa.Column('manufacturer', sa.String(length=80), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('refurbished', sa.Boolean(), nullable=False),
    sa.Column('refurbished_of_id', sa.Integer(), nullable=True),
    sa.Column('price_eur', sa.Numeric(precision=10, scale=2), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('fabrication_kgco2e', sa.Numeric(precision=12, scale=4), nullable=True),
    sa.Column('distribution_kgco2e', sa.Numeric(precision=12, scale=4), nullable=True),
    sa.Column('end_of_life_kgco2e', sa.Numeric(precision=12, scale=4), nullable=True),
    sa.Column('lifetime_years', sa.Numeric(precision=6, scale=2), nullable=True),
    sa.Column('annual_kwh', sa.Numeric(precision=12, scale=4), nullable=True),
    sa.Column('error_ratio', sa.Numeric(precision=6, scale=4), nullable=True),
    sa.Column('quality', sa.String(length=20), nullable=False),
    sa.Column('source', sa.String(length=300), nullable=False),
    sa.Column('source_year', sa.Integer(), nullable=True),
    sa.Column('source_url', sa.String(length=500), nullable=True),
    sa.Column('embodied_kgco2e', sa.Numeric(precision=12, scale=4), nullable=False),
    sa.Column('annual_use_kgco2e', sa.Numeric(precision=12, scale=4), nullable=False),
    sa.Column('annualised_kgco2e', sa.Numeric(precision=12, scale=4), nullable=False),
    sa.Column('label', sa.String(length=1), nullable=False),
    sa.Column('result_quality', sa.String(length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('lifetime_years IS NULL OR lifetime_years > 0', name=op.f('ck_catalogue_item_lifetime_positive')),
    sa.CheckConstraint('price_eur >= 0', name=op.f('ck_catalogue_item_price_positive')),
    sa.ForeignKeyConstraint(['refurbished_of_id'], ['catalogue_item.id'], name=op.f('fk_catalogue_item_refurbished_of_id_catalogue_item')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_catalogue_item')),
    sa.UniqueConstraint('sku', name=op.f('uq_catalogue_item_sku'))
    )
    with op.batch_alter_table('catalogue_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_catalogue_item_annualised_kgco2e'), ['annualised_kgco2e'], unique=False)
        batch_op.create_index(batch_op.f('ix_catalogue_item_category'), ['category'], unique=False)
        batch_op.create_index('ix_catalogue_item_category_annualised', ['category', 'annualised_kgco2e'], unique=False)
        batch_op.create_index(batch_op.f('ix_catalogue_item_label'), ['label'], unique=False)
        batch_op.create_index(batch_op.f('ix_catalogue_item_refurbished'), ['refurbished'], unique=False)
        batch_op.create_index(batch_op.f('ix_catalogue_item_refurbished_of_id'), ['refurbished_of_id'], unique=False)

    op.create_table('factor',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=40), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('fabrication_kgco2e', sa.Numeric(precision=12, scale=4), nullable=True),
    sa.Column('distribution_kgco2e', sa.Numeric(precision=12, scale=4), nullable=True),
    sa.Column('end_of_life_kgco2e', sa.Numeric(precision=12, scale=4), nullable=True),
    sa.Column('lifetime_years', sa.Numeric(precision=6, scale=2), nullable=True),
    sa.Column('annual_kwh', sa.Numeric(precision=12, scale=4), nullable=True),
    sa.Column('value', sa.Numeric(precision=12, scale=6), nullable=True),
    sa.Column('unit', sa.String(length=40), nullable=False),
    sa.Column('low_ratio', sa.Numeric(precision=6, scale=4), nullable=True),
    sa.Column('quality', sa.String(length=20), nullable=False),
    sa.Column('source', sa.String(length=300), nullable=False),
    sa.Column('source_year', sa.Integer(), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=False),
    sa.Column('reference_annualised_kgco2e', sa.Numeric(precision=12, scale=4), nullable=True),
    sa.Column('reference_source', sa.String(length=300), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_factor')),
    sa.UniqueConstraint('key', name=op.f('uq_factor_key'))
    )
    op.create_table('asset',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('asset_tag', sa.String(length=40), nullable=False),
    sa.Column('serial', sa.String(length=80), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=True),
    sa.Column('category', sa.String(length=20), nullable=False),
    sa.Column('model_name', sa.String(length=200), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('acquired_on', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('status_changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['catalogue_item.id'], name=op.f('fk_asset_item_id_catalogue_item')),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_asset_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_asset')),
    sa.UniqueConstraint('asset_tag', name=op.f('uq_asset_asset_tag'))
    )
    with op.batch_alter_table('asset', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_asset_item_id'), ['item_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_asset_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_asset_user_id'), ['user_id'], unique=False)

    op.create_table('factor_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('factor_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('values', sa.JSON(), nullable=False),
    sa.Column('changed_by_id', sa.Integer(), nullable=True),
    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('comment', sa.String(length=300), nullable=False),
    sa.ForeignKeyConstraint(['changed_by_id'], ['user.id'], name=op.f('fk_factor_version_changed_by_id_user')),
    sa.ForeignKeyConstraint(['factor_id'], ['factor.id'], name=op.f('fk_factor_version_factor_id_factor'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_factor_version')),
    sa.UniqueConstraint('factor_id', 'version', name=op.f('uq_factor_version_factor_id_version'))
    )
    with op.batch_alter_table('factor_version', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_factor_version_factor_id'), ['factor_id'], unique=False)

    op.create_table('equipment_order',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('requester_id', sa.Integer(), nullable=False),
    sa.Column('approver_id', sa.Integer(), nullable=True),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('replaces_asset_id', sa.Integer(), nullable=True),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('justification', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decision_comment', sa.Text(), nullable=False),
    sa.Column('delivered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('unit_price_eur', sa.Numeric(precision=10, scale=2), nullable=False),
    sa.Column('embodied_kgco2e', sa.Numeric(precision=12, scale=4), nullable=False),
    sa.Column('annual_use_kgco2e', sa.Numeric(precision=12, scale=4), nullable=False),
    sa.Column('annualised_kgco2e', sa.Numeric(precision=12, scale=4), nullable=False),
    sa.Column('lifetime_years', sa.Numeric(precision=6, scale=2), nullable=False),
    sa.Column('label', sa.String(length=1), nullable=False),
    sa.Column('result_quality', sa.String(length=20), nullable=False),
    sa.Column('factor_version_id', sa.Integer(), nullable=True),
    sa.Column('electricity_version_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('quantity BETWEEN 1 AND 10', name=op.f('ck_equipment_order_quantity_range')),
    sa.ForeignKeyConstraint(['approver_id'], ['user.id'], name=op.f('fk_equipment_order_approver_id_user')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['user.id'], name=op.f('fk_equipment_order_decided_by_id_user')),
    sa.ForeignKeyConstraint(['electricity_version_id'], ['factor_version.id'], name=op.f('fk_equipment_order_electricity_version_id_factor_version')),
    sa.ForeignKeyConstraint(['factor_version_id'], ['factor_version.id'], name=op.f('fk_equipment_order_factor_version_id_factor_version')),
    sa.ForeignKeyConstraint(['item_id'], ['catalogue_item.id'], name=op.f('fk_equipment_order_item_id_catalogue_item')),
    sa.ForeignKeyConstraint(['replaces_asset_id'], ['asset.id'], name=op.f('fk_equipment_order_replaces_asset_id_asset')),
    sa.ForeignKeyConstraint(['requester_id'], ['user.id'], name=op.f('fk_equipment_order_requester_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_equipment_order'))
    )
    with op.batch_alter_table('equipment_order', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_equipment_order_approver_id'), ['approver_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_equipment_order_item_id'), ['item_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_equipment_order_requester_id'), ['requester_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_equipment_order_status'), ['status'], unique=False)



def downgrade():
    op.drop_table('notice')
    with op.batch_alter_table('equipment_order', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_equipment_order_status'))
        batch_op.drop_index(batch_op.f('ix_equipment_order_requester_id'))
        batch_op.drop_index(batch_op.f('ix_equipment_order_item_id'))
        batch_op.drop_index(batch_op.f('ix_equipment_order_approver_id'))

    op.drop_table('equipment_order')
    with op.batch_alter_table('factor_version', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_factor_version_factor_id'))

    op.drop_table('factor_version')
    with op.batch_alter_table('asset', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_asset_user_id'))
        batch_op.drop_index(batch_op.f('ix_asset_status'))
        batch_op.drop_index(batch_op.f('ix_asset_item_id'))

    op.drop_table('asset')
    op.drop_table('factor')
    with op.batch_alter_table('catalogue_item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_catalogue_item_refurbished_of_id'))
        batch_op.drop_index(batch_op.f('ix_catalogue_item_refurbished'))
        batch_op.drop_index(batch_op.f('ix_catalogue_item_label'))
        batch_op.drop_index('ix_catalogue_item_category_annualised')
        batch_op.drop_index(batch_op.f('ix_catalogue_item_category'))
        batch_op.drop_index(batch_op.f('ix_catalogue_item_annualised_kgco2e'))

    op.drop_table('catalogue_item')
