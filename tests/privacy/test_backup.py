"""Backups: one archive readable by its owner only, without the PII_KEY, restored into an empty
database only, with its files, purging again what is past its period."""

import json
import os
import stat
import tarfile
from pathlib import Path

import flask_migrate
import pytest
from sqlalchemy import create_engine, make_url, select, text

from conference import create_app
from conference.core import clock, pii
from conference.extensions import db
from conference.people.models import Person
from conference.privacy.backup import row_counts
from conference.registration.models import Registration
from tests.privacy import world


def empty_app(app, tmp_path: Path, name: str, migrated: bool = False):
    """An app like the tests' own (the same PII_KEY: TestingConfig's), on a database with nothing in it."""
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() == "sqlite":
        target = f"sqlite:///{tmp_path / f'{name}.db'}"
    else:
        admin = create_engine(url, isolation_level="AUTOCOMMIT")
        database = f"{url.database}_{name}"
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
            connection.execute(text(f"CREATE DATABASE \"{database}\" ENCODING 'UTF8' TEMPLATE template0"))
        admin.dispose()
        target = url.set(database=database).render_as_string(hide_password=False)
    moment = clock.now()
    made = create_app({"SQLALCHEMY_DATABASE_URI": target, "INSTANCE_DIR": str(tmp_path / f"{name}-instance")})
    clock.freeze(moment)  # creating an app sets the one clock from its configuration
    if migrated:  # its tables made and empty, as `flask db upgrade` leaves a new database
        with made.app_context():
            flask_migrate.upgrade()
    return made


@pytest.fixture
def archive(app, demo_clock, tmp_path):
    with app.test_request_context():
        built = world.build(app)
    out = tmp_path / "backup.tar.gz"
    key = Path(app.config["INSTANCE_DIR"]) / "pii.key"  # where development keeps its key
    key.write_text("not-to-be-copied")
    plans = Path(app.config["INSTANCE_DIR"]) / "floor-plans"  # a kept image of the venues domain
    plans.mkdir(exist_ok=True)
    (plans / "backup-test-plan.png").write_bytes(b"plan")
    try:
        made = app.test_cli_runner().invoke(args=["backup", "--out", str(out)])
    finally:
        key.unlink()
    assert made.exit_code == 0, made.output
    with tarfile.open(out) as opened:
        counts = json.load(opened.extractfile("manifest.json"))["rows"]
    return out, built, counts


def test_a_backup_is_the_owners_alone_holds_the_files_and_never_the_key(app, archive):
    out, built, _counts = archive
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o600
    with tarfile.open(out) as opened:
        names = opened.getnames()
    assert f"files/photos/{built.photo.name}" in names and f"files/jobs/{built.job_file.name}" in names
    assert "files/floor-plans/backup-test-plan.png" in names  # every kind of kept image, not a list kept by hand
    assert {"manifest.json"} < set(names) and ({"database.sqlite", "database.pgdump"} & set(names))
    assert not [name for name in names if "pii.key" in name]
    with tarfile.open(out) as opened:
        assert not any(b"not-to-be-copied" in opened.extractfile(member).read() for member in opened if member.isfile())
    again = app.test_cli_runner().invoke(args=["backup", "--out", str(out)])
    assert again.exit_code != 0 and "exists already" in again.output


def test_a_restore_brings_back_every_row_and_file_and_refuses_a_database_not_empty(app, archive, tmp_path):
    out, built, counts = archive
    target = empty_app(app, tmp_path, "restored", migrated=True)
    restored = target.test_cli_runner().invoke(args=["restore", str(out)])
    assert restored.exit_code == 0, restored.output
    with target.app_context():
        now = row_counts()
        assert now.pop("audit_entries") == counts.pop("audit_entries") + 1  # the restore's own entry
        assert {table: n for table, n in now.items() if table != "audit_entries"} == counts
        registration = db.session.get(Registration, built.registration_id)
        assert pii.unseal(registration.document_sealed) == world.DOCUMENT
        photo = db.session.get(Person, built.person_id).photo_file
    assert (tmp_path / "restored-instance" / "photos" / photo).read_bytes() == built.photo.read_bytes()
    refused = target.test_cli_runner().invoke(args=["restore", str(out)])
    assert refused.exit_code != 0 and "restore into an empty database only" in refused.output
    with target.app_context():
        db.engine.dispose()


def test_a_restore_purges_again_what_is_past_its_period(app, archive, tmp_path):
    out, built, _counts = archive
    clock.freeze(world.AFTER_THE_END)
    target = empty_app(app, tmp_path, "late")
    restored = target.test_cli_runner().invoke(args=["restore", str(out)])
    assert restored.exit_code == 0 and "2023: purged again" in restored.output
    with target.app_context():
        assert db.session.get(Registration, built.registration_id).document_sealed is None
        assert db.session.execute(select(Person.photo_file).where(Person.id == built.person_id)).scalar() is None
        db.engine.dispose()
    assert not (tmp_path / "late-instance" / "photos" / built.photo.name).exists()
    assert not (tmp_path / "late-instance" / "photos" / built.volunteer_photo.name).exists()
