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
    db.session.add(entry)
    return entry
