"""scan ids are unique per device, not globally; each scanner device keeps its unsent count and last sync

Revision ID: 07787d0d3333
Revises: 6035cd0bfb9c
Create Date: 2026-12-01 04:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

import conference.core.models


# revision identifiers, used by Alembic.
revision = '07787d0d3333'
down_revision = '6035cd0bfb9c'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('scanner_devices', schema=None) as batch_op:
        batch_op.add_column(sa.Column('unsent', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('last_sync_at', conference.core.models.UTCDateTime(), nullable=True))

    # One index replaces the other: every scan still writes as many.
    with op.batch_alter_table('scans', schema=None) as batch_op:
        batch_op.drop_constraint('uq_scans_client_scan_id', type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_scans_device_id_client_scan_id'), ['device_id', 'client_scan_id'])


def downgrade():
    # Ids that several devices share keep only their first scan's id unique: the others get
    # their scan's row id appended, so that the global constraint can come back.
    scans = sa.table('scans', sa.column('id', sa.Integer), sa.column('client_scan_id', sa.String))
    first = sa.select(sa.func.min(scans.c.id)).group_by(scans.c.client_scan_id)
    op.execute(scans.update().where(scans.c.id.not_in(first)).values(
        client_scan_id=sa.func.substr(scans.c.client_scan_id, 1, 50) + '~' + sa.cast(scans.c.id, sa.String)))
    with op.batch_alter_table('scans', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_scans_device_id_client_scan_id'), type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_scans_client_scan_id'), ['client_scan_id'])

    with op.batch_alter_table('scanner_devices', schema=None) as batch_op:
        batch_op.drop_column('last_sync_at')
        batch_op.drop_column('unsent')
