"""A volunteer's own sign-up, on their phone: the open shifts they may take (each with what
stops them, if anything), a sign-up button, and giving up a place before the shift begins."""

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from conference.core import clock
from conference.core.database import committed
from conference.core.i18n import day_label, time_label
from conference.core.schedule import ScheduleError
from conference.editions.localtime import local_day
from conference.editions.views import edition_or_404
from conference.extensions import db, login_manager
from conference.volunteers import services, staffing
from conference.volunteers.models import ShiftPlace
from conference.volunteers.services import VolunteerError

bp = Blueprint("volunteers_signup", __name__, url_prefix="/volunteer/<year:year>/me/shifts")


def _volunteer_or_403(year):
    """The signed-in account's accepted volunteer in this edition: others are refused."""
    edition = edition_or_404(year)
    if not current_user.is_authenticated:
        abort(login_manager.unauthorized())
    volunteer = services.volunteer_of(current_user, edition)
    if volunteer is None:
        abort(403)
    return edition, volunteer


def _page(edition, volunteer, refused=None, refused_shift=None, status=200):
    now = clock.now()
    mine = [p for p in services.places_of(volunteer) if p.shift.starts_at > now]
    days = staffing.open_days(edition, now)
    asked, problem = request.args.get("day"), None
    day = days[0] if days else None
    if asked is not None:
        try:
            chosen = date.fromisoformat(asked.strip())
        except ValueError:
            problem, status = _("“%(day)s” is not a day: give it as YYYY-MM-DD.", day=asked[:20]), 400
        else:
            if chosen in days:
                day = chosen
            else:
                problem, status = _("No shift is open for sign-up on %(day)s.", day=chosen.isoformat()), 404
    if refused_shift is not None and status >= 400 and problem is None:
        day = local_day(edition, refused_shift.starts_at)  # the day of the shift just refused
    found = staffing.open_shifts(volunteer, now, day) if day is not None else []
    return render_template(
        "volunteers/shifts/open.html", edition=edition, volunteer=volunteer, mine=mine, days=days, day=day,
        found=found, place_of=staffing.place_of, refused=refused or [], refused_shift=refused_shift, problem=problem,
        skill_labels=services.SKILL_LABELS, language_labels=services.LANGUAGE_LABELS,
    ), status


@bp.route("/open")
def open_shifts(year):
    edition, volunteer = _volunteer_or_403(year)
    return _page(edition, volunteer)


@bp.route("/<id:shift_id>/sign-up", methods=["POST"])
def sign_up(year, shift_id):
    edition, volunteer = _volunteer_or_403(year)
    shift = services.get_shift(edition, shift_id) or abort(404)
    try:
        committed(lambda: services.sign_up(volunteer, shift, clock.now()))
    except ScheduleError as error:
        return _page(edition, volunteer, [str(c.message) for c in error.conflicts] or [str(error.message)], shift, 422)
    except VolunteerError as error:
        # the last place went to someone else a moment ago: 409, the others are rules broken
        return _page(edition, volunteer, [str(error.message)], shift, 409 if error.field == "shift" else 422)
    flash(_("You are on the shift of %(post)s, %(day)s %(start)s–%(end)s.", post=shift.post.name,
            day=day_label(shift.starts_at, edition.timezone), start=time_label(shift.starts_at, edition.timezone), end=time_label(shift.ends_at, edition.timezone)),
          "success")
    return redirect(url_for(".open_shifts", year=year, day=local_day(edition, shift.starts_at).isoformat()), 303)


@bp.route("/<id:shift_id>/give-up", methods=["POST"])
def give_up(year, shift_id):
    edition, volunteer = _volunteer_or_403(year)
    shift = services.get_shift(edition, shift_id) or abort(404)
    place = db.session.execute(db.select(ShiftPlace).where(
        ShiftPlace.shift_id == shift.id, ShiftPlace.volunteer_id == volunteer.id,
        ShiftPlace.status == "signed_up")).scalar()
    if place is None:
        abort(404)
    try:
        committed(lambda: services.give_up(place, clock.now()))
    except VolunteerError as error:
        return _page(edition, volunteer, [str(error.message)], shift, 409)
    flash(_("You gave up your place on the shift of %(post)s, %(day)s %(start)s.", post=shift.post.name,
            day=day_label(shift.starts_at, edition.timezone), start=time_label(shift.starts_at, edition.timezone)), "success")
    return redirect(url_for(".open_shifts", year=year), 303)

