import pytest
from sqlalchemy import func, select

from conference.extensions import db


def _row_counts() -> dict[str, int]:
    return {
        table.name: db.session.execute(select(func.count()).select_from(table)).scalar_one()
        for table in db.metadata.sorted_tables
        if table.name != "audit_entries"
    }


@pytest.mark.long
def test_demo_load_twice_leaves_the_same_rows(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo", "load"])
    assert first.exit_code == 0, first.output
    assert "organizer@example.org" in first.output
    with app.app_context():
        after_first = _row_counts()
    second = runner.invoke(args=["demo", "load"])
    assert second.exit_code == 0, second.output
    with app.app_context():
        assert _row_counts() == after_first
    assert after_first["editions"] == 1 and after_first["users"] >= 2
    assert after_first["edition_organisations"] == 9


def test_demo_load_if_empty_leaves_an_existing_database_alone(app, edition_2023):
    result = app.test_cli_runner().invoke(args=["demo", "load", "--if-empty"])
    assert result.exit_code == 0
    with app.app_context():
        assert _row_counts()["users"] == 0
