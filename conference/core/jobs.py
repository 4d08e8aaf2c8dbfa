"""Background jobs (Huey), the job row they report on, and work that must wait for the commit.

Huey keeps its queue in Redis when REDIS_URL is set, otherwise in SQLite under instance/.
Development runs jobs at once in the web process (HUEY_IMMEDIATE); production runs
`huey_consumer conference.jobs.huey` beside gunicorn.

A long piece of work (a batch of badges, the handbook, rooming lists) is a `Job` row: `start()`
makes it where it is asked for, the domain's Huey task hands `run()` the service that does the
work. The job commits its own progress, each time on a short transaction of its own, and the
service's writes with its result at the end; the service itself never commits.
"""

import secrets
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from flask import Flask, current_app, has_app_context
from sqlalchemy import event, select, update
from sqlalchemy.orm import Session as OrmSession

from conference.core.models import Job, utcnow
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


@dataclass(frozen=True)
class JobKind:
    """What a domain's kind of job is to the progress page: who may see it and its file, its
    title, the link to its file, the file's name, the page it came from."""

    permission: str
    title: object  # lazy strings, read in the reader's language
    download: object
    suffix: str  # of the result file: ".pdf", ".xlsx"
    file_name: Callable[[Job], str]
    back: Callable[[Job], tuple[str, str]]  # (label, URL)
    skipped: object | None = None  # "… skipped: %(n)d."
    # What the permission is checked against (a working group's batch: its lead, no other);
    # None: the permission alone decides.
    subject: Callable[[Job], object] | None = None
    # The audit action written when the file is fetched (it holds other people's records).
    audit_download: str | None = None


KINDS: dict[str, JobKind] = {}


def job_kind(name: str, kind: JobKind) -> None:
    """Declared by the domain's task module, which the web app and the consumer both import."""
    KINDS[name] = kind


Report = Callable[[int, int], None]  # report(done, total)
Work = Callable[[Job, Path, Report], None]  # writes the result file at the path given


def start(kind: str, params: dict, edition_id: int | None = None, actor=None) -> Job:
    """A queued job, in the caller's transaction: queue its task once that has committed."""
    if kind not in KINDS:
        raise KeyError(f"unknown kind of job {kind!r}")
    job = Job(kind=kind, edition_id=edition_id, params=params, requested_by=actor.email if actor else "cli")
    db.session.add(job)
    db.session.flush()
    return job


def get_job(job_id: int) -> Job | None:
    return db.session.execute(select(Job).where(Job.id == job_id)).scalar_one_or_none()


def result_folder() -> Path:
    folder = Path(current_app.config["INSTANCE_DIR"]) / "jobs"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def result_path(job: Job) -> Path | None:
    return Path(current_app.config["INSTANCE_DIR"]) / job.file_path if job.status == "done" and job.file_path else None


def purge_results(edition_id: int, dry_run: bool) -> int:
    """The retention purge's part of jobs: an edition's result files (badges, rooming lists,
    certificates) hold people's data; they go from disk once the purge has committed."""
    done = db.session.execute(select(Job).where(Job.edition_id == edition_id, Job.file_path.is_not(None))).scalars().all()
    if not dry_run:
        for job in done:
            after_commit((Path(current_app.config["INSTANCE_DIR"]) / job.file_path).unlink, True)
            job.file_path = None
        db.session.flush()
    return len(done)


def run(job_id: int, work: Work) -> None:
    """Do a job's work and keep its outcome: the file and the work's writes committed together,
    or, if the work raises, nothing of it but the failure and its message (raised again, for
    the consumer's log)."""
    _save(job_id, status="running", started_at=utcnow())
    name = f"{secrets.token_hex(12)}{KINDS[db.session.get(Job, job_id).kind].suffix}"
    target = result_folder() / name

    def report(done: int, total: int) -> None:
        _save(job_id, done=done, total=total)

    try:
        work(db.session.get(Job, job_id), target, report)
        job = db.session.get(Job, job_id)
        job.file_path, job.status, job.finished_at = f"jobs/{name}", "done", utcnow()
        db.session.commit()
    except Exception as error:
        db.session.rollback()
        target.unlink(missing_ok=True)
        _save(job_id, status="failed", error=str(error)[:500], finished_at=utcnow())
        raise


def _save(job_id: int, **values) -> None:
    """The job's own short transaction, on a connection apart from the work's session."""
    with db.engine.begin() as connection:
        connection.execute(update(Job.__table__).where(Job.__table__.c.id == job_id).values(**values, updated_at=utcnow()))


def after_commit(task, *args) -> None:
    """Queue `task(*args)` once the current transaction has committed; drop it on rollback."""
    db.session.info.setdefault("after_commit", []).append((task, args))


def after_rollback(task, *args) -> None:
    """Run `task(*args)` if the current transaction rolls back, to undo what it did outside the
    database (a file written for it); drop it on commit."""
    db.session.info.setdefault("after_rollback", []).append((task, args))


@event.listens_for(OrmSession, "after_commit")
def _run_after_commit(session) -> None:
    session.info.pop("after_rollback", None)
    for task, args in session.info.pop("after_commit", []):
        task(*args)


@event.listens_for(OrmSession, "after_rollback")
def _run_after_rollback(session) -> None:
    session.info.pop("after_commit", None)
    for task, args in session.info.pop("after_rollback", []):
        task(*args)


def init_app(app: Flask) -> None:
    huey.immediate = app.config["HUEY_IMMEDIATE"]
