"""The audit log: services call record() inside their own transaction."""

from flask import g, has_request_context, request
from flask_login import current_user

from conference.core.models import AuditEntry
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
) -> AuditEntry:
    """Add an audit entry to the current transaction; the caller's commit makes it permanent.

    `target` is a model instance (its table name and id are kept); `actor` overrides the
    logged-in user, for services run from the command line on someone's behalf.
    """
    if actor is not None:
        actor_id, actor_label = actor.id, actor.email
    else:
        actor_id, actor_label = _request_actor()
    if target is not None and target.id is None:
        db.session.flush()  # a new row needs its id before the entry can name it
    entry = AuditEntry(
        actor_id=actor_id,
        actor=actor_label,
        action=action,
        target_type=getattr(target, "__tablename__", None),
        target_id=str(target.id) if target is not None else None,
        ip=request.remote_addr if has_request_context() else None,
        request_id=g.get("request_id") if has_request_context() else None,
        detail=detail or {},
    )
    entry.edition_id, entry.person_id = _owner_ids(target)
    db.session.add(entry)
    return entry
