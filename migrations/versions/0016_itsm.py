"""itsm: ServiceNow locations, models, interventions and transfers; sync runs, watermarks and lock; asset fields

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-02 17:34:02.452628

Reviewed: new tables only, plus seven columns on asset. The asset columns are nullable or carry a server
default (substatus '', model_estimated false), so existing rows need no data migration and the CSV inventory
import and the catalogue go on writing assets unchanged. asset.sys_id is unique but nullable: devices of the
CSV inventory or delivered by an order have none (NULLs never collide, on SQLite as on PostgreSQL); the first
sync adopts them by asset tag. The ITSM's model and assignee e-mail live in itsm_asset (one row per synced
asset, deleted with it) so that the catalogue's table does not reference the ITSM's. Interventions and
transfers keep UTC instants, coordinates and resolved sites for the estate's trips and transport; their site
and location references have no cascade (a site is not deleted while the ITSM names it). itsm_lock holds at
most one row (the running sync's lease). Downgrade drops the tables and the asset columns (the ITSM data is
read again by a full sync).
"""
from alembic import op
import sqlalchemy as sa


revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('itsm_lock',
    sa.Column('name', sa.String(length=20), nullable=False),
    sa.Column('holder', sa.String(length=120), nullable=False),
    sa.Column('acquired_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_itsm_lock'))
    )
    op.create_table('itsm_watermark',
    sa.Column('table_name', sa.String(length=40), nullable=False),
    sa.Column('updated_on', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_sys_id', sa.String(length=32), nullable=False),
    sa.Column('advanced_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('table_name', name=op.f('pk_itsm_watermark'))
    )
    op.create_table('itsm_location',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sys_id', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=160), nullable=False),
    sa.Column('name_key', sa.String(length=160), nullable=False),
    sa.Column('street', sa.String(length=200), nullable=False),
    sa.Column('city', sa.String(length=80), nullable=False),
    sa.Column('zip', sa.String(length=10), nullable=False),
    sa.Column('lat', sa.Numeric(precision=8, scale=5), nullable=True),
    sa.Column('lon', sa.Numeric(precision=8, scale=5), nullable=True),
    sa.Column('site_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['site_id'], ['site.id'], name=op.f('fk_itsm_location_site_id_site')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_itsm_location')),
    sa.UniqueConstraint('sys_id', name=op.f('uq_itsm_location_sys_id'))
    )
    with op.batch_alter_table('itsm_location', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_itsm_location_name_key'), ['name_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_itsm_location_site_id'), ['site_id'], unique=False)

    op.create_table('itsm_intervention',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sys_id', sa.String(length=32), nullable=False),
    sa.Column('number', sa.String(length=40), nullable=False),
    sa.Column('location_name', sa.String(length=160), nullable=False),
    sa.Column('location_id', sa.Integer(), nullable=True),
    sa.Column('site_id', sa.Integer(), nullable=True),
    sa.Column('lat', sa.Numeric(precision=8, scale=5), nullable=True),
    sa.Column('lon', sa.Numeric(precision=8, scale=5), nullable=True),
    sa.Column('assignment_group', sa.String(length=160), nullable=False),
    sa.Column('state', sa.String(length=40), nullable=False),
    sa.Column('travel_started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('work_started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('work_ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('short_description', sa.String(length=300), nullable=False),
    sa.ForeignKeyConstraint(['location_id'], ['itsm_location.id'], name=op.f('fk_itsm_intervention_location_id_itsm_location')),
    sa.ForeignKeyConstraint(['site_id'], ['site.id'], name=op.f('fk_itsm_intervention_site_id_site')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_itsm_intervention')),
    sa.UniqueConstraint('sys_id', name=op.f('uq_itsm_intervention_sys_id'))
    )
    with op.batch_alter_table('itsm_intervention', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_itsm_intervention_location_id'), ['location_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_itsm_intervention_number'), ['number'], unique=False)
        batch_op.create_index(batch_op.f('ix_itsm_intervention_site_id'), ['site_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_itsm_intervention_work_started_at'), ['work_started_at'], unique=False)

    op.create_table('itsm_model',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=300), nullable=False),
    sa.Column('manufacturer', sa.String(length=120), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('itsm_category', sa.String(length=80), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=True),
    sa.Column('category', sa.String(length=20), nullable=True),
    sa.Column('match', sa.String(length=20), nullable=False),
    sa.Column('similarity', sa.Numeric(precision=4, scale=3), nullable=True),
    sa.Column('mapped_by_id', sa.Integer(), nullable=True),
    sa.Column('mapped_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('first_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('pending_since', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['item_id'], ['catalogue_item.id'], name=op.f('fk_itsm_model_item_id_catalogue_item')),
    sa.ForeignKeyConstraint(['mapped_by_id'], ['user.id'], name=op.f('fk_itsm_model_mapped_by_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_itsm_model')),
    sa.UniqueConstraint('key', name=op.f('uq_itsm_model_key'))
    )
    with op.batch_alter_table('itsm_model', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_itsm_model_item_id'), ['item_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_itsm_model_match'), ['match'], unique=False)

    op.create_table('itsm_sync_run',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('trigger', sa.String(length=20), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('full', sa.Boolean(), nullable=False),
    sa.Column('source', sa.String(length=255), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=True),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('error_code', sa.String(length=40), nullable=False),
    sa.Column('error_params', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['requested_by_id'], ['user.id'], name=op.f('fk_itsm_sync_run_requested_by_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_itsm_sync_run'))
    )
    with op.batch_alter_table('itsm_sync_run', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_itsm_sync_run_finished_at'), ['finished_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_itsm_sync_run_status'), ['status'], unique=False)

    op.create_table('itsm_asset',
    sa.Column('asset_id', sa.Integer(), nullable=False),
    sa.Column('model_id', sa.Integer(), nullable=False),
    sa.Column('assigned_email', sa.String(length=254), nullable=False),
    sa.ForeignKeyConstraint(['asset_id'], ['asset.id'], name=op.f('fk_itsm_asset_asset_id_asset'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['model_id'], ['itsm_model.id'], name=op.f('fk_itsm_asset_model_id_itsm_model')),
    sa.PrimaryKeyConstraint('asset_id', name=op.f('pk_itsm_asset'))
    )
    with op.batch_alter_table('itsm_asset', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_itsm_asset_assigned_email'), ['assigned_email'], unique=False)
        batch_op.create_index(batch_op.f('ix_itsm_asset_model_id'), ['model_id'], unique=False)

    op.create_table('itsm_sync_problem',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('table_name', sa.String(length=40), nullable=False),
    sa.Column('ordinal', sa.Integer(), nullable=False),
    sa.Column('record_key', sa.String(length=100), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('field', sa.String(length=60), nullable=False),
    sa.Column('value', sa.String(length=200), nullable=False),
    sa.Column('params', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['run_id'], ['itsm_sync_run.id'], name=op.f('fk_itsm_sync_problem_run_id_itsm_sync_run'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_itsm_sync_problem'))
    )
    with op.batch_alter_table('itsm_sync_problem', schema=None) as batch_op:
        batch_op.create_index('ix_itsm_sync_problem_run_table_ordinal', ['run_id', 'table_name', 'ordinal'], unique=False)

    op.create_table('itsm_sync_table',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('table_name', sa.String(length=40), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('total', sa.Integer(), nullable=True),
    sa.Column('read', sa.Integer(), nullable=False),
    sa.Column('created', sa.Integer(), nullable=False),
    sa.Column('updated', sa.Integer(), nullable=False),
    sa.Column('unchanged', sa.Integer(), nullable=False),
    sa.Column('rejected', sa.Integer(), nullable=False),
    sa.Column('unknown_models', sa.Integer(), nullable=False),
    sa.Column('unknown_emails', sa.Integer(), nullable=False),
    sa.Column('sites_created', sa.Integer(), nullable=False),
    sa.Column('requests', sa.Integer(), nullable=False),
    sa.Column('finished', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['run_id'], ['itsm_sync_run.id'], name=op.f('fk_itsm_sync_table_run_id_itsm_sync_run'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_itsm_sync_table')),
    sa.UniqueConstraint('run_id', 'table_name', name=op.f('uq_itsm_sync_table_run_id_table_name'))
    )
    op.create_table('itsm_transfer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sys_id', sa.String(length=32), nullable=False),
    sa.Column('number', sa.String(length=40), nullable=False),
    sa.Column('asset_tag', sa.String(length=40), nullable=False),
    sa.Column('asset_id', sa.Integer(), nullable=True),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('stage', sa.String(length=40), nullable=False),
    sa.Column('from_location_name', sa.String(length=160), nullable=False),
    sa.Column('to_location_name', sa.String(length=160), nullable=False),
    sa.Column('from_location_id', sa.Integer(), nullable=True),
    sa.Column('to_location_id', sa.Integer(), nullable=True),
    sa.Column('from_site_id', sa.Integer(), nullable=True),
    sa.Column('to_site_id', sa.Integer(), nullable=True),
    sa.Column('shipped_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['asset_id'], ['asset.id'], name=op.f('fk_itsm_transfer_asset_id_asset'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['from_location_id'], ['itsm_location.id'], name=op.f('fk_itsm_transfer_from_location_id_itsm_location')),
    sa.ForeignKeyConstraint(['from_site_id'], ['site.id'], name=op.f('fk_itsm_transfer_from_site_id_site')),
    sa.ForeignKeyConstraint(['to_location_id'], ['itsm_location.id'], name=op.f('fk_itsm_transfer_to_location_id_itsm_location')),
    sa.ForeignKeyConstraint(['to_site_id'], ['site.id'], name=op.f('fk_itsm_transfer_to_site_id_site')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_itsm_transfer')),
    sa.UniqueConstraint('sys_id', name=op.f('uq_itsm_transfer_sys_id'))
    )
    with op.batch_alter_table('itsm_transfer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_itsm_transfer_asset_id'), ['asset_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_itsm_transfer_from_site_id'), ['from_site_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_itsm_transfer_number'), ['number'], unique=False)
        batch_op.create_index(batch_op.f('ix_itsm_transfer_shipped_at'), ['shipped_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_itsm_transfer_to_site_id'), ['to_site_id'], unique=False)

    with op.batch_alter_table('asset', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sys_id', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('substatus', sa.String(length=40), server_default='', nullable=False))
        batch_op.add_column(sa.Column('cost_eur', sa.Numeric(precision=12, scale=2), nullable=True))
        batch_op.add_column(sa.Column('site_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('installed_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('retired_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('model_estimated', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.create_index(batch_op.f('ix_asset_site_id'), ['site_id'], unique=False)
        batch_op.create_unique_constraint(batch_op.f('uq_asset_sys_id'), ['sys_id'])
        batch_op.create_foreign_key(batch_op.f('fk_asset_site_id_site'), 'site', ['site_id'], ['id'])



def downgrade():
    with op.batch_alter_table('asset', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_asset_site_id_site'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('uq_asset_sys_id'), type_='unique')
        batch_op.drop_index(batch_op.f('ix_asset_site_id'))
        batch_op.drop_column('model_estimated')
        batch_op.drop_column('retired_on')
        batch_op.drop_column('installed_on')
        batch_op.drop_column('site_id')
        batch_op.drop_column('cost_eur')
        batch_op.drop_column('substatus')
        batch_op.drop_column('sys_id')

    with op.batch_alter_table('itsm_transfer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_itsm_transfer_to_site_id'))
        batch_op.drop_index(batch_op.f('ix_itsm_transfer_shipped_at'))
        batch_op.drop_index(batch_op.f('ix_itsm_transfer_number'))
        batch_op.drop_index(batch_op.f('ix_itsm_transfer_from_site_id'))
        batch_op.drop_index(batch_op.f('ix_itsm_transfer_asset_id'))

    op.drop_table('itsm_transfer')
    op.drop_table('itsm_sync_table')
    with op.batch_alter_table('itsm_sync_problem', schema=None) as batch_op:
        batch_op.drop_index('ix_itsm_sync_problem_run_table_ordinal')

    op.drop_table('itsm_sync_problem')
    with op.batch_alter_table('itsm_asset', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_itsm_asset_model_id'))
        batch_op.drop_index(batch_op.f('ix_itsm_asset_assigned_email'))

    op.drop_table('itsm_asset')
    with op.batch_alter_table('itsm_sync_run', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_itsm_sync_run_status'))
        batch_op.drop_index(batch_op.f('ix_itsm_sync_run_finished_at'))

    op.drop_table('itsm_sync_run')
    with op.batch_alter_table('itsm_model', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_itsm_model_match'))
        batch_op.drop_index(batch_op.f('ix_itsm_model_item_id'))

    op.drop_table('itsm_model')
    with op.batch_alter_table('itsm_intervention', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_itsm_intervention_work_started_at'))
        batch_op.drop_index(batch_op.f('ix_itsm_intervention_site_id'))
        batch_op.drop_index(batch_op.f('ix_itsm_intervention_number'))
        batch_op.drop_index(batch_op.f('ix_itsm_intervention_location_id'))

    op.drop_table('itsm_intervention')
    with op.batch_alter_table('itsm_location', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_itsm_location_site_id'))
        batch_op.drop_index(batch_op.f('ix_itsm_location_name_key'))

    op.drop_table('itsm_location')
    op.drop_table('itsm_watermark')
    op.drop_table('itsm_lock')
