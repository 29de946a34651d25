"""message start attempts: a start whose worker keeps dying is given up; template failures become "failed"

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 18:00:00.000000

Reviewed: message.start_attempts is one integer column, NOT NULL with a server default of 0, so existing rows
need no backfill; the jobs process increments it each time a worker takes a message's start, and gives the
start up ("failed", could not be started) once a few workers died during it, instead of taking it again after
every lease. Data: a message paused by a template problem when its start was attempted was never sent to
anyone (the start stops before the first recipient), and "resume" would mark it sent to nobody; such
messages become "failed", with the same details, so they can be corrected and sent again, or cancelled.
Downgrade turns "failed" messages back into paused ones with their details (the earlier code shows them as
paused for errors) and drops the column.
"""
from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

message = sa.table(
    'message',
    sa.column('id', sa.Integer()),
    sa.column('status', sa.String(20)),
    sa.column('pause_details', sa.JSON()),
)


def _move(from_status, to_status, keep):
    """Move the messages of one status whose details `keep` accepts (JSON is read in Python: portable)."""
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(message.c.id, message.c.pause_details).where(message.c.status == from_status)
    ).all()
    for message_id, details in rows:
        if keep(details or {}):
            connection.execute(
                sa.update(message).where(message.c.id == message_id).values(status=to_status)
            )


def upgrade():
    with op.batch_alter_table('message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('start_attempts', sa.Integer(), server_default='0', nullable=False))
    _move('paused', 'failed', lambda details: details.get('kind') == 'template')


def downgrade():
    _move('failed', 'paused', lambda details: True)
    with op.batch_alter_table('message', schema=None) as batch_op:
        batch_op.drop_column('start_attempts')
