"""messaging tools for the communications team: a call-to-action link per message and template

Revision ID: 0012
Revises: 0009
Create Date: 2026-12-03 09:00:00.000000

Reviewed: message.cta_url and message_template.cta_url are one string column each, NOT NULL with a server
default of "" (no link: "En savoir plus" opens the message in the portal), so existing rows need no backfill.
Downgrade drops them.
"""
from alembic import op
import sqlalchemy as sa


revision = '0012'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    for table in ('message', 'message_template'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('cta_url', sa.String(length=500), server_default='', nullable=False))


def downgrade():
    for table in ('message_template', 'message'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('cta_url')
