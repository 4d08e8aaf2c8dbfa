"""audit entries name their edition and person

Revision ID: 4c1e2a9b7d30
Revises: 5b1c0e2f9a71
Create Date: 2026-12-01 05:00:00.000000

Existing audit entries get their edition and person where the row they
name still exists.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '4c1e2a9b7d30'
down_revision = '5b1c0e2f9a71'
branch_labels = None
depends_on = None

# Tables whose rows name their edition (and person) themselves.
EDITION_TABLES = (
    'access_zones', 'badge_batches', 'badge_keys', 'checklist_template_items', 'edition_organisations',
    'people', 'privacy_notices', 'programme_settings', 'registration_categories', 'venues', 'badges',
    'invitation_codes', 'registrations', 'sessions', 'scanner_devices',
)
PERSON_TABLES = ('badges', 'registrations')


def upgrade():
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('edition_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('person_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_audit_entries_edition_id'), ['edition_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_entries_person_id'), ['person_id'], unique=False)

    def fill(column, table, source):
        op.execute(
            f"UPDATE audit_entries SET {column} = (SELECT {source} FROM {table} t "
            f"WHERE CAST(t.id AS VARCHAR(64)) = audit_entries.target_id) WHERE target_type = '{table}'"
        )

    op.execute("UPDATE audit_entries SET edition_id = CAST(target_id AS INTEGER) WHERE target_type = 'editions'")
    op.execute("UPDATE audit_entries SET person_id = CAST(target_id AS INTEGER) WHERE target_type = 'people'")
    for table in EDITION_TABLES:
        fill('edition_id', table, 't.edition_id')
    for table in PERSON_TABLES:
        fill('person_id', table, 't.person_id')
    for table in ('halls', 'checkpoints'):
        fill('edition_id', table, '(SELECT v.edition_id FROM venues v WHERE v.id = t.venue_id)')


def downgrade():
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_entries_person_id'))
        batch_op.drop_index(batch_op.f('ix_audit_entries_edition_id'))
        batch_op.drop_column('person_id')
        batch_op.drop_column('edition_id')
