"""/readyz: 200 when the database answers at the migrations' head (and Redis when configured),
503 naming each check that fails."""

import pytest
from sqlalchemy import text

from conference import create_app
from conference.extensions import db


def test_ready_when_the_database_is_at_the_migrations_head(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ready", "checks": {"database": "ok", "migrations": "ok"}}
    assert client.get("/healthz").get_json() == {"status": "ok"}


@pytest.fixture
def revision_behind(app):
    with app.app_context(), db.engine.begin() as connection:
        current = connection.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
        connection.execute(text("UPDATE alembic_version SET version_num = 'an_older_one'"))
    yield
    with app.app_context(), db.engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = :head"), {"head": current})


def test_not_ready_when_the_migrations_are_not_all_run(client, revision_behind):
    response = client.get("/readyz")
    assert response.status_code == 503
    answer = response.get_json()
    assert answer["failing"] == ["migrations"]
    assert answer["checks"]["database"] == "ok"
    assert answer["checks"]["migrations"].startswith("database at an_older_one, code at ")
    assert "flask db upgrade" in answer["checks"]["migrations"]


def test_not_ready_when_the_database_does_not_answer(app, tmp_path):
    unreachable = create_app({**app.config, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/no-such-folder/conference.db"})
    response = unreachable.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.get_json() == {
        "status": "not ready", "failing": ["database", "migrations"],
        "checks": {"database": "unreachable (OperationalError)", "migrations": "unknown"},
    }


def test_not_ready_when_the_configured_redis_does_not_answer(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "REDIS_URL", "redis://127.0.0.1:1/0")  # nothing listens on port 1
    response = client.get("/readyz")
    assert response.status_code == 503
    answer = response.get_json()
    assert answer["failing"] == ["redis"]
    assert answer["checks"] == {"database": "ok", "migrations": "ok", "redis": "unreachable (ConnectionError)"}
