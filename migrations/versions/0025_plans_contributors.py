"""plans: contributors and the baseline's source

Revision ID: 0025
Revises: 0022
Create Date: 2026-12-03 16:10:00

Reviewed: one new table and one new column with a default, nothing existing changes meaning. plans_contributor
names the employees taking part in an action besides its owner (deleted with the action or the account);
plans_action.baseline_source says where an estate indicator's baseline is read ("start": the start month's
snapshot, else the reference year's, as before; "reference_year"). Downgrade drops both: the contributors are
lost, the baselines already read are kept.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0025'
down_revision = '0022'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('plans_contributor',
    sa.Column('action_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['action_id'], ['plans_action.id'], name=op.f('fk_plans_contributor_action_id_plans_action'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_plans_contributor_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('action_id', 'user_id', name=op.f('pk_plans_contributor'))
    )
    with op.batch_alter_table('plans_contributor', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_plans_contributor_user_id'), ['user_id'], unique=False)
    with op.batch_alter_table('plans_action', schema=None) as batch_op:
        batch_op.add_column(sa.Column('baseline_source', sa.String(length=20), server_default='start', nullable=False))


def downgrade():
    with op.batch_alter_table('plans_action', schema=None) as batch_op:
        batch_op.drop_column('baseline_source')
    with op.batch_alter_table('plans_contributor', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_plans_contributor_user_id'))
    op.drop_table('plans_contributor')
