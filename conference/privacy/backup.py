"""Backups: one archive, readable by its owner only, holding a consistent copy of the database
(SQLite's online backup API, or pg_dump's custom format) and the files the app keeps under its
instance folder (photos, job results, hotel maps). Never the PII_KEY: a backup is useless
without the key, which is kept apart. A restore goes into an empty database only, brings the
files back, and purges again what the retention periods say must be gone."""

import io
import json
import os
import sqlite3
import subprocess
import tarfile
import tempfile
from pathlib import Path

from flask import current_app
from sqlalchemy import func, inspect, select, text

from conference.core import images
from conference.core.errors import Refusal
from conference.core.models import utcnow
from conference.extensions import db


# The instance folder's subfolders that hold what the database points at: people's photos, jobs'
# files and every kind of kept image (hotel maps, floor plans); pii.key, the Huey queue, import
# previews (kept two hours), kept handbooks (made again from their inputs) and the mail outbox
# of development stay out.
def stored_folders() -> tuple[str, ...]:
    return ("photos", "jobs", *images.KEPT_FOLDERS)
DUMPS = {"sqlite": "database.sqlite", "postgresql": "database.pgdump"}


class BackupError(Refusal):
    pass


def row_counts() -> dict[str, int]:
    return {table.name: db.session.execute(select(func.count()).select_from(table)).scalar_one()
            for table in db.metadata.sorted_tables}


def _libpq(url) -> tuple[str, dict]:
    """A libpq address without the password, which goes in the environment (not in `ps`)."""
    environment = dict(os.environ)
    if url.password:
        environment["PGPASSWORD"] = url.password
    return url.set(drivername="postgresql", password=None).render_as_string(hide_password=False), environment


def _dump(target: Path) -> None:
    engine = db.engine
    if engine.dialect.name == "sqlite":
        raw = engine.raw_connection()
        try:
            copy = sqlite3.connect(target)
            raw.driver_connection.backup(copy)  # a consistent snapshot while the app writes
            copy.close()
        finally:
            raw.close()
        return
    address, environment = _libpq(engine.url)
    # No shell; PostgreSQL's client tools from PATH, as scripts/with-postgres.sh finds pg_ctl.
    command = ["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--file={target}", address]
    subprocess.run(command, check=True, env=environment, capture_output=True)  # noqa: S603, S607


def make_backup(out: Path) -> dict:
    """Write the archive at `out` (which must not exist yet), mode 0600; returns its manifest."""
    dialect = db.engine.dialect.name
    if dialect not in DUMPS:
        raise BackupError(f"cannot back up a {dialect} database")
    instance = Path(current_app.config["INSTANCE_DIR"])
    manifest = {"made_at": utcnow().isoformat(), "database": dialect, "rows": row_counts(), "files": 0}
    try:
        handle = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError as error:
        raise BackupError(f"{out} exists already; choose a new name") from error
    try:
        with tempfile.TemporaryDirectory() as work, os.fdopen(handle, "wb") as file, \
                tarfile.open(fileobj=file, mode="w:gz") as archive:
            dump = Path(work) / DUMPS[dialect]
            _dump(dump)
            archive.add(dump, arcname=DUMPS[dialect])
            for folder in stored_folders():
                for path in sorted((instance / folder).rglob("*")) if (instance / folder).is_dir() else []:
                    if path.is_file():
                        archive.add(path, arcname=f"files/{path.relative_to(instance)}")
                        manifest["files"] += 1
            data = json.dumps(manifest, indent=1).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size, info.mode = len(data), 0o600
            archive.addfile(info, io.BytesIO(data))
    except BaseException:
        out.unlink(missing_ok=True)
        raise
    return manifest


def holds_data() -> list[str]:
    """The app's tables that hold a row (an empty database: none)."""
    present = set(inspect(db.engine).get_table_names())
    return [table.name for table in db.metadata.sorted_tables
            if table.name in present and db.session.execute(select(table).limit(1)).first() is not None]


def restore(archive_path: Path) -> dict:
    """Restore the archive into this app's database, which must be empty, and its files into
    the instance folder; returns the manifest. The caller then purges again."""
    filled = holds_data()
    if filled:
        raise BackupError(f"the database is not empty ({len(filled)} tables hold rows, such as {filled[0]}): "
                          "restore into an empty database only")
    db.session.remove()
    dialect = db.engine.dialect.name
    instance = Path(current_app.config["INSTANCE_DIR"])
    with tempfile.TemporaryDirectory() as work, tarfile.open(archive_path, "r:gz") as archive:
        try:
            manifest = json.load(archive.extractfile("manifest.json"))
        except KeyError as error:
            raise BackupError(f"{archive_path} is not a backup of this app (no manifest)") from error
        if manifest["database"] != dialect:
            raise BackupError(f"the backup is of a {manifest['database']} database, this app uses {dialect}")
        archive.extract(DUMPS[dialect], work, filter="data")
        dump = Path(work) / DUMPS[dialect]
        _load(dump, dialect)
        files = [member for member in archive.getmembers() if member.name.startswith("files/") and member.isfile()]
        for member in files:
            member.name = member.name.removeprefix("files/")
            archive.extract(member, instance, filter="data")
    db.engine.dispose()  # connections opened before the restore may remember the old schema
    return manifest


def _load(dump: Path, dialect: str) -> None:
    if dialect == "sqlite":
        raw = db.engine.raw_connection()
        try:
            source = sqlite3.connect(dump)
            source.backup(raw.driver_connection)
            source.close()
        finally:
            raw.close()
        return
    # The tables of an empty database (as `flask db upgrade` leaves it) make way for the dump's.
    db.metadata.drop_all(db.engine)
    with db.engine.begin() as connection:
        connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
    db.engine.dispose()
    address, environment = _libpq(db.engine.url)
    command = ["pg_restore", "--no-owner", "--no-privileges", "--single-transaction", f"--dbname={address}", str(dump)]
    result = subprocess.run(command, env=environment, capture_output=True, text=True)  # noqa: S603, S607
    if result.returncode:
        raise BackupError(f"pg_restore failed: {result.stderr.strip()[-500:]}")
