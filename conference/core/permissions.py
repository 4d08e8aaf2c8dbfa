"""Roles and what each may do: the one place that answers "may this user do that?"."""

from collections.abc import Callable
from functools import wraps

from flask import abort
from flask_babel import lazy_gettext as _l
from flask_login import current_user

ROLES: dict[str, object] = {
    "admin": _l("Administrator"),
    "organizer": _l("Organizer"),
    "group_lead": _l("Working-group lead"),
    "volunteer": _l("Volunteer"),
    "security": _l("Security"),
    "viewer": _l("Viewer"),
}

_STAFF = {"admin", "organizer", "group_lead", "security", "viewer"}

PERMISSIONS: dict[str, frozenset[str]] = {
    "editions.view": frozenset(_STAFF),
    "editions.manage": frozenset({"admin", "organizer"}),
    "users.manage": frozenset({"admin"}),
    # Admins only: the log is how organizers' reveals and unmasked exports are checked, so
    # those it records do not read it; it also holds every user's sign-ins and addresses.
    "audit.view": frozenset({"admin"}),
    "pii.reveal": frozenset({"admin", "organizer"}),
    "people.view": frozenset(_STAFF),
    "people.manage": frozenset({"admin", "organizer"}),
    "badges.print": frozenset({"admin", "organizer"}),  # print badges and fetch batch PDFs: each carries a working code
    "venues.manage": frozenset({"admin", "organizer"}),
    "checklist.tick": frozenset({"admin", "organizer", "group_lead"}),
    "programme.view": frozenset(_STAFF),
    "programme.manage": frozenset({"admin", "organizer"}),
    "checkin.view": frozenset(_STAFF),
    "checkin.manage": frozenset({"admin", "organizer", "security"}),  # rules and scanner devices
    "checkin.lookup": frozenset({"admin", "organizer", "security"}),  # find a person without a badge
}


def can(user, permission: str) -> bool:
    if permission not in PERMISSIONS:
        raise KeyError(f"unknown permission {permission!r}")
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return user.role in PERMISSIONS[permission]


def permission_required(permission: str) -> Callable:
    """View decorator: log in first (redirect), then 403 without the permission."""
    if permission not in PERMISSIONS:
        raise KeyError(f"unknown permission {permission!r}")

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                from conference.extensions import login_manager

                return login_manager.unauthorized()
            if not can(current_user, permission):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator
