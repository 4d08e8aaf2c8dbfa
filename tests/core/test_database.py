"""SQLite's log reaches the database file in a background thread, not in a request."""

import sqlite3
import threading
from datetime import date

import pytest
from sqlalchemy import text

from conference.core import database
from conference.editions.models import Edition
from conference.extensions import db


@pytest.fixture
def sqlite_path(app):
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("PostgreSQL checkpoints by itself")
        yield db.engine.url.database


def _checkpointers(path: str) -> list[threading.Thread]:
    return [thread for thread in threading.enumerate() if thread.name == f"checkpoint {path}"]


def test_requests_leave_checkpoints_to_one_thread_per_database(app, sqlite_path):
    with app.app_context():
        pages = db.session.execute(text("PRAGMA wal_autocheckpoint")).scalar_one()
    assert pages == database.FALLBACK_CHECKPOINT_PAGES  # SQLite's 1,000 would checkpoint in a request
    database._checkpoint_in_background(sqlite_path)  # a second connection asks again
    assert len(_checkpointers(sqlite_path)) == 1
    assert _checkpointers(sqlite_path)[0].daemon


def test_a_checkpoint_copies_the_whole_log_into_the_database_file(app, sqlite_path):
    with app.app_context():
        for year in range(3000, 3040):
            db.session.add(Edition(year=year, city_zh="厦门", starts_on=date(year, 7, 18), ends_on=date(year, 7, 19)))
        db.session.commit()
    logged, copied = database.checkpoint(sqlite3.connect(sqlite_path))
    assert logged > 0
    assert copied == logged
    with app.app_context():
        assert db.session.execute(text("SELECT count(*) FROM editions WHERE year >= 3000")).scalar_one() == 40
