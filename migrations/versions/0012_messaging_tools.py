"""messaging tools for the communications team: a call-to-action link, automatic messages

Revision ID: 0012
Revises: 0016
Create Date: 2026-12-03 09:00:00.000000

Reviewed:
- message.cta_url and message_template.cta_url: one string column each, NOT NULL with a server default of ""
  (no link: "En savoir plus" opens the message in the portal), so existing rows need no backfill.
- message.trigger_key: nullable, indexed; existing messages were written by the team (NULL).
- message.campaign_anchor, campaign_offset_days, campaign_time: nullable; a message scheduled on its campaign's
  dates keeps how (the moment, days from it, the Paris time) to be re-timed when they move; NULL otherwise.
- message_trigger: one row per automatic message the team set up (created when first saved), off by default.
- message_automatic_event: one row per (trigger, employee, event), unique, so that two runs or two jobs
  processes record an event once; its status only moves forward (queued → sent | expired).
- message_automatic_quota: the last automatic message of each employee (the weekly limit), one row each.
Downgrade drops the tables and the columns (automatic messages already delivered stay as plain messages).
"""
from alembic import op
import sqlalchemy as sa



revision = '0012'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade():
    for table in ('message', 'message_template'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('cta_url', sa.String(length=500), server_default='', nullable=False))
    with op.batch_alter_table('message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('trigger_key', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('campaign_anchor', sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column('campaign_offset_days', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('campaign_time', sa.String(length=5), nullable=True))
        batch_op.create_index(batch_op.f('ix_message_trigger_key'), ['trigger_key'], unique=False)

    op.create_table(
        'message_trigger',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=40), nullable=False),
        sa.Column('enabled', sa.Boolean(), nullable=False),
        sa.Column('template_id', sa.Integer(), nullable=True),
        sa.Column('audience', sa.JSON(), nullable=False),
        sa.Column('years', sa.Numeric(precision=4, scale=1), nullable=True),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['template_id'], ['message_template.id'],
                                name=op.f('fk_message_trigger_template_id_message_template'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_message_trigger')),
        sa.UniqueConstraint('key', name=op.f('uq_message_trigger_key')),
    )
    op.create_table(
        'message_automatic_event',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('trigger_key', sa.String(length=40), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('event_key', sa.String(length=80), nullable=False),
        sa.Column('event_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('campaign_id', sa.Integer(), nullable=True),
        sa.Column('values', sa.JSON(), nullable=False),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('detected_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('message_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['message_id'], ['message.id'],
                                name=op.f('fk_message_automatic_event_message_id_message'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'],
                                name=op.f('fk_message_automatic_event_user_id_user'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_message_automatic_event')),
        sa.UniqueConstraint('trigger_key', 'user_id', 'event_key',
                            name=op.f('uq_message_automatic_event_trigger_key_user_id_event_key')),
    )
    with op.batch_alter_table('message_automatic_event', schema=None) as batch_op:
        batch_op.create_index('ix_message_automatic_event_status', ['status', 'trigger_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_message_automatic_event_user_id'), ['user_id'], unique=False)
    op.create_table(
        'message_automatic_quota',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('last_sent_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'],
                                name=op.f('fk_message_automatic_quota_user_id_user'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('user_id', name=op.f('pk_message_automatic_quota')),
    )


def downgrade():
    op.drop_table('message_automatic_quota')
    with op.batch_alter_table('message_automatic_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_message_automatic_event_user_id'))
        batch_op.drop_index('ix_message_automatic_event_status')
    op.drop_table('message_automatic_event')
    op.drop_table('message_trigger')
    with op.batch_alter_table('message', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_message_trigger_key'))
        batch_op.drop_column('trigger_key')
        batch_op.drop_column('campaign_anchor')
        batch_op.drop_column('campaign_offset_days')
        batch_op.drop_column('campaign_time')
    for table in ('message_template', 'message'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('cta_url')
