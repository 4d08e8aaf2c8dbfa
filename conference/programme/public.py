"""The public programme: no login, mobile first, in the reader's language. Drafts never show."""

from flask import Blueprint, abort, redirect, render_template, url_for

from conference.editions.localtime import local
from conference.editions.services import current_edition
from conference.editions.views import edition_or_404
from conference.people.services import get_person
from conference.people.views import send_photo
from conference.programme import services
from conference.programme.forms import ITEM_KIND_LABELS, KIND_LABELS, ROLE_LABELS
from conference.venues import services as venues
from conference.venues.views import send_plan

bp = Blueprint("public", __name__, url_prefix="/programme")

LABELS = {"kinds": KIND_LABELS, "item_kinds": ITEM_KIND_LABELS, "roles": ROLE_LABELS}


def _context(edition):
    return {"edition": edition, "labels": LABELS, "local": lambda t: local(edition, t)}


@bp.route("/")
def current():
    edition = current_edition() or abort(404)
    return redirect(url_for("public.programme", year=edition.year))


@bp.route("/<year:year>/")
def programme(year):
    edition = edition_or_404(year)
    sessions = services.programme_sessions(edition)
    return render_template(
        "programme/public/programme.html", days=services.sessions_by_day(edition, sessions),
        kinds_present=[k for k in KIND_LABELS if any(s.kind == k for s in sessions)], **_context(edition),
    )


@bp.route("/<year:year>/forums/<id:session_id>")
def session(year, session_id):
    edition = edition_or_404(year)
    found = services.get_session(edition, session_id)
    if found is None or not found.is_public:
        abort(404)
    return render_template("programme/public/session.html", session=found, **_context(edition))


@bp.route("/<year:year>/speakers/")
def speakers(year):
    edition = edition_or_404(year)
    return render_template(
        "programme/public/speakers.html", speakers=services.speakers_of(edition), **_context(edition)
    )


def _public_speaker(edition, person_id):
    person = get_person(edition, person_id)
    if person is None or not services.public_speaker(person):
        abort(404)
    items = services.appearances(person)
    if not items:
        abort(404)
    return person, items


@bp.route("/<year:year>/speakers/<id:person_id>")
def speaker(year, person_id):
    edition = edition_or_404(year)
    person, items = _public_speaker(edition, person_id)
    return render_template("programme/public/speaker.html", person=person, items=items, **_context(edition))


@bp.route("/<year:year>/speakers/<id:person_id>/photo")
def speaker_photo(year, person_id):
    edition = edition_or_404(year)
    person, _items = _public_speaker(edition, person_id)
    return send_photo(person)


@bp.route("/<year:year>/venues/<id:venue_id>/plan")
def venue_plan(year, venue_id):
    venue = venues.get_venue(edition_or_404(year), venue_id)
    if venue is None or not services.public_venue(venue):
        abort(404)
    return send_plan(venue, "public, max-age=3600")


@bp.route("/<year:year>/halls/<id:hall_id>/plan")
def hall_plan(year, hall_id):
    hall = venues.get_hall(edition_or_404(year), hall_id)
    if hall is None or not services.public_venue(hall.venue):
        abort(404)
    return send_plan(hall, "public, max-age=3600")
