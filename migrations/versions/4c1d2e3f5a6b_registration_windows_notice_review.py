"""registration categories get an opening and closing time; a privacy notice can wait for review

Existing categories keep taking registrations as they did: each opens at the moment it was
created and has no closing time, so an edition running today is not closed by the upgrade.

Revision ID: 4c1d2e3f5a6b
Revises: 9c3e5a7d1f20
Create Date: 2026-12-01 05:10:00.000000

"""
from alembic import op
import sqlalchemy as sa

import conference.core.models


# revision identifiers, used by Alembic.
revision = '4c1d2e3f5a6b'
down_revision = '9c3e5a7d1f20'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('registration_categories', schema=None) as batch_op:
        batch_op.add_column(sa.Column('opens_at', conference.core.models.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('closes_at', conference.core.models.UTCDateTime(), nullable=True))
    categories = sa.table('registration_categories', sa.column('opens_at'), sa.column('created_at'))
    op.execute(categories.update().values(opens_at=categories.c.created_at))

    with op.batch_alter_table('privacy_notices', schema=None) as batch_op:
        batch_op.add_column(sa.Column('needs_review', sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade():
    with op.batch_alter_table('privacy_notices', schema=None) as batch_op:
        batch_op.drop_column('needs_review')

    with op.batch_alter_table('registration_categories', schema=None) as batch_op:
        batch_op.drop_column('closes_at')
        batch_op.drop_column('opens_at')
