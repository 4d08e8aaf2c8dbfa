"""The authorization matrix: every GET route, asked by every role and by an anonymous visitor,
answers as the permission table (Domain.permissions, read from each view's
@permission_required) says, or as the lists below say for the routes that are not behind a
permission on purpose. A route in neither fails the test, so a new page must say who may see it.

One app and one world; GET only, so nothing changes. An id that finds nothing is a 404, which is
fine where the role may look; where it may not, only a refusal (403, 401, the login page) is."""

import pytest
from sqlalchemy import select

from conference import create_app
from conference.core.domains import installed
from conference.core.permissions import ROLES
from conference.extensions import db
from tests.conftest import login, make_user
from tests.privacy import world

# Public on purpose: what anyone may read, signed in or not.
PUBLIC = {
    "static", "core.favicon", "core.health", "core.ready", "core.hello", "core.openapi", "openapi_api/spec", "core.switch_language",
    "editions.home", "accounts.login", "accounts.logout",
    "accounts.welcome",  # an invitation's token is the key; it sets the password
    "public.current", "public.programme", "public.session", "public.speakers", "public.speaker", "public.speaker_photo",
    "public.venue_plan", "public.hall_plan",  # floor plans of the venues where a published session is held
    "programme_api.programme", "programme_api.programme_ical", "programme_api.schedule_xml", "programme_api.session_ical",
    "badges.public_key",  # scanners check signatures with it
    "handbook_api.handbook_pdf",  # the published handbook only; 404 before it is published
    "hotels_api.hotels", "hotels_api.shuttles", "hotels.map_image",  # a hotel's address and map, as on its own site
    "registration_api.registration_form", "registration_api.create_registration", "registration.register_current",
    "registration.register", "registration.link_again",
    "volunteers_apply.apply_current", "volunteers_apply.apply",
    "volunteers_records.verify_lookup", "volunteers_records.verify",  # a certificate's number is checked by anyone
    "checkin.scanner", "checkin.service_worker",  # the scanner's page; its API asks for the device's key
}
# A private token in the address, or a device's key in a header, is the credential: a session
# grants nothing, so with a wrong token everyone is refused alike.
TOKEN = {
    "registration.own_page", "registration.own_cancel", "registration.own_data", "registration.own_deletion",
    "registration.own_edit", "registration.own_request", "badges.own_badge", "hotels_guest.request_page",
    "hotels_guest.own_data", "handbook_agenda.agenda_pdf", "privacy.attendee_withdraw", "volunteers_apply.status", "volunteers_apply.withdraw",
    "checkin_api.pair", "checkin_api.photo", "checkin_api.scan", "checkin_api.scan_batch", "checkin_api.snapshot",
    "checkin.shift_rights", "volunteers_api.shift_scans",
}
# Signed in, showing only the user's own: their account, their volunteering, their jobs (a job's
# kind names the permission its page asks, core/jobs.py).
SIGNED_IN = {
    "accounts.account", "volunteers_me.page", "volunteers_me.calendar", "volunteers_records.own_certificate",
    "volunteers_records.own_certificate_pdf", "privacy.volunteer_withdraw", "volunteers_signup.open_shifts",
    "volunteers_signup.sign_up", "volunteers_signup.give_up", "volunteers_api.my_shifts", "core.job", "core.job_file",
    "core.job_progress",
}
# Checked inside the view against a subject (a group lead's own groups, the screening group).
INLINE = {
    "volunteers_apply.applications_list": "volunteers.screen", "volunteers_apply.application": "volunteers.screen",
    "volunteers_apply.decide": "volunteers.screen", "volunteers_apply.invite_again": "volunteers.screen",
    "volunteers_apply.settings": "volunteers.manage", "volunteers_records.group_certificates": "volunteers.manage",
    "volunteers_records.group_certificate_pdf": "volunteers.manage",
}

BOGUS_TOKEN = "not-a-token-at-all-0000000000000000000000000"


def _ids(built) -> dict:
    """A real row for each kind of id a route takes (a missing one is a 404, which the test allows)."""
    from conference.badges.models import AccessZone
    from conference.core.models import Job
    from conference.hotels.models import Hotel, RoomType, Stay
    from conference.programme.models import AgendaItem, Session
    from conference.venues.models import Checkpoint, Hall, Venue
    from conference.volunteers.models import ServiceRecord, WorkingGroup

    def first(model):
        return db.session.execute(select(model.id).order_by(model.id)).scalars().first() or 1

    return {
        "year": 2023, "token": BOGUS_TOKEN, "kind": "photo", "code": "media", "suffix": "pdf",
        "filename": "css/app.css", "serial": db.session.execute(select(ServiceRecord.serial)).scalar(),
        "hotel_id": first(Hotel), "room_type_id": first(RoomType), "stay_id": first(Stay), "person_id": built.person_id,
        "registration_id": built.registration_id, "volunteer_id": built.volunteer_id, "session_id": first(Session),
        "item_id": first(AgendaItem), "venue_id": first(Venue), "hall_id": first(Hall), "checkpoint_id": first(Checkpoint),
        "zone_id": first(AccessZone), "job_id": first(Job), "batch_id": first(Job), "group_id": first(WorkingGroup),
        "record_id": first(ServiceRecord),
    }


def _url(rule, ids: dict) -> str:
    values = {name: ids.get(name, 1) for name in rule.arguments}
    return rule.build(values, append_unknown=False)[1]


def _to_login(response) -> bool:
    return response.status_code in (301, 302, 303) and "/login" in response.headers.get("Location", "")


def _refused(response) -> bool:
    return response.status_code in (401, 403, 404) or _to_login(response)


def _clients(app, built) -> dict:
    clients = {None: app.test_client()}
    for role in ROLES:
        client = app.test_client()
        login(client, world.VOLUNTEER_EMAIL if role == "volunteer" else make_user(app, role, f"{role}@matrix.example"))
        clients[role] = client
    return clients


def _unlisted(app) -> tuple[list[str], list[str]]:
    """Routes behind no permission and in no list; routes behind one and listed too."""
    listed = PUBLIC | TOKEN | SIGNED_IN | set(INLINE)
    guarded = {endpoint for endpoint, view in app.view_functions.items() if hasattr(view, "permission")}
    return sorted(set(app.view_functions) - guarded - listed), sorted(guarded & listed)


def test_every_route_is_in_the_permission_table_or_public_on_purpose(app):
    unlisted, both = _unlisted(app)
    assert unlisted == [], "say who may see these routes: a permission, or one of this test's lists"
    assert both == []
    assert (PUBLIC | TOKEN | SIGNED_IN | set(INLINE)) - set(app.view_functions) == set()  # no stale names


def test_a_new_route_in_neither_fails(tmp_path):
    other = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'other.db'}", "INSTANCE_DIR": str(tmp_path)})
    other.add_url_rule("/editions/<year:year>/everyone", "everyone", lambda year: "open to all")
    assert _unlisted(other) == (["everyone"], [])


@pytest.mark.long
def test_every_role_and_the_anonymous_get_what_the_permission_table_says(app, demo_clock):
    with app.test_request_context():
        built = world.build(app)
        ids = _ids(built)
        table = installed().permissions
        scoped = set(installed().scopes)
    clients = _clients(app, built)
    wrong = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda rule: rule.rule):
        if "GET" not in rule.methods:
            continue
        view = app.view_functions[rule.endpoint]
        permission = getattr(view, "permission", None) or INLINE.get(rule.endpoint)
        url = _url(rule, ids)
        for role, client in clients.items():
            response = client.get(url)
            status = response.status_code
            if rule.endpoint in PUBLIC:
                ok = status not in (401, 403) and not _to_login(response)
            elif rule.endpoint in TOKEN:
                ok = _refused(response)
            elif rule.endpoint in SIGNED_IN:
                ok = (_to_login(response) or status == 401) if role is None else not _to_login(response) and status != 401
            elif role is None:
                ok = _to_login(response) or (rule.endpoint in INLINE and status == 404)
            elif role in table[permission]:
                # a scoped role may find a subject outside its scope refused
                ok = not _to_login(response) and status != 401 and (status != 403 or role in scoped)
            else:
                ok = status == 403 or (rule.endpoint in INLINE and status == 404)
            if not ok:
                wrong.append((rule.endpoint, url, role, status))
    assert wrong == []
    assert app.extensions["server_errors"] == []

