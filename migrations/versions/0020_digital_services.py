"""digital services: services, their hosts and components, subscriptions, usage, access requests, review decisions

Revision ID: 0020
Revises: 0017
Create Date: 2026-12-03 07:45:24.865652

Reviewed: new tables only, nothing existing is altered. A service's components, subscriptions, usage, access
requests and review decisions go with it (ON DELETE CASCADE); a host is not deleted while a component uses it.
Subscriptions and usage are unique per (service, employee): an import updates the row in place. Downgrade drops
the tables (the services are imported again from their CSV files).
"""
from alembic import op
import sqlalchemy as sa


revision = '0020'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('service_host',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('model', sa.String(length=160), nullable=False),
    sa.Column('data_centre', sa.String(length=80), nullable=False),
    sa.Column('embodied_kgco2e', sa.Numeric(precision=12, scale=4), nullable=False),
    sa.Column('lifetime_years', sa.Numeric(precision=6, scale=2), nullable=False),
    sa.Column('annual_kwh', sa.Numeric(precision=12, scale=4), nullable=False),
    sa.Column('capacity', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('pue', sa.Numeric(precision=4, scale=2), nullable=True),
    sa.Column('quality', sa.String(length=20), nullable=False),
    sa.Column('source', sa.String(length=300), nullable=False),
    sa.CheckConstraint('capacity > 0', name=op.f('ck_service_host_capacity_positive')),
    sa.CheckConstraint('lifetime_years > 0', name=op.f('ck_service_host_lifetime_positive')),
    sa.CheckConstraint('pue IS NULL OR pue >= 1', name=op.f('ck_service_host_pue_at_least_one')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_service_host')),
    sa.UniqueConstraint('name', name=op.f('uq_service_host_name'))
    )
    op.create_table('digital_service',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=160), nullable=False),
    sa.Column('description_fr', sa.Text(), nullable=False),
    sa.Column('description_en', sa.Text(), nullable=False),
    sa.Column('category', sa.String(length=20), nullable=False),
    sa.Column('hosting', sa.String(length=20), nullable=False),
    sa.Column('criticality', sa.String(length=10), nullable=False),
    sa.Column('owner_unit_id', sa.Integer(), nullable=True),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('access', sa.String(length=20), nullable=False),
    sa.Column('eligible_unit_id', sa.Integer(), nullable=True),
    sa.Column('per_user_estimate_kgco2e', sa.Numeric(precision=12, scale=4), nullable=True),
    sa.Column('estimate_source', sa.String(length=300), nullable=False),
    sa.Column('network_gb_per_year', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('end_date', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['eligible_unit_id'], ['org_unit.id'], name=op.f('fk_digital_service_eligible_unit_id_org_unit')),
    sa.ForeignKeyConstraint(['owner_id'], ['user.id'], name=op.f('fk_digital_service_owner_id_user')),
    sa.ForeignKeyConstraint(['owner_unit_id'], ['org_unit.id'], name=op.f('fk_digital_service_owner_unit_id_org_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_digital_service')),
    sa.UniqueConstraint('code', name=op.f('uq_digital_service_code'))
    )
    with op.batch_alter_table('digital_service', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_digital_service_category'), ['category'], unique=False)
        batch_op.create_index(batch_op.f('ix_digital_service_owner_id'), ['owner_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_digital_service_owner_unit_id'), ['owner_unit_id'], unique=False)

    op.create_table('service_access_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('service_id', sa.Integer(), nullable=False),
    sa.Column('requester_id', sa.Integer(), nullable=False),
    sa.Column('justification', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decision_comment', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['decided_by_id'], ['user.id'], name=op.f('fk_service_access_request_decided_by_id_user')),
    sa.ForeignKeyConstraint(['requester_id'], ['user.id'], name=op.f('fk_service_access_request_requester_id_user')),
    sa.ForeignKeyConstraint(['service_id'], ['digital_service.id'], name=op.f('fk_service_access_request_service_id_digital_service'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_service_access_request'))
    )
    with op.batch_alter_table('service_access_request', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_service_access_request_requester_id'), ['requester_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_service_access_request_service_id'), ['service_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_service_access_request_status'), ['status'], unique=False)

    op.create_table('service_component',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('service_id', sa.Integer(), nullable=False),
    sa.Column('host_id', sa.Integer(), nullable=False),
    sa.Column('allocated', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.CheckConstraint('allocated >= 0', name=op.f('ck_service_component_allocated_not_negative')),
    sa.ForeignKeyConstraint(['host_id'], ['service_host.id'], name=op.f('fk_service_component_host_id_service_host')),
    sa.ForeignKeyConstraint(['service_id'], ['digital_service.id'], name=op.f('fk_service_component_service_id_digital_service'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_service_component')),
    sa.UniqueConstraint('service_id', 'host_id', name=op.f('uq_service_component_service_id_host_id'))
    )
    with op.batch_alter_table('service_component', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_service_component_host_id'), ['host_id'], unique=False)

    op.create_table('service_review_decision',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('service_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('decision', sa.String(length=20), nullable=False),
    sa.Column('rationale', sa.Text(), nullable=False),
    sa.Column('decided_on', sa.Date(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('expected_saving_kgco2e', sa.Numeric(precision=12, scale=4), nullable=True),
    sa.Column('measured_saving_kgco2e', sa.Numeric(precision=12, scale=4), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['owner_id'], ['user.id'], name=op.f('fk_service_review_decision_owner_id_user')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user.id'], name=op.f('fk_service_review_decision_recorded_by_id_user')),
    sa.ForeignKeyConstraint(['service_id'], ['digital_service.id'], name=op.f('fk_service_review_decision_service_id_digital_service'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_service_review_decision'))
    )
    with op.batch_alter_table('service_review_decision', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_service_review_decision_service_id'), ['service_id'], unique=False)

    op.create_table('service_subscription',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('service_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('started_on', sa.Date(), nullable=False),
    sa.Column('ended_on', sa.Date(), nullable=True),
    sa.Column('ended_reason', sa.String(length=20), nullable=False),
    sa.Column('saving_kgco2e', sa.Numeric(precision=12, scale=4), nullable=True),
    sa.ForeignKeyConstraint(['service_id'], ['digital_service.id'], name=op.f('fk_service_subscription_service_id_digital_service'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_service_subscription_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_service_subscription')),
    sa.UniqueConstraint('service_id', 'user_id', name=op.f('uq_service_subscription_service_id_user_id'))
    )
    with op.batch_alter_table('service_subscription', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_service_subscription_user_id'), ['user_id'], unique=False)

    op.create_table('service_usage',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('service_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('last_active_on', sa.Date(), nullable=False),
    sa.Column('active_days', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['service_id'], ['digital_service.id'], name=op.f('fk_service_usage_service_id_digital_service'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_service_usage_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_service_usage')),
    sa.UniqueConstraint('service_id', 'user_id', name=op.f('uq_service_usage_service_id_user_id'))
    )
    with op.batch_alter_table('service_usage', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_service_usage_user_id'), ['user_id'], unique=False)



def downgrade():
    with op.batch_alter_table('service_usage', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_service_usage_user_id'))

    op.drop_table('service_usage')
    with op.batch_alter_table('service_subscription', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_service_subscription_user_id'))

    op.drop_table('service_subscription')
    with op.batch_alter_table('service_review_decision', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_service_review_decision_service_id'))

    op.drop_table('service_review_decision')
    with op.batch_alter_table('service_component', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_service_component_host_id'))

    op.drop_table('service_component')
    with op.batch_alter_table('service_access_request', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_service_access_request_status'))
        batch_op.drop_index(batch_op.f('ix_service_access_request_service_id'))
        batch_op.drop_index(batch_op.f('ix_service_access_request_requester_id'))

    op.drop_table('service_access_request')
    with op.batch_alter_table('digital_service', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_digital_service_owner_unit_id'))
        batch_op.drop_index(batch_op.f('ix_digital_service_owner_id'))
        batch_op.drop_index(batch_op.f('ix_digital_service_category'))

    op.drop_table('digital_service')
    op.drop_table('service_host')
