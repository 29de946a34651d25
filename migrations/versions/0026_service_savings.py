"""digital services: a decision's baseline footprint, the campaign a service was given up in

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-03 16:20:00

Reviewed: two nullable columns, nothing existing changes. service_review_decision.baseline_kgco2e keeps the
service's footprint per year when the decision was recorded (the measured saving is the next year's figure
against it); service_subscription.campaign_id the Digital Clean-up Day campaign running when the employee gave
the service up (set to NULL if the campaign is deleted). Downgrade drops both: the measured savings of the
decisions recorded since can no longer be computed, the campaign links are lost.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0026'
down_revision = '0025'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('service_review_decision', schema=None) as batch_op:
        batch_op.add_column(sa.Column('baseline_kgco2e', sa.Numeric(precision=12, scale=4), nullable=True))
    with op.batch_alter_table('service_subscription', schema=None) as batch_op:
        batch_op.add_column(sa.Column('campaign_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_service_subscription_campaign_id'), ['campaign_id'], unique=False)
        batch_op.create_foreign_key(
            batch_op.f('fk_service_subscription_campaign_id_campaign'), 'campaign', ['campaign_id'], ['id'],
            ondelete='SET NULL',
        )


def downgrade():
    with op.batch_alter_table('service_subscription', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_service_subscription_campaign_id_campaign'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_service_subscription_campaign_id'))
        batch_op.drop_column('campaign_id')
    with op.batch_alter_table('service_review_decision', schema=None) as batch_op:
        batch_op.drop_column('baseline_kgco2e')
