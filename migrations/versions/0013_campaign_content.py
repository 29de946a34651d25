"""campaign content: each campaign's guides and checklist, edited by the admins and the communications team

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 15:00:00.000000

Reviewed: two new tables. campaign_guide_section holds a campaign's sections (titles and advice in French and
English, ordered); campaign_guide_action their actions (label and help in both languages, ordered), each with
a key unique within its campaign: employees' ticks (campaign_checklist_tick.action) keep that key, as they kept
the keys of the fixed guides. Existing campaigns get no rows: a campaign without sections shows the fixed
guides, whose keys its ticks already use, and they are copied into its own rows the first time its content is
edited. Deleting a campaign deletes its content (ON DELETE CASCADE). Downgrade drops both tables; campaigns
then show the fixed guides again (ticks of actions added since are no longer shown).
"""
from alembic import op
import sqlalchemy as sa


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'campaign_guide_section',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('campaign_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('title_fr', sa.String(length=160), nullable=False),
        sa.Column('title_en', sa.String(length=160), nullable=False),
        sa.Column('advice_fr', sa.Text(), nullable=False),
        sa.Column('advice_en', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'],
                                name=op.f('fk_campaign_guide_section_campaign_id_campaign'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_campaign_guide_section')),
    )
    with op.batch_alter_table('campaign_guide_section', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_campaign_guide_section_campaign_id'), ['campaign_id'], unique=False)
    op.create_table(
        'campaign_guide_action',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('campaign_id', sa.Integer(), nullable=False),
        sa.Column('section_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=40), nullable=False),
        sa.Column('label_fr', sa.String(length=300), nullable=False),
        sa.Column('label_en', sa.String(length=300), nullable=False),
        sa.Column('help_fr', sa.Text(), nullable=False),
        sa.Column('help_en', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'],
                                name=op.f('fk_campaign_guide_action_campaign_id_campaign'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['section_id'], ['campaign_guide_section.id'],
                                name=op.f('fk_campaign_guide_action_section_id_campaign_guide_section'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_campaign_guide_action')),
        sa.UniqueConstraint('campaign_id', 'key', name=op.f('uq_campaign_guide_action_campaign_id_key')),
    )
    with op.batch_alter_table('campaign_guide_action', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_campaign_guide_action_section_id'), ['section_id'], unique=False)


def downgrade():
    with op.batch_alter_table('campaign_guide_action', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_campaign_guide_action_section_id'))
    op.drop_table('campaign_guide_action')
    with op.batch_alter_table('campaign_guide_section', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_campaign_guide_section_campaign_id'))
    op.drop_table('campaign_guide_section')
