"""foundation: communes, sites, org units, users, roles, heartbeat

Revision ID: 0001
Revises:
Create Date: 2026-11-28 17:25:14.335102

Reviewed: e-mail uniqueness is case-insensitive because addresses are stored lower-cased (the check
constraint enforces it on both databases); `user` is quoted by SQLAlchemy on PostgreSQL.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('commune',
    sa.Column('insee', sa.String(length=5), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('postcodes', sa.String(length=80), nullable=False),
    sa.Column('lat', sa.Numeric(precision=8, scale=5), nullable=False),
    sa.Column('lon', sa.Numeric(precision=8, scale=5), nullable=False),
    sa.PrimaryKeyConstraint('insee', name=op.f('pk_commune')),
    sa.UniqueConstraint('name', name=op.f('uq_commune_name'))
    )
    op.create_table('heartbeat',
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('beat_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_heartbeat'))
    )
    op.create_table('org_unit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=160), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['parent_id'], ['org_unit.id'], name=op.f('fk_org_unit_parent_id_org_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_org_unit')),
    sa.UniqueConstraint('code', name=op.f('uq_org_unit_code'))
    )
    with op.batch_alter_table('org_unit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_org_unit_parent_id'), ['parent_id'], unique=False)

    op.create_table('site',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=160), nullable=False),
    sa.Column('address', sa.String(length=200), nullable=False),
    sa.Column('commune_insee', sa.String(length=5), nullable=False),
    sa.Column('lat', sa.Numeric(precision=8, scale=5), nullable=False),
    sa.Column('lon', sa.Numeric(precision=8, scale=5), nullable=False),
    sa.ForeignKeyConstraint(['commune_insee'], ['commune.insee'], name=op.f('fk_site_commune_insee_commune')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_site')),
    sa.UniqueConstraint('code', name=op.f('uq_site_code'))
    )
    with op.batch_alter_table('site', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_site_commune_insee'), ['commune_insee'], unique=False)

    op.create_table('user',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('first_name', sa.String(length=80), nullable=False),
    sa.Column('last_name', sa.String(length=80), nullable=False),
    sa.Column('locale', sa.String(length=5), nullable=False),
    sa.Column('org_unit_id', sa.Integer(), nullable=True),
    sa.Column('site_id', sa.Integer(), nullable=True),
    sa.Column('manager_id', sa.Integer(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('password_hash', sa.String(length=200), nullable=True),
    sa.Column('session_version', sa.Integer(), nullable=False),
    sa.Column('last_login_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['manager_id'], ['user.id'], name=op.f('fk_user_manager_id_user')),
    sa.ForeignKeyConstraint(['org_unit_id'], ['org_unit.id'], name=op.f('fk_user_org_unit_id_org_unit')),
    sa.ForeignKeyConstraint(['site_id'], ['site.id'], name=op.f('fk_user_site_id_site')),
    sa.CheckConstraint('email = lower(email)', name=op.f('ck_user_email_lowercase')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user')),
    sa.UniqueConstraint('email', name=op.f('uq_user_email'))
    )
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_manager_id'), ['manager_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_user_org_unit_id'), ['org_unit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_user_site_id'), ['site_id'], unique=False)

    op.create_table('user_role',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_user_role_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'role', name=op.f('pk_user_role'))
    )


def downgrade():
    op.drop_table('user_role')
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_site_id'))
        batch_op.drop_index(batch_op.f('ix_user_org_unit_id'))
        batch_op.drop_index(batch_op.f('ix_user_manager_id'))

    op.drop_table('user')
    with op.batch_alter_table('site', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_site_commune_insee'))

    op.drop_table('site')
    with op.batch_alter_table('org_unit', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_org_unit_parent_id'))

    op.drop_table('org_unit')
    op.drop_table('heartbeat')
    op.drop_table('commune')
