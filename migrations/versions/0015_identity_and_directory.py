"""identity provider link, directory sync and personal-data retention on accounts

Revision ID: 0015
Revises: 0009
Create Date: 2026-12-03 10:00:00.000000

Reviewed: five nullable columns on `user`, so existing rows need no backfill. `oidc_issuer` + `oidc_subject`
link an account to the identity provider's stable subject (unique together; NULLs, the accounts not yet
linked, do not collide on either database). `directory_id` is the directory entry's stable id, unique, set
only by the directory sync: the accounts it manages. `deactivated_at` dates a deactivation (indexed: the nightly
retention looks for accounts deactivated long ago; already deactivated accounts get today, so their delay
starts now rather than never); `pseudonymised_at` records that the personal fields were replaced. One new
table, `directory_sync_run`, the report of each sync. Downgrade drops the table and the columns.
"""
from alembic import op
import sqlalchemy as sa


revision = '0015'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('oidc_issuer', sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column('oidc_subject', sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column('directory_id', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('deactivated_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('pseudonymised_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_user_oidc_issuer_oidc_subject'), ['oidc_issuer', 'oidc_subject'])
        batch_op.create_unique_constraint(batch_op.f('uq_user_directory_id'), ['directory_id'])
        batch_op.create_index(batch_op.f('ix_user_deactivated_at'), ['deactivated_at'], unique=False)
    user = sa.table('user', sa.column('active', sa.Boolean()), sa.column('deactivated_at', sa.DateTime(timezone=True)))
    op.execute(user.update().where(user.c.active.is_(False)).values(deactivated_at=sa.func.current_timestamp()))

    op.create_table('directory_sync_run',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('dry_run', sa.Boolean(), nullable=False),
    sa.Column('entries_read', sa.Integer(), nullable=False),
    sa.Column('created', sa.Integer(), nullable=False),
    sa.Column('updated', sa.Integer(), nullable=False),
    sa.Column('unchanged', sa.Integer(), nullable=False),
    sa.Column('deactivated', sa.Integer(), nullable=False),
    sa.Column('rejected', sa.Integer(), nullable=False),
    sa.Column('error', sa.String(length=40), nullable=False),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_directory_sync_run'))
    )
    with op.batch_alter_table('directory_sync_run', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_directory_sync_run_started_at'), ['started_at'], unique=False)


def downgrade():
    with op.batch_alter_table('directory_sync_run', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_directory_sync_run_started_at'))
    op.drop_table('directory_sync_run')
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_deactivated_at'))
        batch_op.drop_constraint(batch_op.f('uq_user_directory_id'), type_='unique')
        batch_op.drop_constraint(batch_op.f('uq_user_oidc_issuer_oidc_subject'), type_='unique')
        batch_op.drop_column('pseudonymised_at')
        batch_op.drop_column('deactivated_at')
        batch_op.drop_column('directory_id')
        batch_op.drop_column('oidc_subject')
        batch_op.drop_column('oidc_issuer')
