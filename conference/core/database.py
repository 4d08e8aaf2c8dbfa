"""Database behaviour that differs between SQLite and PostgreSQL, handled in one place.

SQLite runs in WAL mode with a busy timeout, so readers never wait for the writer and writers
queue for each other. A transaction that read before another writer committed may still be
refused ("database is locked"); PostgreSQL may end one of two deadlocked transactions. Both
are safe to run again from the start, which `committed()` does.
"""

import logging
import os
import random
import sqlite3
import threading
import time
from collections.abc import Callable
from typing import TypeVar

from flask import Flask
from sqlalchemy import event, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import InstrumentedAttribute

from conference.extensions import db

RETRIES = 25
log = logging.getLogger(__name__)
T = TypeVar("T")


def init_app(app: Flask) -> None:
    with app.app_context():
        prepare(db.engine)


def prepare(engine: Engine) -> None:
    """SQLite: the pragmas on each new connection of an engine of the app's database (the
    session's, or check-in's own), and the checkpoints in a thread of their own."""
    if engine.dialect.name != "sqlite":
        return
    path = engine.url.database
    on_disk = bool(path) and path != ":memory:"

    def prepare_connection(dbapi_connection, _record) -> None:
        _sqlite_pragmas(dbapi_connection)
        if on_disk:
            _checkpoint_in_background(path)

    event.listen(engine, "connect", prepare_connection)


# SQLite copies its log into the database file (a checkpoint) in whichever request's commit
# crosses 1,000 pages: 5 to 25 ms for that scan, about 90 times in 9,000 scans. Here a thread
# in each process checkpoints every second instead, so no request waits for it, and each
# checkpoint copies once the few index pages that a second of scans rewrote many times
# (measured in one process: 0.55 ms of CPU a scan instead of 0.68). SQLite's own checkpoint
# stays, at a higher threshold, in case the thread stops.
CHECKPOINT_SECONDS = 1.0
FALLBACK_CHECKPOINT_PAGES = 20000
_checkpointers: dict[str, tuple[int, threading.Thread]] = {}
_checkpointers_lock = threading.Lock()


def _sqlite_pragmas(dbapi_connection) -> None:
    cursor = dbapi_connection.cursor()
    # SQLite checks foreign keys only when each connection asks; PostgreSQL always does.
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA wal_autocheckpoint={FALLBACK_CHECKPOINT_PAGES}")
    cursor.close()


def _checkpoint_in_background(path: str) -> None:
    """One checkpointing thread per process and database file (gunicorn forks its workers after
    loading the app, so each worker starts its own)."""
    with _checkpointers_lock:
        running = _checkpointers.get(path)
        if running and running[0] == os.getpid() and running[1].is_alive():
            return
        thread = threading.Thread(target=_checkpoint_forever, args=(path,), name=f"checkpoint {path}", daemon=True)
        _checkpointers[path] = (os.getpid(), thread)
        thread.start()


def checkpoint(connection: sqlite3.Connection) -> tuple[int, int]:
    """One passive checkpoint: (pages in the log, pages of it now in the database file).
    PASSIVE waits for no reader or writer and never calls the busy handler; while another
    process checkpoints, it returns at once."""
    _busy, logged, copied = connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
    return logged, copied


def _checkpoint_forever(path: str) -> None:
    connection = sqlite3.connect(path, check_same_thread=False)
    while True:
        time.sleep(CHECKPOINT_SECONDS)
        try:
            checkpoint(connection)
        except sqlite3.Error:
            log.warning("background checkpoint of %s failed; SQLite checkpoints on its own", path, exc_info=True)
            return


def hold_rows(column: InstrumentedAttribute, ids) -> None:
    """Hold these rows of `column`'s table until the commit, so that two transactions changing
    them go one after the other: an UPDATE that sets `column` to itself changes nothing, yet
    locks the rows on PostgreSQL and makes this the one writing transaction on SQLite. Ids in
    order, so that two holders never wait for each other."""
    ids = sorted(set(ids))
    if ids:
        model = column.class_
        db.session.execute(update(model).where(model.id.in_(ids)).values({column: column})
                           .execution_options(synchronize_session=False))


def retryable(error: DBAPIError) -> bool:
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
            if not retryable(error) or attempt == RETRIES - 1:
                raise
            time.sleep(random.uniform(0.002, 0.02) * (attempt + 1))  # noqa: S311  jitter, not secrets
        except Exception:
            db.session.rollback()
            raise
    raise RuntimeError("unreachable")
