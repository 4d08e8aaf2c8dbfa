"""Records and links never vanish by cascade: scans, consents, data requests and bookings
keep what they point at (RESTRICT); a hall with sessions or checkpoints, a venue with halls
or checkpoints, a category with registrations and a session named by a checkpoint rule are
refused by the database too, not only by the pages. Access zones are retired, never deleted.

Revision ID: 5b1c0e2f9a71
Revises: 4c1d2e3f5a6b
Create Date: 2026-12-01 04:50:00

"""
import sqlalchemy as sa
from alembic import op

revision = '5b1c0e2f9a71'
down_revision = '4c1d2e3f5a6b'
branch_labels = None
depends_on = None

# (table, column, referred table, ondelete now, ondelete before)
CHANGES = [
    ("scans", "edition_id", "editions", "RESTRICT", "CASCADE"),
    ("scans", "checkpoint_id", "checkpoints", "RESTRICT", "CASCADE"),
    ("checkpoint_rules", "session_id", "sessions", "RESTRICT", "SET NULL"),
    ("registrations", "category_id", "registration_categories", "RESTRICT", None),
    ("consents", "registration_id", "registrations", "RESTRICT", "CASCADE"),
    ("data_requests", "registration_id", "registrations", "RESTRICT", "CASCADE"),
    ("seat_bookings", "session_id", "sessions", "RESTRICT", "CASCADE"),
    ("sessions", "hall_id", "halls", "RESTRICT", "SET NULL"),
    ("checkpoints", "hall_id", "halls", "RESTRICT", "CASCADE"),
    ("checkpoints", "venue_id", "venues", "RESTRICT", "CASCADE"),
    ("halls", "venue_id", "venues", "RESTRICT", "CASCADE"),
]


def _alter(new: bool) -> None:
    tables = dict.fromkeys(table for table, *_rest in CHANGES)
    for table in tables:  # one batch per table: SQLite copies each table once
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name, column, referred, now, before in (c for c in CHANGES if c[0] == table):
                constraint = f"fk_{name}_{column}_{referred}"
                batch_op.drop_constraint(constraint, type_="foreignkey")
                batch_op.create_foreign_key(constraint, referred, [column], ["id"], ondelete=now if new else before)


def upgrade():
    _alter(new=True)
    with op.batch_alter_table("access_zones", schema=None) as batch_op:
        batch_op.add_column(sa.Column("retired", sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade():
    with op.batch_alter_table("access_zones", schema=None) as batch_op:
        batch_op.drop_column("retired")
    _alter(new=False)
