from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from conference.extensions import db


def test_the_models_match_the_migrations(app):
    """The schema was built by `flask db upgrade`; any model change without a migration shows."""
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "render_as_batch": True}
        )
        differences = compare_metadata(context, db.metadata)
    assert differences == []
