"""The audit log's entries about rows not yet written (audit.record_new)."""

import pytest
from sqlalchemy import event, select

from conference.core import audit
from conference.core.models import AuditEntry
from conference.editions.services import get_edition
from conference.extensions import db
from conference.people import services as people
from conference.people.models import Person
from tests.registration.conftest import reg  # noqa: F401  the fixture


def _person(edition, name: str) -> Person:
    return people.new_person(edition, people.PersonFields(family_name=name))


def _entries(action: str) -> list[tuple]:
    return db.session.execute(select(AuditEntry.target_id, AuditEntry.person_id, AuditEntry.edition_id, AuditEntry.detail)
                              .where(AuditEntry.action == action).order_by(AuditEntry.id)).all()


@pytest.mark.usefixtures("reg")
def test_entries_about_new_rows_are_written_by_the_rows_flush_in_one_statement(app):
    with app.test_request_context():
        edition = get_edition(2023)
        first, second = _person(edition, "甲"), _person(edition, "乙")
        audit.record_new("test.create", first, detail={"n": 1})
        audit.record_new("test.create", second, detail={"n": 2})
        assert first.id is None  # nothing written yet
        inserts = []
        engine = db.engine
        listen = lambda *args: inserts.append(args[2]) if "audit_entries" in args[2] else None  # noqa: E731
        event.listen(engine, "before_cursor_execute", listen)
        try:
            db.session.flush()
        finally:
            event.remove(engine, "before_cursor_execute", listen)
        assert len(inserts) == 1
        db.session.commit()
        assert _entries("test.create") == [(str(first.id), first.id, edition.id, {"n": 1}),
                                           (str(second.id), second.id, edition.id, {"n": 2})]


@pytest.mark.usefixtures("reg")
def test_a_rollback_forgets_the_entries_of_the_rows_it_took_back(app):
    with app.test_request_context():
        edition = get_edition(2023)
        audit.record_new("test.create", _person(edition, "丙"))
        db.session.rollback()
        kept = _person(edition, "丁")
        audit.record_new("test.create", kept)
        taken_out = _person(edition, "戊")
        audit.record_new("test.create", taken_out)
        db.session.expunge(taken_out)
        savepoint = db.session.begin_nested()  # writes 丁 and its entry
        audit.record_new("test.create", _person(edition, "庚"))
        db.session.flush()
        savepoint.rollback()
        db.session.commit()
        assert _entries("test.create") == [(str(kept.id), kept.id, edition.id, {})]


@pytest.mark.usefixtures("reg")
def test_a_row_already_written_or_outside_the_session_is_recorded_at_once(app):
    with app.test_request_context():
        edition = get_edition(2023)
        written = people.create_person(edition, people.PersonFields(family_name="己"))
        audit.record_new("test.touch", written)
        assert db.session.new  # an ordinary entry, pending like any other row
        db.session.commit()
        assert _entries("test.touch") == [(str(written.id), written.id, edition.id, {})]
