"""Every route's address over the whole demo edition, and who asks it, for the tests that ask
every route (test_hostile_routes.py, test_page_markup.py). Each id a route takes names a row that
exists and belongs with the route's other ids (a shift's own place, a group's own member), so
that the views get past their look-ups."""

import re

from sqlalchemy import select

from conference.accounts.models import User
from conference.core.demo import load_demo
from conference.extensions import db
from tests.conftest import DEFAULT_PASSWORD, demo_state, make_user

# What only a volunteer has: their own shifts, sign-ups, certificate and consents (asked as the
# demo's first volunteer; everything else as an administrator).
OWN = re.compile(r"^(volunteers_me|volunteers_signup)\.|^volunteers_api\.my_shifts$|^volunteers_records\.own_|^privacy\.volunteer_")

# The table each id of an address names...
TABLES = {
    "badge_id": "badges", "batch_id": "jobs", "build_id": "handbook_builds", "checkpoint_id": "checkpoints",
    "device_id": "scanner_devices", "group_id": "working_groups", "hall_group_id": "hall_groups", "hall_id": "halls",
    "hotel_id": "hotels", "item_id": "agenda_items", "job_id": "jobs", "journey_id": "journeys", "member_id": "group_members",
    "person_id": "people", "place_id": "shift_places", "post_id": "posts", "record_id": "service_records",
    "registration_id": "registrations", "room_type_id": "room_types", "run_id": "shuttle_runs", "session_id": "sessions",
    "shift_id": "shifts", "stay_id": "stays", "training_id": "trainings", "venue_id": "venues",
    "volunteer_id": "volunteers", "zone_id": "access_zones",
}
# ... unless the route's blueprint means another one,
BLUEPRINT_TABLES = {("hotels_travel", "group_id"): "pickup_groups"}
# ... and the ids a row ties to its parent's: (child id, parent id, child's table, its parent column).
BELONGS = [("place_id", "shift_id", "shift_places", "shift_id"), ("place_id", "training_id", "training_places", "training_id"),
           ("member_id", "group_id", "group_members", "group_id"), ("hall_group_id", "group_id", "hall_groups", "group_id"),
           ("journey_id", "group_id", "journeys", "pickup_group_id"), ("item_id", "session_id", "agenda_items", "session_id"),
           ("room_type_id", "hotel_id", "room_types", "hotel_id")]
STRINGS = {"token": "not-a-token-at-all-0000000000000000000000000", "kind": "photo", "code": "media", "suffix": "pdf", "action": "reprint",
           "chapter": "welcome", "filename": "css/app.css"}


def _first(table_name: str, where: str | None = None):
    table = db.metadata.tables[table_name]
    statement = select(table.c.id, table.c[where]) if where else select(table.c.id)
    if where:
        statement = statement.where(table.c[where].is_not(None))
    return db.session.execute(statement.order_by(table.c.id).limit(1)).first()


def values(rule) -> dict:
    """A value for each argument of the route: rows that exist and belong together."""
    blueprint = rule.endpoint.split(".")[0]
    values = {"year": 2023}
    for child, parent, table, column in BELONGS:
        if {child, parent} <= rule.arguments and child not in values:
            row = _first(table, column)
            if row is not None:
                values[child], values[parent] = row
    for name in rule.arguments - set(values):
        if name in STRINGS:
            values[name] = STRINGS[name]
        elif name == "serial":
            values[name] = db.session.execute(select(db.metadata.tables["service_records"].c.serial)).scalar() or "x"
        else:
            row = _first(BLUEPRINT_TABLES.get((blueprint, name), TABLES.get(name, "editions")))
            values[name] = row[0] if row else 1
    return values


def address(rule) -> str:
    """In an app context: the route's address with the values above."""
    return rule.build(values(rule), append_unknown=False)[1]


def asker(rule) -> str:
    return "volunteer" if OWN.search(rule.endpoint) else "admin"


def demo_accounts(app, email: str) -> dict[str, tuple[str, str]]:
    """The demo edition loaded, and the (email, password) of each asker: a new administrator
    and the demo's first volunteer."""
    with app.test_request_context():
        demo_state("demo", load_demo)
        volunteer = db.session.execute(select(User.email).where(User.role == "volunteer").order_by(User.id)).scalars().first()
    return {"admin": (make_user(app, "admin", email), DEFAULT_PASSWORD), "volunteer": (volunteer, app.config["DEMO_PASSWORD"])}
