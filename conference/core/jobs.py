"""Background jobs (Huey) and work that must wait for the commit.

Huey keeps its queue in Redis when REDIS_URL is set, otherwise in SQLite under instance/.
Development runs jobs at once in the web process (HUEY_IMMEDIATE); production runs
`huey_consumer conference.jobs.huey` beside gunicorn.
"""

from contextlib import contextmanager

from flask import Flask, current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session as OrmSession

from conference.extensions import db, huey

_worker_app: Flask | None = None


@contextmanager
def app_context():
    """The app for a job: the caller's when run at once, a worker's own otherwise."""
    global _worker_app
    if has_app_context():
        yield current_app
        return
    if _worker_app is None:
        from conference import create_app

        _worker_app = create_app()
    with _worker_app.app_context():
        yield _worker_app


def after_commit(task, *args) -> None:
    """Queue `task(*args)` once the current transaction has committed; drop it on rollback."""
    db.session.info.setdefault("after_commit", []).append((task, args))


@event.listens_for(OrmSession, "after_commit")
def _run_after_commit(session) -> None:
    for task, args in session.info.pop("after_commit", []):
        task(*args)


@event.listens_for(OrmSession, "after_rollback")
def _forget_after_rollback(session) -> None:
    session.info.pop("after_commit", None)


def init_app(app: Flask) -> None:
    huey.immediate = app.config["HUEY_IMMEDIATE"]
