"""A lead's shift page (its crew, removing and assigning volunteers, the ranked candidates for an
understaffed shift) and the coverage page of a day. A group lead reaches only their groups'
shifts and sees only their groups' posts on the coverage page."""

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from conference.core import clock
from conference.core.database import committed
from conference.core.permissions import can, permission_required
from conference.core.schedule import ScheduleError
from conference.core.text import clean
from conference.core.urls import form_row_id
from conference.editions.localtime import local_day
from conference.editions.views import edition_or_404
from conference.extensions import db
from conference.volunteers import services, staffing
from conference.volunteers.models import ShiftPlace
from conference.volunteers.services import VolunteerError

bp = Blueprint("volunteers_shifts", __name__, url_prefix="/editions/<year:year>/volunteers")

CANDIDATES = 20


def _shift_or_404(year, shift_id, permission="volunteers.view"):
    edition = edition_or_404(year)
    shift = services.get_shift(edition, shift_id) or abort(404)
    if not can(current_user, permission, shift):
        abort(403)
    return edition, shift


def _page(edition, shift, status=200, refused=None, confirming=None):
    manage = can(current_user, "volunteers.manage", shift)
    query = clean(request.args.get("q") or "").strip()[:100]
    found = []
    if manage and query:
        settings = services.settings_of(edition)
        crew = [place.volunteer for place in services.crew_of(shift)]
        people = staffing.find_volunteers(edition, query)
        standings = services.standings(edition, people)
        on_shift = {v.id for v in crew}
        found = [(v, [] if v.id in on_shift else services.conflicts_for(shift, standings[v.id], settings, crew),
                  v.id in on_shift) for v in people]
    return render_template(
        "volunteers/shifts/shift.html", edition=edition, shift=shift, crew=services.crew_of(shift),
        checked_in=staffing.checked_in_counts([shift.id]).get(shift.id, 0), manage=manage, query=query, found=found,
        candidates=staffing.candidates(shift, CANDIDATES) if manage and shift.taken < shift.needed else [],
        shift_day=local_day(edition, shift.starts_at).isoformat(), place_of=staffing.place_of, refused=refused or [], confirming=confirming,
        skill_labels=services.SKILL_LABELS, language_labels=services.LANGUAGE_LABELS,
    ), status


@bp.route("/shifts/<id:shift_id>")
@permission_required("volunteers.view")
def shift_page(year, shift_id):
    edition, shift = _shift_or_404(year, shift_id)
    return _page(edition, shift)


@bp.route("/shifts/<id:shift_id>/assign", methods=["POST"])
@permission_required("volunteers.manage")
def assign(year, shift_id):
    edition, shift = _shift_or_404(year, shift_id, "volunteers.manage")
    volunteer_id = form_row_id(request.form, "volunteer_id")
    volunteer = services.get_volunteer(edition, volunteer_id) if volunteer_id else None
    if volunteer is None:
        return _page(edition, shift, 422, [_("Choose a volunteer of this edition.")])
    confirmed = request.form.get("confirm") == "1"
    try:
        committed(lambda: services.assign(volunteer, shift, clock.now(), current_user, confirmed=confirmed))
    except ScheduleError as error:
        return _page(edition, shift, 422, [str(c.message) for c in error.conflicts] or [str(error.message)],
                     confirming=volunteer if error.needs_confirmation else None)
    except VolunteerError as error:
        return _page(edition, shift, 409 if error.field == "shift" else 422, [str(error.message)])
    flash(_("%(name)s is on the shift.", name=volunteer.name), "success")
    return redirect(url_for(".shift_page", year=year, shift_id=shift.id), 303)


@bp.route("/shifts/<id:shift_id>/places/<id:place_id>/remove", methods=["POST"])
@permission_required("volunteers.manage")
def remove(year, shift_id, place_id):
    edition, shift = _shift_or_404(year, shift_id, "volunteers.manage")
    place = db.session.get(ShiftPlace, place_id)
    if place is None or place.shift_id != shift.id or place.status != "signed_up":
        abort(404)
    name = place.volunteer.name
    committed(lambda: services.give_up(place, clock.now(), actor=current_user))
    flash(_("%(name)s is no longer on the shift.", name=name), "success")
    return redirect(url_for(".shift_page", year=year, shift_id=shift.id), 303)


@bp.route("/coverage")
@permission_required("volunteers.view")
def coverage(year):
    edition = edition_or_404(year)
    days = sorted(set(staffing.shift_days(edition)) | set(edition.days))
    asked, problem, status = request.args.get("day"), None, 200
    today = clock.today(edition.timezone)
    day = today if today in days else (staffing.busiest_day(edition) or days[0])
    if asked is not None:
        try:
            chosen = date.fromisoformat(asked.strip())
        except ValueError:
            problem, status = _("“%(day)s” is not a day: give it as YYYY-MM-DD.", day=asked[:20]), 400
        else:
            if chosen in days:
                day = chosen
            else:
                problem, status = _("The edition has no shifts on %(day)s.", day=chosen.isoformat()), 404
    found = staffing.coverage(edition, day, services.visible_groups(current_user, edition))
    return render_template("volunteers/shifts/coverage.html", edition=edition, coverage=found, days=days,
                           printed_at=clock.now(), problem=problem), status
