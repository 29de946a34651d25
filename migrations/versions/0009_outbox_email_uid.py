"""outbox e-mail uid: a random part of each e-mail's Message-ID, fixed when the outbox row is written

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 18:00:00.000000

Reviewed: message_outbox.email_uid is one VARCHAR(32) column, NOT NULL, whose server default is 32 random
hexadecimal characters computed by the database for each row (SQLite: randomblob(16); PostgreSQL 13+:
gen_random_uuid()), so the outbox rows written by INSERT … SELECT when a message starts get one each without
any change to that statement. Existing rows get their own value too: PostgreSQL evaluates a volatile default
once per existing row; SQLite cannot add a column with such a default in place, so the table is rebuilt
(batch mode, recreate always) and the copy fills it row by row. The Message-ID becomes
m<message>.e<outbox>.<email_uid>@host: two portals or databases sending through one relay no longer produce
the same one, and a retried e-mail keeps its own. Downgrade drops the column (Message-IDs go back to the row
ids alone).
"""
from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

RANDOM_HEX = {
    'sqlite': 'lower(hex(randomblob(16)))',
    'postgresql': "replace(gen_random_uuid()::text, '-', '')",
}


def upgrade():
    dialect = op.get_bind().dialect.name
    default = sa.text(RANDOM_HEX[dialect])
    # SQLite refuses ALTER TABLE ADD COLUMN with a non-constant default: the table is copied instead.
    recreate = 'always' if dialect == 'sqlite' else 'auto'
    with op.batch_alter_table('message_outbox', schema=None, recreate=recreate) as batch_op:
        batch_op.add_column(sa.Column('email_uid', sa.String(length=32), server_default=default, nullable=False))


def downgrade():
    with op.batch_alter_table('message_outbox', schema=None) as batch_op:
        batch_op.drop_column('email_uid')
