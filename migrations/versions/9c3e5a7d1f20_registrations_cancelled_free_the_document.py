"""a cancelled registration frees its identity document for a new one; the private-link token is kept sealed

Revision ID: 9c3e5a7d1f20
Revises: 07787d0d3333
Create Date: 2026-12-01 04:45:00

"""
from alembic import op
import sqlalchemy as sa

revision = '9c3e5a7d1f20'
down_revision = '07787d0d3333'
branch_labels = None
depends_on = None

ACTIVE = sa.text("status <> 'cancelled'")


def upgrade():
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('token_sealed', sa.String(length=255), nullable=True))
        batch_op.drop_constraint('uq_registrations_edition_id_document_index', type_='unique')
    op.create_index(
        'uq_registrations_edition_document_active', 'registrations', ['edition_id', 'document_index'],
        unique=True, sqlite_where=ACTIVE, postgresql_where=ACTIVE,
    )


def downgrade():
    # The global constraint comes back only if no document was registered again after a
    # cancel: the older, cancelled registrations lose their keyed hash.
    registrations = sa.table(
        'registrations', sa.column('id', sa.Integer), sa.column('edition_id', sa.Integer),
        sa.column('document_index', sa.String), sa.column('status', sa.String),
    )
    newer = registrations.alias('newer')
    op.execute(registrations.update().where(
        registrations.c.status == 'cancelled',
        sa.exists().where(
            newer.c.edition_id == registrations.c.edition_id,
            newer.c.document_index == registrations.c.document_index,
            newer.c.id != registrations.c.id,
        ),
    ).values(document_index=None))
    op.drop_index('uq_registrations_edition_document_active', table_name='registrations')
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.create_unique_constraint('uq_registrations_edition_id_document_index', ['edition_id', 'document_index'])
        batch_op.drop_column('token_sealed')
