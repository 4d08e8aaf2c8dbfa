"""Database behaviour that differs between SQLite and PostgreSQL, handled in one place.

SQLite runs in WAL mode with a busy timeout, so readers never wait for the writer and writers
queue for each other. A transaction that read before another writer committed may still be
refused ("database is locked"); PostgreSQL may end one of two deadlocked transactions. Both
are safe to run again from the start, which `committed()` does.
"""

import contextlib
import fcntl
import logging
import os
import random
import sqlite3
import threading
import time
from collections.abc import Callable
from typing import TypeVar

from flask import Flask
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Dialect, Engine
from sqlalchemy.exc import DBAPIError, OperationalError

from conference.extensions import db

RETRIES = 25
log = logging.getLogger(__name__)
T = TypeVar("T")
_writer = threading.local()


def queue_to_write() -> None:
    """SQLite: wait for the database's one writer on a file lock shared by every worker
    before this transaction's first write. The kernel wakes the next in line the moment the
    lock is free, where SQLite's busy handler sleeps 1, 2, 5, 10 … ms between tries, which at
    a busy entrance costs more than the write itself. Held until the transaction ends; a
    no-op on PostgreSQL, whose row locks queue writers already. Call it before the
    transaction writes anything, or two workers may wait for each other."""
    if getattr(_writer, "fd", None) is not None or db.engine.dialect.name != "sqlite":
        return
    path = db.engine.url.database
    if not path or path == ":memory:":
        return
    if getattr(_writer, "file", None) is None or _writer.file.path != path:
        _writer.file = _LockFile(path)  # one open file per thread and database
    fcntl.flock(_writer.file.fd, fcntl.LOCK_EX)
    _writer.fd = _writer.file.fd


class _LockFile:
    """The writer lock's file, closed when its thread ends."""

    def __init__(self, path: str):
        self.path = path
        self.fd = os.open(f"{path}.writer-lock", os.O_CREAT | os.O_RDWR, 0o600)

    def __del__(self):
        os.close(self.fd)


def _writing_done(*_args) -> None:
    fd = getattr(_writer, "fd", None)
    if fd is not None:
        _writer.fd = None
        fcntl.flock(fd, fcntl.LOCK_UN)


def init_app(app: Flask) -> None:
    with app.app_context():
        _prepare(db.engine)


def _prepare(engine: Engine) -> None:
    if engine.dialect.name != "sqlite":
        return
    for moment in ("commit", "rollback", "checkin"):  # however the transaction ends
        event.listen(engine, moment, _writing_done)
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


class DriverConnection:
    """The database driver's own connection, for the few hot paths whose statements are so
    short that SQLAlchemy's Connection around them would cost as much as they do. Keeps
    SQLAlchemy's dialect for the SQL's flavour and for reading the driver's errors."""

    def __init__(self, dialect: Dialect, dbapi_connection, invalidate: Callable[[BaseException], None]):
        self.dialect, self.dbapi_connection, self.invalidate = dialect, dbapi_connection, invalidate

    @classmethod
    def of_session(cls) -> "DriverConnection":
        """The session's connection, inside the session's transaction."""
        connection = db.session.connection()
        return _SessionConnection(connection.dialect, connection.connection.dbapi_connection, connection.invalidate)

    def rollback(self) -> None:
        raise NotImplementedError

    def error(self, error: Exception, statement: str, params: tuple, cursor=None) -> DBAPIError:
        """The driver's error as SQLAlchemy raises it, so that committed() knows whether to start
        again; a connection found dead is invalidated."""
        lost = self.dialect.is_disconnect(error, self.dbapi_connection, cursor)
        if lost:
            self.invalidate(error)
        return DBAPIError.instance(statement, params, error, self.dialect.loaded_dbapi.Error, dialect=self.dialect,
                                   connection_invalidated=lost)


class _SessionConnection(DriverConnection):
    def rollback(self) -> None:
        db.session.rollback()


class _OwnConnection(DriverConnection):
    """A connection checked out of the pool for one transaction of committed_on_own_connection."""

    def __init__(self, dialect: Dialect, pooled):
        super().__init__(dialect, pooled.dbapi_connection, pooled.invalidate)
        self.pooled, self.ended = pooled, False

    def rollback(self) -> None:
        self.ended = True
        try:
            self.dbapi_connection.rollback()
        finally:
            _writing_done()

    def run(self, work: Callable[[DriverConnection], T]) -> T:
        try:
            with _pipelined(self):
                result = work(self)
                if not self.ended:
                    self.dbapi_connection.commit()
        except self.dialect.loaded_dbapi.Error as error:  # the commit's own (work raises SQLAlchemy's)
            raise self.error(error, "COMMIT", ()) from error
        self.ended = True
        _writing_done()
        return result

    def abandon(self) -> None:
        """After a failure: roll back, and give the connection back to the pool (the pool
        replaces it if it was found dead)."""
        if self.pooled.is_valid and not self.ended:
            with contextlib.suppress(Exception):
                self.dbapi_connection.rollback()
        _writing_done()
        self.pooled.close()


def _pipelined(connection: DriverConnection):
    """psycopg's pipeline mode: BEGIN travels with the first statement and COMMIT does not wait
    on its own, two round trips fewer a transaction. SQLite has no round trips to save."""
    if connection.dialect.name != "postgresql":
        return contextlib.nullcontext()
    return connection.dbapi_connection.pipeline()


_own_engines: dict[int, Engine] = {}


def _own_engine() -> Engine:
    """The app's database with a pool of its own, so that a request holding the session's
    connection never waits for a second one from the same pool; and without the pool's ping
    before each checkout (on PostgreSQL a round trip of its own): a connection found dead is
    replaced and the work started again instead."""
    engine = db.engine
    if engine.dialect.name == "sqlite" and engine.url.database in (None, "", ":memory:"):
        return engine  # a second engine would open a second, empty database
    if id(engine) not in _own_engines:
        # PostgreSQL answers a hot path before its log reaches the disk (a fraction of a second
        # later): a crash in between could forget the last scans, never admit a badge twice at
        # once. Set once per connection, not per transaction; the session's work still waits.
        options = {"connect_args": {"options": "-c synchronous_commit=off"}} if engine.dialect.name == "postgresql" else {}
        _own_engines[id(engine)] = create_engine(engine.url, pool_pre_ping=False, pool_recycle=1800, **options)
        _prepare(_own_engines[id(engine)])
    return _own_engines[id(engine)]


# One driver connection per process stays checked out of the pool between hot-path
# transactions: no checkout, reset and checkin around each, which cost as much as SQLAlchemy's
# Connection did. Only one waits here; the others go back to the pool, so that threads
# waiting for the pool are never starved.
_parked: dict[tuple[int, int], object] = {}


def committed_on_own_connection(work: Callable[[DriverConnection], T]) -> T:
    """committed() for the few hot paths where the session's bookkeeping costs more than the
    work: `work` gets a driver connection of its own, outside the session, in a transaction
    that this commits (on PostgreSQL without waiting for the disk, see _own_engine). A
    connection found dead (after a database restart) is replaced and the work started again,
    so no request fails for it."""
    engine = _own_engine()
    place = (os.getpid(), id(engine))  # a forked worker never uses its parent's connection
    for attempt in range(RETRIES):
        connection = _OwnConnection(engine.dialect, _parked.pop(place, None) or engine.raw_connection())
        try:
            result = connection.run(work)
        except DBAPIError as error:
            connection.abandon()
            if not (_retryable(error) or error.connection_invalidated) or attempt == RETRIES - 1:
                raise
        except BaseException:
            connection.abandon()
            raise
        else:
            if _parked.setdefault(place, connection.pooled) is not connection.pooled:
                connection.pooled.close()
            return result
        time.sleep(random.uniform(0.002, 0.02) * (attempt + 1))  # noqa: S311  jitter, not secrets
    raise RuntimeError("unreachable")
