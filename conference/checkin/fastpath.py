"""The scan's own connection and its SQL.

A scan is a few short statements at the conference's busiest minutes. SQLAlchemy's Connection,
its pool checkout and its statement compilation around each of them would cost as much as the
database's work, so a scan sends its statements straight on the driver's connection
(DriverConnection), on a connection of its own (committed_on_own_connection), on SQLite after
queueing for the database's one writer (queue_to_write).

On PostgreSQL a scan waits for the database twice: for its badge, then for one statement that
changes the presence and records the scan (writable CTEs), which commits by itself. SQLite,
which has no writable CTEs and no round trips to save, takes the same steps one statement at a
time in one transaction. Both decide the answer from the presence by one rule, decision.py's.

Check-in's own tables are written in plain SQL. What a scan reads of other domains' tables is
what they declare for it (Badge.read_at_the_gate, Person.shown_at_the_gate, registration's
holds_confirmed_seat), composed into one statement and compiled once per process.
"""

import contextlib
import fcntl
import functools
import os
import random
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from operator import itemgetter
from typing import TypeVar

from sqlalchemy import UniqueConstraint, bindparam, create_engine, event, false, select
from sqlalchemy.engine import Dialect, Engine
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session

from conference.badges.models import Badge
from conference.checkin.decision import settle_entry
from conference.checkin.models import Scan
from conference.core.database import RETRIES, prepare, retryable
from conference.core.models import UTCDateTime
from conference.extensions import db
from conference.people.models import Person
from conference.registration.services import holds_confirmed_seat

T = TypeVar("T")
_writer = threading.local()


# The writer's queue (SQLite) ---------------------------------------------------------------


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


def _writing_done() -> None:
    fd = getattr(_writer, "fd", None)
    if fd is not None:
        _writer.fd = None
        fcntl.flock(fd, fcntl.LOCK_UN)


@event.listens_for(Session, "after_transaction_end")
def _session_transaction_ended(_session, transaction) -> None:
    """A scan in the session's transaction (the scanner page, an offline batch) queued too:
    it gives up its turn when that transaction ends, committed, rolled back or closed. The
    own connection gives it up itself (_OwnConnection)."""
    if transaction.parent is None:
        _writing_done()


# The driver's connection -------------------------------------------------------------------


class DriverConnection:
    """The database driver's own connection, for the scan's statements, which are so short
    that SQLAlchemy's Connection around them would cost as much as they do. Keeps
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

    def error(self, error: Exception, statement: str, params: tuple | dict, cursor=None) -> DBAPIError:
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
    """A connection checked out of the pool for one call of committed_on_own_connection."""

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
            result = work(self)
            if not self.ended:
                self.dbapi_connection.commit()  # on PostgreSQL there is nothing left to commit
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


_own_engines: dict[int, Engine] = {}


def _own_engine() -> Engine:
    """The app's database with a pool of its own, so that a request holding the session's
    connection never waits for a second one from the same pool; and without the pool's ping
    before each checkout (on PostgreSQL a round trip of its own): a connection found dead is
    replaced and the work started again instead.

    On PostgreSQL each statement commits as it ends (autocommit): a BEGIN and a COMMIT would
    each cost a wait of their own (psycopg's pipeline mode saves neither: it waits for BEGIN
    before the first statement, and again when it leaves the pipeline), and the scan writes in
    one statement (change_and_record)."""
    engine = db.engine
    if engine.dialect.name == "sqlite" and engine.url.database in (None, "", ":memory:"):
        return engine  # a second engine would open a second, empty database
    if id(engine) not in _own_engines:
        # PostgreSQL answers a scan before its log reaches the disk (a fraction of a second
        # later): a crash in between could forget the last scans, never admit a badge twice at
        # once. Set once per connection, not per transaction; the session's work still waits.
        options = {"connect_args": {"options": "-c synchronous_commit=off"}, "isolation_level": "AUTOCOMMIT"} \
            if engine.dialect.name == "postgresql" else {}
        _own_engines[id(engine)] = create_engine(engine.url, pool_pre_ping=False, pool_recycle=1800, **options)
        prepare(_own_engines[id(engine)])
    return _own_engines[id(engine)]


# One driver connection per process stays checked out of the pool between scans: no checkout,
# reset and checkin around each, which cost as much as SQLAlchemy's Connection did. Only one
# waits here; the others go back to the pool, so that threads waiting for the pool are never
# starved.
_parked: dict[tuple[int, int], object] = {}


def committed_on_own_connection(work: Callable[[DriverConnection], T]) -> T:
    """committed() for the scan, where the session's bookkeeping costs more than the work:
    `work` gets a driver connection of its own, outside the session; on SQLite in a
    transaction that this commits, on PostgreSQL with each statement committed as it ends, so
    `work` writes in one statement there (see _own_engine; without waiting for the disk). A
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
            if not (retryable(error) or error.connection_invalidated) or attempt == RETRIES - 1:
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


# The scan's statements -----------------------------------------------------------------------


def _badge(invitation_only: bool):
    """The badge, its holder, and at an invitation-only entrance whether the holder holds a
    seat in its session."""
    holds = holds_confirmed_seat(Badge.person_id, bindparam("session_id")) if invitation_only else false()
    return (select(*Badge.read_at_the_gate(), *Person.shown_at_the_gate(), holds.label("holds_session"))
            .join(Badge.person).where(Badge.id == bindparam("badge_id"), Badge.edition_id == bindparam("edition_id")))


# What a scan finds of its badge's presence in the area, as one number in SQL (no row: 0): the
# (inside, entered before) that decision.settle_entry reads. CHANGED: the scan itself let the
# person in or out.
FOUND = {0: (False, False), 1: (False, True), 2: (True, False), 3: (True, True)}
CHANGED = -1
ANSWERED = (CHANGED, *FOUND)
_FOUND = "CASE WHEN presences.inside THEN 2 ELSE 0 END + CASE WHEN presences.entries > 0 THEN 1 ELSE 0 END"


@functools.cache
def _admits(reentry: bool) -> str:
    """settle_entry's admission as SQL: the presences it lets in at an entrance with or without
    re-entry. The conditional upsert applies it, so that of two doors one admits."""
    codes = [code for code, (inside, before) in FOUND.items() if settle_entry(inside, before, reentry)[0] == "admitted"]
    return f"({_FOUND}) IN ({', '.join(map(str, codes))})"


# Check-in's own tables, in plain SQL with ? for each parameter; PostgreSQL's own with %(name)s.
_SQL = {
    # Of two doors scanning one badge at once, exactly one gets a row back. A badge the area has
    # never seen is let in by every rule (settle_entry(False, False, …)).
    "enter": """INSERT INTO presences (badge_id, area, inside, entries, changed_at) VALUES (?, ?, ?, 1, ?)
        ON CONFLICT (badge_id, area) DO UPDATE SET inside = excluded.inside, entries = presences.entries + 1,
        changed_at = excluded.changed_at WHERE {admits} RETURNING id""",
    "leave": "UPDATE presences SET inside = ?, changed_at = ? WHERE badge_id = ? AND area = ? AND inside = ? RETURNING id",
    "leave_other_halls": """UPDATE presences SET inside = ?, changed_at = ?
        WHERE badge_id = ? AND area <> ? AND area LIKE 'hall:%%' AND inside = ?""",
    "found": "SELECT {found} FROM presences WHERE badge_id = ? AND area = ?",
    "record": """INSERT INTO scans (edition_id, checkpoint_id, client_scan_id, device, device_id, kind, badge_id,
        result, why, reason, scanned_at, received_at, offline_result, conflict)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (device_id, client_scan_id) DO NOTHING RETURNING id""",
    # PostgreSQL: "enter" or "leave" (with "leave_other_halls"), "found" and "record" as one
    # statement, one wait (SQLite has no writable CTEs). The answer recorded is the row of
    # `answers` for what the change found. A scan this device sent
    # before changes and records nothing; a copy sent at the same moment passes that check, but
    # the unique index refuses its record, which undoes the whole statement and its change.
    "change_and_record": """WITH repeated AS (SELECT FROM scans WHERE device_id = %(device_id)s
            AND client_scan_id = %(client_scan_id)s),
        found AS (SELECT {found} AS code FROM presences WHERE badge_id = %(badge_id)s AND area = %(area)s),
        changed AS ({change}){other_halls}
        INSERT INTO scans (edition_id, checkpoint_id, client_scan_id, device, device_id, kind, badge_id,
            result, why, reason, scanned_at, received_at, offline_result, conflict)
        SELECT %(edition_id)s, %(checkpoint_id)s, %(client_scan_id)s, %(device)s, %(device_id)s, %(kind)s,
            %(badge_id)s, answer.result, answer.why, answer.reason, %(scanned_at)s, %(received_at)s,
            %(offline_result)s, answer.conflict
        FROM (VALUES {answers}) AS answer (code, result, why, reason, conflict)
        WHERE answer.code = CASE WHEN EXISTS (SELECT FROM changed) THEN {changed}
                                 ELSE COALESCE((SELECT code FROM found), 0) END
            AND NOT EXISTS (SELECT FROM repeated)
        RETURNING id, result, why, reason, conflict""",
    "pg_enter": """INSERT INTO presences (badge_id, area, inside, entries, changed_at)
        SELECT %(badge_id)s, %(area)s, true, 1, %(now)s WHERE NOT EXISTS (SELECT FROM repeated)
        ON CONFLICT (badge_id, area) DO UPDATE SET inside = true, entries = presences.entries + 1,
        changed_at = excluded.changed_at WHERE {admits} RETURNING id""",
    "pg_leave": """UPDATE presences SET inside = false, changed_at = %(now)s
        WHERE badge_id = %(badge_id)s AND area = %(area)s AND inside AND NOT EXISTS (SELECT FROM repeated) RETURNING id""",
    "pg_leave_other_halls": """, other_halls AS (UPDATE presences SET inside = false, changed_at = %(now)s
        WHERE badge_id = %(badge_id)s AND area <> %(area)s AND area LIKE 'hall:%%' AND inside AND EXISTS (SELECT FROM changed))""",
    # The device holding a bearer token (see services.device_for_token).
    "device": """SELECT id, name, checkpoint_id, edition_id, revoked_at, valid_from, valid_until, user_id
        FROM scanner_devices WHERE token_hash = ?""",
    # A device's health: what it still has to send, its last sync, its last call (see services.note_health).
    "health": """UPDATE scanner_devices SET unsent = COALESCE(?, unsent), last_sync_at = COALESCE(?, last_sync_at),
        last_seen_at = ? WHERE id = ?""",
}
_ROWS = {"badge", "device", "enter", "found", "leave", "record", "change_and_record"}
_ANSWER = ("result", "why", "reason", "conflict")


def _spelled(name: str, parts: dict) -> str:
    """A statement of _SQL with its fragments."""
    fragments = {"found": _FOUND, "changed": CHANGED}
    if "reentry" in parts:
        fragments["admits"] = _admits(parts["reentry"])
    if name == "change_and_record":
        fragments["change"] = _SQL[f"pg_{parts['change']}"].format(**fragments)
        fragments["other_halls"] = _SQL["pg_leave_other_halls"] if parts["other_halls"] else ""
        fragments["answers"] = ", ".join(f"({code}, " + ", ".join(f"%({column}{index})s" for column in _ANSWER) + ")"
                                         for index, code in enumerate(ANSWERED))
    return _SQL[name].format(**fragments)


class _Prepared:
    """A statement in the connection's flavour: its SQL; for a composed one, the values it
    carries itself (such as a status it compares with), what puts its named parameters in
    order (None when they travel by name) and its columns' names."""

    __slots__ = ("sql", "carried", "order", "names")

    def __init__(self, name: str, dialect: Dialect, parts: dict):
        if name == "badge":
            statement = _badge(**parts)
            compiled = statement.compile(dialect=dialect)
            self.sql, self.carried, self.names = compiled.string, compiled.params, tuple(statement.selected_columns.keys())
            self.order = itemgetter(*compiled.positiontup) if compiled.positional else None  # two or more: a tuple
            return
        sql = _spelled(name, parts)
        self.sql = sql.replace("?", "%s") if dialect.name == "postgresql" else sql.replace("%%", "%")
        self.carried = self.order = self.names = None


_prepared: dict[tuple, _Prepared] = {}


class Row:
    """A result row by column name."""

    __slots__ = ("_values",)

    def __init__(self, names: tuple[str, ...], values):
        self._values = dict(zip(names, values, strict=True))

    def __getattr__(self, name):
        return self._values[name]


def _run(connection: DriverConnection, name: str, params: tuple | dict, parts: dict) -> tuple[_Prepared, tuple | None]:
    """One of the statements above, straight on the driver's connection, and its first row."""
    key = (name, connection.dialect.name, *parts.values())
    if key not in _prepared:
        _prepared[key] = _Prepared(name, connection.dialect, parts)
    prepared = _prepared[key]
    if prepared.carried is not None:
        params = prepared.carried | params
        if prepared.order is not None:
            params = prepared.order(params)
    if connection.dialect.name == "sqlite":
        # SQLite keeps UTC timestamps as naive text, as SQLAlchemy's DateTime writes them
        params = tuple(value.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")
                       if isinstance(value, datetime) else value for value in params)
    cursor = connection.dbapi_connection.cursor()
    try:
        cursor.execute(prepared.sql, params)
        return prepared, cursor.fetchone() if name in _ROWS else None
    except connection.dialect.loaded_dbapi.Error as error:
        raise connection.error(error, prepared.sql, params, cursor) from error
    finally:
        cursor.close()


def run(connection: DriverConnection, name: str, params: tuple, **parts) -> tuple | None:
    """A statement, and its first row if it returns rows."""
    return _run(connection, name, params, parts)[1]


def badge_row(connection: DriverConnection, badge_id: int, edition_id: int, session_id: int | None) -> Row | None:
    """The edition's badge and its holder, and whether the holder holds a confirmed seat in
    `session_id` (an invitation-only entrance's session; without one, false)."""
    params = {"badge_id": badge_id, "edition_id": edition_id}
    if session_id is not None:
        params["session_id"] = session_id
    prepared, found = _run(connection, "badge", params, {"invitation_only": session_id is not None})
    return Row(prepared.names, found) if found else None


def device_row(connection: DriverConnection, token_hash: str) -> tuple | None:
    """(id, name, checkpoint_id, edition_id, revoked_at, valid_from, valid_until, user_id) of
    the device holding the token of this hash, its times aware UTC as the models give them."""
    found = run(connection, "device", (token_hash,))
    return None if found is None else (*found[:4], *map(_utc, found[4:7]), found[7])


def _utc(value: datetime | str | None) -> datetime | None:
    """A stored time read straight from the driver (SQLite's is text) as UTCDateTime gives it."""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return _STORED_TIME.process_result_value(moment, None)


_STORED_TIME = UTCDateTime()


# A scan's record: (id, result, why, reason, conflict); None when its device sent it before.
Recorded = tuple[int, str, str, str, bool]
_SCAN_ONCE = next(constraint.name for constraint in Scan.__table__.constraints if isinstance(constraint, UniqueConstraint))


def _columns(values: dict, answer: tuple[str, str, str, bool]) -> tuple:
    result, why, reason, conflict = answer
    return (values["edition_id"], values["checkpoint_id"], values["client_scan_id"], values["device"],
            values["device_id"], values["kind"], values["badge_id"], result, why, reason, values["scanned_at"],
            values["received_at"], values["offline_result"], conflict)


def record(connection: DriverConnection, values: dict, answer: tuple[str, str, str, bool]) -> Recorded | None:
    """Record a scan that changes no presence, with its answer (result, why, reason, conflict)."""
    recorded = run(connection, "record", _columns(values, answer))
    return (recorded[0], *answer) if recorded else None


def change_and_record(connection: DriverConnection, values: dict, change: str, answers: dict[int, tuple],
                      reentry: bool, other_halls: bool) -> Recorded | None:
    """Let the badge into the scan's area ("enter", by the entrance's re-entry rule; with
    `other_halls`, out of the other halls) or out of it ("leave"), and record the scan with
    the answer for what the change found: answers[CHANGED] if it let the person in or out,
    else the answer for the presence found (its code in FOUND). None when the device sent
    this scan before: the caller rolls back whatever changed (on PostgreSQL nothing did)."""
    if connection.dialect.name == "postgresql":
        params = values | {f"{column}{index}": value for index, code in enumerate(ANSWERED)
                           for column, value in zip(_ANSWER, answers[code], strict=True)}
        try:
            return run(connection, "change_and_record", params, change=change, reentry=reentry, other_halls=other_halls)
        except IntegrityError as error:
            if getattr(getattr(error.orig, "diag", None), "constraint_name", None) != _SCAN_ONCE:
                raise
            return None  # a copy of this scan was recorded a moment ago
    badge_id, area, now = values["badge_id"], values["area"], values["now"]
    if change == "enter":
        changed = run(connection, "enter", (badge_id, area, True, now), reentry=reentry) is not None
        if changed and other_halls:
            run(connection, "leave_other_halls", (False, now, badge_id, area, True))
    else:
        changed = run(connection, "leave", (False, now, badge_id, area, True)) is not None
    found = CHANGED if changed else (run(connection, "found", (badge_id, area)) or (0,))[0]
    return record(connection, values, answers[found])
