"""A lead's attendance pages: a shift's crew with their check-in and check-out times and
no-shows, checking a volunteer in and out by hand, correcting the hours with a reason; and the
no-shows of the shifts running now across the lead's groups, to call a replacement."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from conference.core import clock
from conference.core.database import committed
from conference.core.permissions import can, permission_required
from conference.editions.views import edition_or_404
from conference.extensions import db
from conference.volunteers import attendance, me, services
from conference.volunteers.attendance_forms import CorrectionForm, MomentForm
from conference.volunteers.models import ShiftPlace
from conference.volunteers.services import VolunteerError

bp = Blueprint("volunteers_attendance", __name__, url_prefix="/editions/<year:year>/volunteers")


def _shift_for_lead(year: int, shift_id: int):
    edition = edition_or_404(year)
    shift = services.get_shift(edition, shift_id) or abort(404)
    if not can(current_user, "volunteers.manage", shift):
        abort(403)
    return edition, shift


def _place_on(shift, place_id: int) -> ShiftPlace:
    place = db.session.get(ShiftPlace, place_id)
    if place is None or place.shift_id != shift.id or place.status != "signed_up":
        abort(404)
    return place


def _page(edition, shift, bound: tuple[int, str, object] | None = None, status: int = 200):
    """The attendance page; `bound` is (place id, "moment" or "correction", form) for the one
    form sent back with its messages and what was typed."""
    now = clock.now()
    settings = services.settings_of(edition)
    crew = services.crew_of(shift)

    def form_of(place, kind):
        if bound and bound[0] == place.id and bound[1] == kind:
            return bound[2]
        if kind == "moment":
            return MomentForm(formdata=None, prefix=f"p{place.id}")
        return CorrectionForm(formdata=None, prefix=f"c{place.id}")

    rows = [{"place": place, "no_show": services.no_show(place, now, settings), "worked": services.worked_minutes(place),
             "moment": form_of(place, "moment"), "correction": form_of(place, "correction")} for place in crew]
    return render_template(
        "volunteers/attendance/shift.html", edition=edition, shift=shift, rows=rows, settings=settings,
        where=me.where(shift.post), hours=me.hours_label, bound=bound,
        checked_in=sum(1 for place in crew if place.checked_in_at),
        shift_url=url_for("volunteers_shifts.shift_page", year=edition.year, shift_id=shift.id),
    ), status


@bp.route("/shifts/<id:shift_id>/attendance")
@permission_required("volunteers.manage")
def shift(year, shift_id):
    edition, found = _shift_for_lead(year, shift_id)
    return _page(edition, found)


def _record(year, shift_id, place_id, action, done):
    edition, found = _shift_for_lead(year, shift_id)
    place = _place_on(found, place_id)
    form = MomentForm(prefix=f"p{place.id}")
    if form.validate_on_submit():
        try:
            committed(lambda: attendance.record_by_hand(place, action, form.at.data, clock.now(), current_user))
        except VolunteerError as refusal:
            form.show(refusal, "at")
        else:
            flash(done(place.volunteer.name), "success")
            return redirect(url_for(".shift", year=year, shift_id=found.id), 303)
    return _page(edition, found, (place.id, "moment", form), 422)


@bp.route("/shifts/<id:shift_id>/attendance/<id:place_id>/check-in", methods=["POST"])
@permission_required("volunteers.manage")
def check_in(year, shift_id, place_id):
    return _record(year, shift_id, place_id, services.check_in,
                   lambda name: _("%(name)s checked in.", name=name))


@bp.route("/shifts/<id:shift_id>/attendance/<id:place_id>/check-out", methods=["POST"])
@permission_required("volunteers.manage")
def check_out(year, shift_id, place_id):
    return _record(year, shift_id, place_id, services.check_out,
                   lambda name: _("%(name)s checked out.", name=name))


@bp.route("/shifts/<id:shift_id>/attendance/<id:place_id>/correct", methods=["POST"])
@permission_required("volunteers.manage")
def correct(year, shift_id, place_id):
    edition, found = _shift_for_lead(year, shift_id)
    place = _place_on(found, place_id)
    form = CorrectionForm(prefix=f"c{place.id}")
    if form.validate_on_submit():
        try:
            committed(lambda: services.correct_minutes(place, form.minutes.data, form.reason.data, current_user))
        except VolunteerError as refusal:
            form.show(refusal, "minutes")
        else:
            flash(_("Hours of %(name)s corrected.", name=place.volunteer.name), "success")
            return redirect(url_for(".shift", year=year, shift_id=found.id), 303)
    return _page(edition, found, (place.id, "correction", form), 422)


@bp.route("/no-shows")
@permission_required("volunteers.manage")
def no_shows(year):
    edition = edition_or_404(year)
    now = clock.now()
    found = attendance.no_shows(edition, services.visible_groups(current_user, edition), now)
    return render_template(
        "volunteers/attendance/no_shows.html", edition=edition, no_shows=found, now=now,
        wheres={item.place.shift.post_id: me.where(item.place.shift.post) for item in found},
        shift_urls={item.place.shift_id: url_for("volunteers_shifts.shift_page", year=edition.year, shift_id=item.place.shift_id)
                    for item in found},
    )
