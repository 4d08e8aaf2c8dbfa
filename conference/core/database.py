"""Database behaviour that differs between SQLite and PostgreSQL, handled in one place.

SQLite runs in WAL mode with a busy timeout, so readers never wait for the writer and writers
queue for each other. A transaction that read before another writer committed may still be
refused ("database is locked"); PostgreSQL may end one of two deadlocked transactions. Both
are safe to run again from the start, which `committed()` does.
"""

import random
import time
from collections.abc import Callable
from typing import TypeVar

from flask import Flask
from sqlalchemy import event
from sqlalchemy.exc import DBAPIError, OperationalError

from conference.extensions import db

RETRIES = 25
T = TypeVar("T")


def init_app(app: Flask) -> None:
    with app.app_context():
        engine = db.engine
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()


def _retryable(error: DBAPIError) -> bool:
    text = str(error.orig).lower() if error.orig is not None else str(error).lower()
    return any(sign in text for sign in ("database is locked", "deadlock detected", "could not serialize", "database table is locked"))


def committed(work: Callable[[], T]) -> T:
    """Run `work` and commit; start again (a few times) when the database asks for it."""
    for attempt in range(RETRIES):
        try:
            result = work()
            db.session.commit()
            return result
        except (OperationalError, DBAPIError) as error:
            db.session.rollback()
            if not _retryable(error) or attempt == RETRIES - 1:
                raise
            time.sleep(random.uniform(0.002, 0.02) * (attempt + 1))  # noqa: S311  jitter, not secrets
        except Exception:
            db.session.rollback()
            raise
    raise RuntimeError("unreachable")


def upsert(table):
    """The dialect's INSERT, which has on_conflict_do_nothing / on_conflict_do_update on SQLite
    and PostgreSQL alike."""
    if db.engine.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(table)


def insert_ignoring_conflicts(table):
    """INSERT … ON CONFLICT DO NOTHING: the unique index decides which of two simultaneous
    inserts stands."""
    return upsert(table).on_conflict_do_nothing()
