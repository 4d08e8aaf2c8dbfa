"""Roles and what each may do: the one place that answers "may this user do that?"."""

from collections.abc import Callable
from functools import wraps

from flask import abort
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from conference.core.domains import installed

ROLES: dict[str, object] = {
    "admin": _l("Administrator"),
    "organizer": _l("Organizer"),
    "group_lead": _l("Working-group lead"),
    "volunteer": _l("Volunteer"),
    "security": _l("Security"),
    "viewer": _l("Viewer"),
}

# Every role that works for the conference; the domains name who may do what in their own
# declarations (Domain.permissions), and the app's permissions are their union.
STAFF = frozenset({"admin", "organizer", "group_lead", "security", "viewer"})


def can(user, permission: str, subject=None) -> bool:
    """Whether `user` may do `permission`, and with a `subject` (a hall, a shift), to that
    subject: a role a domain scopes (a group lead) holds its permissions only over the subjects
    the scope allows. Without a subject the answer is for the page or list as a whole, which
    shows a scoped role only what its scope allows."""
    domains = installed()
    if permission not in domains.permissions:
        raise KeyError(f"unknown permission {permission!r}")
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.role not in domains.permissions[permission]:
        return False
    scope = domains.scopes.get(user.role)
    return subject is None or scope is None or scope(user, subject)


def permission_required(permission: str) -> Callable:
    """View decorator: log in first (redirect), then 403 without the permission. An unknown
    permission is a KeyError at the first request (tests/core/test_domains.py names them all)."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                from conference.extensions import login_manager

                return login_manager.unauthorized()
            if not can(current_user, permission):
                abort(403)
            return view(*args, **kwargs)

        wrapped.permission = permission  # read by the authorization matrix (tests/test_authorization.py)
        return wrapped

    return decorator
