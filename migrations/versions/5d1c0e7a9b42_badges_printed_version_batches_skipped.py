"""badges keep the version last printed; batches count the revoked badges they skipped

Revision ID: 5d1c0e7a9b42
Revises: baeef50425fb
Create Date: 2026-12-01 04:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5d1c0e7a9b42'
down_revision = 'baeef50425fb'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('badges', schema=None) as batch_op:
        batch_op.add_column(sa.Column('printed_version', sa.Integer(), nullable=True))
    # A badge printed before this column: assume its current version was printed, so that
    # printing it again still asks first.
    op.execute("UPDATE badges SET printed_version = version WHERE printed_count > 0")
    with op.batch_alter_table('badge_batches', schema=None) as batch_op:
        batch_op.add_column(sa.Column('skipped', sa.Integer(), nullable=False, server_default='0'))


def downgrade():
    with op.batch_alter_table('badge_batches', schema=None) as batch_op:
        batch_op.drop_column('skipped')
    with op.batch_alter_table('badges', schema=None) as batch_op:
        batch_op.drop_column('printed_version')
