"""campaigns: campaigns, participation, checklists, storage snapshots and imports

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28 17:49:24.542842

Reviewed: only the campaign tables (the locator's revision 0003 is a separate head). Snapshots are unique
per employee, source and measure time, which makes re-imports idempotent; campaign_progress holds the daily
steps derived from the snapshots (recomputed by the importer), so result pages only sum rows. Dropping a
table drops its indexes, hence the short downgrade.
"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('campaign',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=160), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('scope_all', sa.Boolean(), nullable=False),
    sa.Column('goal_gb', sa.Numeric(precision=12, scale=1), nullable=True),
    sa.Column('goal_participation', sa.Numeric(precision=5, scale=4), nullable=True),
    sa.Column('team_rule', sa.String(length=20), nullable=False),
    sa.Column('co2e_convention', sa.String(length=20), nullable=False),
    sa.Column('horizon_year', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('ends_at > starts_at', name=op.f('ck_campaign_ends_after_start')),
    sa.CheckConstraint('goal_gb IS NULL OR goal_gb > 0', name=op.f('ck_campaign_goal_gb_positive')),
    sa.CheckConstraint('goal_participation IS NULL OR (goal_participation > 0 AND goal_participation <= 1)', name=op.f('ck_campaign_goal_participation_ratio')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_campaign_created_by_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_campaign'))
    )
    with op.batch_alter_table('campaign', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_campaign_ends_at'), ['ends_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_campaign_starts_at'), ['starts_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_campaign_state'), ['state'], unique=False)

    op.create_table('storage_import',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('format', sa.String(length=20), nullable=False),
    sa.Column('imported_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('imported_by_id', sa.Integer(), nullable=True),
    sa.Column('rows_read', sa.Integer(), nullable=False),
    sa.Column('created', sa.Integer(), nullable=False),
    sa.Column('updated', sa.Integer(), nullable=False),
    sa.Column('unchanged', sa.Integer(), nullable=False),
    sa.Column('unmatched', sa.Integer(), nullable=False),
    sa.Column('invalid', sa.Integer(), nullable=False),
    sa.Column('first_measured_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_measured_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('duration_ms', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['imported_by_id'], ['user.id'], name=op.f('fk_storage_import_imported_by_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_storage_import'))
    )
    with op.batch_alter_table('storage_import', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_storage_import_imported_at'), ['imported_at'], unique=False)

    op.create_table('campaign_checklist_tick',
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('ticked_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], name=op.f('fk_campaign_checklist_tick_campaign_id_campaign'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_campaign_checklist_tick_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('campaign_id', 'user_id', 'action', name=op.f('pk_campaign_checklist_tick'))
    )
    op.create_table('campaign_commune',
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('commune_insee', sa.String(length=5), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], name=op.f('fk_campaign_commune_campaign_id_campaign'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['commune_insee'], ['commune.insee'], name=op.f('fk_campaign_commune_commune_insee_commune')),
    sa.PrimaryKeyConstraint('campaign_id', 'commune_insee', name=op.f('pk_campaign_commune'))
    )
    op.create_table('campaign_org_unit',
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('org_unit_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], name=op.f('fk_campaign_org_unit_campaign_id_campaign'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['org_unit_id'], ['org_unit.id'], name=op.f('fk_campaign_org_unit_org_unit_id_org_unit')),
    sa.PrimaryKeyConstraint('campaign_id', 'org_unit_id', name=op.f('pk_campaign_org_unit'))
    )
    op.create_table('campaign_participation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('joined_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('left_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('hidden_from_team', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], name=op.f('fk_campaign_participation_campaign_id_campaign'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_campaign_participation_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_campaign_participation')),
    sa.UniqueConstraint('campaign_id', 'user_id', name=op.f('uq_campaign_participation_campaign_id_user_id'))
    )
    with op.batch_alter_table('campaign_participation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_campaign_participation_user_id'), ['user_id'], unique=False)

    op.create_table('campaign_progress',
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=10), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('freed_bytes', sa.BigInteger(), nullable=False),
    sa.Column('freed_items', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], name=op.f('fk_campaign_progress_campaign_id_campaign'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_campaign_progress_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('campaign_id', 'user_id', 'source', 'day', name=op.f('pk_campaign_progress'))
    )
    op.create_table('storage_import_problem',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('import_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('line', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=30), nullable=False),
    sa.Column('detail', sa.String(length=300), nullable=False),
    sa.ForeignKeyConstraint(['import_id'], ['storage_import.id'], name=op.f('fk_storage_import_problem_import_id_storage_import'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_storage_import_problem'))
    )
    with op.batch_alter_table('storage_import_problem', schema=None) as batch_op:
        batch_op.create_index('ix_storage_import_problem_import_kind_line', ['import_id', 'kind', 'line'], unique=False)

    op.create_table('storage_snapshot',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=10), nullable=False),
    sa.Column('size_bytes', sa.BigInteger(), nullable=False),
    sa.Column('item_count', sa.BigInteger(), nullable=True),
    sa.Column('measured_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('import_id', sa.Integer(), nullable=False),
    sa.CheckConstraint('item_count IS NULL OR item_count >= 0', name=op.f('ck_storage_snapshot_items_positive')),
    sa.CheckConstraint('size_bytes >= 0', name=op.f('ck_storage_snapshot_size_positive')),
    sa.ForeignKeyConstraint(['import_id'], ['storage_import.id'], name=op.f('fk_storage_snapshot_import_id_storage_import'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_storage_snapshot_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_storage_snapshot')),
    sa.UniqueConstraint('user_id', 'source', 'measured_at', name=op.f('uq_storage_snapshot_user_id_source_measured_at'))
    )
    with op.batch_alter_table('storage_snapshot', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_storage_snapshot_import_id'), ['import_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_storage_snapshot_measured_at'), ['measured_at'], unique=False)


def downgrade():
    op.drop_table('storage_snapshot')
    op.drop_table('storage_import_problem')
    op.drop_table('campaign_progress')
    op.drop_table('campaign_participation')
    op.drop_table('campaign_org_unit')
    op.drop_table('campaign_commune')
    op.drop_table('campaign_checklist_tick')
    op.drop_table('storage_import')
    op.drop_table('campaign')
