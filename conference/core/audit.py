"""The audit log: services call record() inside their own transaction."""

from flask import g, has_request_context, request
from flask_login import current_user
from sqlalchemy import event, insert
from sqlalchemy.orm import Session

from conference.core.models import AuditEntry, utcnow
from conference.extensions import db


def _request_actor() -> tuple[int | None, str]:
    if has_request_context() and current_user and current_user.is_authenticated:
        return current_user.id, current_user.email
    if has_request_context():
        return None, "anonymous"
    return None, "cli"


# Rows that name no edition or person themselves reach them through these relationships.
_PARENTS = ("venue", "session", "registration", "hall", "checkpoint")


def _owner_ids(target, depth: int = 0) -> tuple[int | None, int | None]:
    """(edition id, person id) of a target: its own columns, else its parent's."""
    if target is None or depth > 3:
        return None, None
    table = getattr(target, "__tablename__", None)
    edition_id = target.id if table == "editions" else getattr(target, "edition_id", None)
    person_id = target.id if table == "people" else getattr(target, "person_id", None)
    if edition_id is None or person_id is None:
        for name in _PARENTS:
            parent = getattr(target, name, None)
            if parent is not None and hasattr(parent, "__tablename__"):
                parent_edition, parent_person = _owner_ids(parent, depth + 1)
                edition_id = edition_id if edition_id is not None else parent_edition
                person_id = person_id if person_id is not None else parent_person
                break
    return edition_id, person_id


def record(
    action: str,
    target=None,
    *,
    detail: dict | None = None,
    actor=None,
) -> None:
    """Add an audit entry to the current transaction; the caller's commit makes it permanent.

    `target` is a model instance (its table name and id are kept); `actor` overrides the
    logged-in user, for services run from the command line on someone's behalf. A new target
    is written at once (flushed), for its id: its caller may count on that too.
    """
    values = _values(action, target, detail, actor)
    if target is not None and target.id is None:
        db.session.flush()
    db.session.add(AuditEntry(**values, **_naming(target)))


def record_new(action: str, target, *, detail: dict | None = None, actor=None) -> None:
    """record() for a row just added to the session and not yet written: the entry is written
    by the flush that writes the row, in one statement with the others waiting, instead of
    by a flush of its own (the costliest part of a registration)."""
    if target.id is not None or target not in db.session:
        record(action, target, detail=detail, actor=actor)
        return
    db.session.info.setdefault(_WAITING, []).append((_values(action, target, detail, actor), target))


def _values(action: str, target, detail: dict | None, actor) -> dict:
    """An entry's columns but those naming its target: who, what, when, from where."""
    if actor is not None:
        actor_id, actor_label = actor.id, actor.email
    else:
        actor_id, actor_label = _request_actor()
    return {
        "at": utcnow(), "actor_id": actor_id, "actor": actor_label, "action": action,
        "target_type": getattr(target, "__tablename__", None),
        "ip": request.remote_addr if has_request_context() else None,
        "request_id": g.get("request_id") if has_request_context() else None,
        "detail": detail or {},
    }


_WAITING = "audit entries waiting for their targets' ids"


def _naming(target) -> dict:
    """The entry's columns that name its target and the target's edition and person."""
    edition_id, person_id = _owner_ids(target)
    return {"target_id": str(target.id) if target is not None and target.id is not None else None,
            "edition_id": edition_id, "person_id": person_id}


@event.listens_for(Session, "after_flush")
def _write_waiting(session, _context) -> None:
    """The entries about rows this flush wrote, in one statement in the same transaction;
    those about rows still to be written wait on, those about rows taken out go."""
    waiting = session.info.pop(_WAITING, None)
    if not waiting:
        return
    if later := [(values, target) for values, target in waiting if target.id is None and target in session]:
        session.info[_WAITING] = later
    if written := [values | _naming(target) for values, target in waiting if target.id is not None]:
        session.connection().execute(insert(AuditEntry.__table__), written)


@event.listens_for(Session, "after_soft_rollback")
def _forget_waiting(session, _previous) -> None:
    """A rollback forgets the entries whose rows it took back (those it left out of the
    session); a savepoint's leaves the outer transaction's waiting."""
    waiting = session.info.pop(_WAITING, None)
    if waiting and (kept := [(values, target) for values, target in waiting if target in session]):
        session.info[_WAITING] = kept
