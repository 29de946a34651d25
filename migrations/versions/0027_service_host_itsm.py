"""digital services: data-centre servers read from the ITSM (cmdb_ci_server)

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-03 16:25:00

Reviewed: three nullable or defaulted columns on service_host, nothing existing changes. itsm_sys_id is the
server's ServiceNow sys_id (unique; NULL for hosts entered by CSV), ram_gb its memory as the CMDB declares it,
install_status its status in the CMDB (in_use, retired…; '' for hosts entered by CSV). Downgrade drops them:
the next `services sync-servers` then matches the servers by name again.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0027'
down_revision = '0026'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('service_host', schema=None) as batch_op:
        batch_op.add_column(sa.Column('itsm_sys_id', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('ram_gb', sa.Numeric(precision=10, scale=2), nullable=True))
        batch_op.add_column(sa.Column('install_status', sa.String(length=20), server_default='', nullable=False))
        batch_op.create_unique_constraint(batch_op.f('uq_service_host_itsm_sys_id'), ['itsm_sys_id'])


def downgrade():
    with op.batch_alter_table('service_host', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_service_host_itsm_sys_id'), type_='unique')
        batch_op.drop_column('install_status')
        batch_op.drop_column('ram_gb')
        batch_op.drop_column('itsm_sys_id')
