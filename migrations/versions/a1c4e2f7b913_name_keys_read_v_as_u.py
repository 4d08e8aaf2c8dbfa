"""Name search keys read v as u and carry no diacritics (lü, lv find 吕; fernandez finds Fernández)

Revision ID: a1c4e2f7b913
Revises: 5d1c0e7a9b42
Create Date: 2026-12-01 04:40:00

"""
import sqlalchemy as sa
from alembic import op

from conference.core.i18n import name_search_keys

# revision identifiers, used by Alembic.
revision = 'a1c4e2f7b913'
down_revision = '5d1c0e7a9b42'
branch_labels = None
depends_on = None

people = sa.table(
    "people", sa.column("id", sa.Integer), sa.column("family_name", sa.String),
    sa.column("given_name", sa.String), sa.column("name_pinyin", sa.String),
    sa.column("name_initials", sa.String),
)


def upgrade():
    # Keys are derived data: recompute them with the rule the code uses from now on.
    connection = op.get_bind()
    rows = connection.execute(sa.select(people.c.id, people.c.family_name, people.c.given_name)).all()
    for row in rows:
        pinyin, initials = name_search_keys(row.family_name, row.given_name)
        connection.execute(people.update().where(people.c.id == row.id)
                           .values(name_pinyin=pinyin, name_initials=initials))


def downgrade():
    pass  # the new keys find everything the old ones did
