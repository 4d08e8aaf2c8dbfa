"""The retention purge: nothing before the period is over, a dry run that changes nothing, then
every declared kind of personal data erased (files from disk too) while the statistics stay."""

import os

import pytest
from sqlalchemy import func, select

from conference.core import clock
from conference.core.domains import installed
from conference.core.models import AuditEntry, Job
from conference.core.retention import erasures
from conference.editions.services import get_edition
from conference.extensions import db
from conference.hotels.models import Journey, RoomingListSent, Stay, Traveller
from conference.people.models import Person
from conference.privacy import jobs, retention
from conference.registration import services as registration
from conference.registration.models import Consent, Registration
from conference.volunteers.models import ServiceRecord, Volunteer
from tests.conftest import login, make_user
from tests.privacy import world


@pytest.fixture
def built(app, demo_clock):
    with app.test_request_context():
        return world.build(app)


def test_before_the_period_is_over_nothing_goes(app, built):
    clock.freeze(world.BEFORE_THE_END)
    with app.app_context():
        outcome = retention.purge_edition(get_edition(2023))
        db.session.commit()
        assert not outcome.due and outcome.counts == []
        assert str(outcome.purge_from) == "2024-01-16"
        assert db.session.get(Person, built.person_id).phone_sealed is not None
        assert db.session.execute(select(func.count(AuditEntry.id)).where(AuditEntry.action == "privacy.purge")).scalar() == 0
    assert built.photo.exists() and built.volunteer_photo.exists() and built.job_file.exists()


def test_a_dry_run_counts_by_kind_and_changes_nothing(app, built):
    clock.freeze(world.AFTER_THE_END)
    with app.test_request_context(headers={"Accept-Language": "en"}):
        outcome = retention.purge_edition(get_edition(2023), dry_run=True)
        db.session.commit()
        counts = dict(outcome.counts)
        assert counts["photos of people (files deleted)"] == 2  # the attendee's, the volunteer's badge's
        assert counts["photos of volunteers (files deleted)"] == 1
        assert counts["arrivals and departures"] == 1
        assert counts["registrations.document_sealed"] == 1
        assert counts["people.phone_sealed"] == 1
        assert counts["travellers.document_consent_at"] == 2
        assert counts["rooming_lists_sent.lines"] == 1
        assert counts["volunteers.emergency_phone_sealed"] == 1
        assert counts["files made by jobs (badges, rooming lists, certificates)"] == 1
        speakers = db.session.execute(select(func.count(Person.id)).where(Person.public_profile.is_(True))).scalar()
        everyone = db.session.execute(select(func.count(Person.id))).scalar()
        assert counts["names of people made initials, profiles emptied (published speakers keep theirs)"] == everyone - speakers  # public speakers keep their names
        person = db.session.get(Person, built.person_id)
        assert person.phone_sealed and person.photo_file and person.family_name == "林"
        assert db.session.execute(select(func.count(Journey.id))).scalar() == 1
    assert built.photo.exists() and built.volunteer_photo.exists() and built.job_file.exists()


def test_the_purge_erases_every_declared_kind_and_keeps_the_statistics(app, built, client):
    with app.app_context():
        before = registration.counts(get_edition(2023))
    clock.freeze(world.AFTER_THE_END)
    with app.app_context():
        outcome = retention.purge_edition(get_edition(2023))
        db.session.commit()
        assert outcome.due and outcome.counts
        person = db.session.get(Person, built.person_id)
        assert (person.family_name, person.given_name, person.organisation) == ("L.", "X.M.", "")
        assert person.phone_sealed is None and person.phone_masked == "" and person.email is None
        assert person.photo_file is None
        done = db.session.get(Registration, built.registration_id)
        assert done.document_sealed is None and done.document_index is None and done.document_masked == ""
        assert done.token_sealed is None and done.status == "pending"
        assert db.session.execute(select(func.count(Consent.id))).scalar() == 3  # the record of consents stays
        speaker = db.session.get(Person, built.speaker_id)
        assert (speaker.family_name, speaker.given_name, speaker.organisation) == ("王", "小明", "厦门大学")
        assert db.session.execute(select(func.count(Journey.id))).scalar() == 0
        traveller = db.session.execute(select(Traveller).where(Traveller.person_id == built.person_id)).scalar_one()
        assert traveller.document_consent_at is None and traveller.travel_consent_at is None
        assert db.session.execute(select(Stay.note)).scalar_one() == ""
        assert db.session.execute(select(RoomingListSent.lines)).scalar_one() == {}
        volunteer = db.session.get(Volunteer, built.volunteer_id)
        assert (volunteer.family_name, volunteer.given_name, volunteer.email) == ("C.", "J.", "")
        assert volunteer.photo_file is None and volunteer.emergency_phone_sealed is None and volunteer.emergency_name == ""
        assert db.session.execute(select(ServiceRecord.name)).scalar_one() == "陈静"  # the regulations keep it
        assert db.session.execute(select(Job.file_path)).scalar_one() is None
        entry = db.session.execute(select(AuditEntry).where(AuditEntry.action == "privacy.purge")).scalar_one()
        assert entry.detail["erased"]["people.phone_sealed"] == 1
        assert registration.counts(get_edition(2023)) == before  # by category, session and day
        again = retention.purge_edition(get_edition(2023))
        db.session.commit()
        assert again.counts == []  # nothing left to erase, and no second entry in the log
        assert db.session.execute(select(func.count(AuditEntry.id)).where(AuditEntry.action == "privacy.purge")).scalar() == 1
    assert not built.photo.exists() and not built.volunteer_photo.exists() and not built.job_file.exists()
    assert not built.volunteer_badge_photo.exists()
    login(client, make_user(app, "organizer"))
    stats = client.get("/editions/2023/registrations/stats?lang=en")
    assert stats.status_code == 200
    assert client.get(f"/verify/volunteer/{built.record_serial}").status_code == 200
    assert client.get("/editions/2023/hotels/").status_code == 200


def test_the_command_prints_by_kind_and_the_daily_job_purges_and_deletes_old_backups(app, built, tmp_path):
    runner = app.test_cli_runner()
    clock.freeze(world.BEFORE_THE_END)
    early = runner.invoke(args=["privacy", "purge", "--edition", "2023"])
    assert "until 2024-01-15" in early.output and "nothing purged" in early.output
    clock.freeze(world.AFTER_THE_END)
    dry = runner.invoke(args=["privacy", "purge", "--edition", "2023", "--dry-run"])
    assert dry.exit_code == 0 and "Would erase in 2023:" in dry.output and "people.phone_sealed: 1" in dry.output
    old, fresh = tmp_path / "old.tar.gz", tmp_path / "fresh.tar.gz"
    old.write_bytes(b"x")
    fresh.write_bytes(b"x")
    ages_ago = clock.now().timestamp() - 181 * 86400
    os.utime(old, (ages_ago, ages_ago))
    now = clock.now().timestamp()
    os.utime(fresh, (now, now))
    app.config["BACKUP_DIR"] = str(tmp_path)
    try:
        with app.app_context():
            purged = jobs.purge_everything_due()
            assert list(purged) == [2023]
            assert db.session.get(Person, built.person_id).phone_sealed is None
    finally:
        app.config["BACKUP_DIR"] = None
    assert not old.exists() and fresh.exists()


def test_every_declared_column_can_be_erased_and_every_sealed_column_is_declared(app):
    with app.app_context():
        planned = {(e.model.__tablename__, name) for e in erasures(installed().domains) for name in e.values}
        taken = {(model.__tablename__, column) for domain in installed().domains for step in domain.purge
                 for model, columns in step.columns.items() for column in columns}
    assert ("people", "phone_sealed") in planned and ("people", "family_name") in taken
    assert ("users", "email") not in planned  # an account is no edition's: kept by its own rules
    sealed = {(table.name, column.name) for table in db.metadata.sorted_tables for column in table.columns
              if column.name.endswith(("_sealed", "photo_file", "_phone", "guardian_name"))}
    not_personal = {("badge_keys", "private_key_sealed"), ("hotels", "phone"), ("pickup_groups", "driver_phone"),
                    ("working_groups", "desk_phone")}  # the edition's key, front desks', fleets', groups' desks
    assert sealed - not_personal - planned - taken == set()

