"""The reception group's pages: arrivals and departures, pickup groups and drivers' sheets, the
shuttle timetable. Every list that shows a flight or train number is a reveal, audited once."""

import io

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from conference.core.database import committed
from conference.core.deletion import confirm_page
from conference.core.permissions import can, permission_required
from conference.core.schedule import ScheduleError
from conference.core.spreadsheet import time_header, workbook
from conference.editions.localtime import local, local_day
from conference.editions.views import edition_or_404
from conference.hotels import services, travel
from conference.hotels.models import PickupGroup, ShuttleRun
from conference.hotels.services import HotelError
from conference.hotels.travel_forms import (
    DIRECTION_LABELS,
    LEG_LABELS,
    PickupGroupForm,
    PutInGroupForm,
    ShuttleRunForm,
    TravelFilterForm,
)
from conference.venues.services import venues_of

bp = Blueprint("hotels_travel", __name__, url_prefix="/editions/<year:year>/travel")

LABELS = {"directions": DIRECTION_LABELS, "legs": LEG_LABELS}


def _show_all(form, refusal: HotelError, fallback: str) -> None:
    """Each of a refusal's messages beside its own field."""
    for name, message in refusal.errors.items():
        form.show(HotelError(message, name), fallback)


def _status(form) -> int:
    return 422 if form.errors else 200


def _place_choices(edition, empty: str) -> list[SelectChoice]:
    return [SelectChoice("", empty)] + [SelectChoice(str(p.id), p.name) for p in travel.places_of(edition)]


def _filters(edition) -> tuple[TravelFilterForm, travel.TravelFilters | None]:
    """The filters from the address; None when one is wrong (the form then says which). With
    no day asked for, the first day people travel: the desk's list reveals one day at a time
    unless every day is asked for."""
    days = travel.travel_days(edition)
    args = request.args.copy()
    if "day" not in args and days:
        args["day"] = days[0].isoformat()
    form = TravelFilterForm(args)
    form.day.choices = [SelectChoice("", _("Every day"))] + [
        SelectChoice(day.isoformat(), format_date(day, "medium")) for day in days]
    form.place_id.choices = _place_choices(edition, _("Every place"))
    if not form.validate():
        return form, None
    day = next((d for d in days if d.isoformat() == form.day.data), None)
    return form, travel.TravelFilters(day=day, place_id=form.place_id.data, direction=form.direction.data)


@bp.route("/")
@permission_required("hotels.view")
def arrivals(year):
    """Arrivals and departures per day and place, for the reception group; printable."""
    edition = edition_or_404(year)
    form, filters = _filters(edition)
    lines = committed(lambda: travel.travel_list(edition, filters, actor=current_user)) if filters else []
    return render_template("hotels/travel/arrivals.html", edition=edition, form=form, lines=lines, labels=LABELS,
                           args=filters.as_args() if filters else {}), _status(form)


@bp.route("/arrivals.xlsx")
@permission_required("hotels.view")
def arrivals_export(year):
    edition = edition_or_404(year)
    form, filters = _filters(edition)
    if filters is None:
        return render_template("hotels/travel/arrivals.html", edition=edition, form=form, lines=[], labels=LABELS,
                               args={}), 422
    lines = committed(lambda: travel.travel_list(edition, filters, purpose="export", actor=current_user))
    zone = edition.timezone
    data = workbook(
        _("Arrivals and departures"),
        [time_header(_("Time"), zone), _("Direction"), _("Name"), _("Flight or train"), _("Airport or station"), _("Hotel"),
         _("Pickup group")],
        ((line.at.replace(tzinfo=None), str(DIRECTION_LABELS[line.direction]),
          f"{line.name} {line.latin_name}".strip(), line.number, line.place,
          line.hotel, line.group or ("" if line.needs_pickup else _("No pickup needed"))) for line in lines),
        [18, 10, 20, 14, 24, 28, 24],
    )
    return send_file(io.BytesIO(data), as_attachment=True, download_name=f"arrivals-{year}.xlsx",
                     mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


# Pickup groups -------------------------------------------------------------------------------


@bp.route("/pickups")
@permission_required("hotels.view")
def pickups(year):
    edition = edition_or_404(year)
    groups = travel.groups_of(edition)
    days = {}
    for group in groups:
        days.setdefault(local_day(edition, group.starts_at), []).append(group)
    return render_template(
        "hotels/travel/pickups.html", edition=edition, days=sorted(days.items()), counts=travel.aboard_counts(edition),
        waiting=travel.waiting_with_reasons(edition), local=lambda t: local(edition, t), labels=LABELS,
    )


@bp.route("/pickups/group", methods=["POST"])
@permission_required("hotels.manage")
def group_automatically(year):
    """Each waiting journey into a group of its place whose window holds its time."""
    edition = edition_or_404(year)
    result = committed(lambda: travel.group_automatically(edition, actor=current_user))
    flash(_("%(placed)d people put in groups; %(unplaced)d not placed.", placed=len(result.placed),
            unplaced=len(result.unplaced)), "success")
    return redirect(url_for("hotels_travel.pickups", year=year), 303)


def _group_fields(form: PickupGroupForm) -> travel.PickupFields:
    return travel.PickupFields(
        place_id=form.place_id.data, direction=form.direction.data, day=form.day.data, starts=form.starts.data,
        ends=form.ends.data, vehicle=form.vehicle.data or "", capacity=form.capacity.data, driver=form.driver.data or "",
        driver_phone=form.driver_phone.data or "", note=form.note.data or "")


@bp.route("/pickups/new", methods=["GET", "POST"])
@bp.route("/pickups/<id:group_id>/edit", methods=["GET", "POST"])
@permission_required("hotels.manage")
def group_form(year, group_id=None):
    edition = edition_or_404(year)
    group = (travel.get_group(edition, group_id) or abort(404)) if group_id else None
    form = PickupGroupForm(obj=group)
    form.place_id.choices = _place_choices(edition, "—")
    if request.method == "GET" and group is not None:
        starts, ends = local(edition, group.starts_at), local(edition, group.ends_at)
        form.day.data, form.starts.data, form.ends.data = starts.date(), starts.time(), ends.time()
    if form.validate_on_submit():
        try:
            saved = committed(lambda: travel.save_group(edition, _group_fields(form), group, actor=current_user))
        except HotelError as error:
            _show_all(form, error, "vehicle")
        else:
            flash(_("Pickup group saved."), "success")
            return redirect(url_for("hotels_travel.group", year=year, group_id=saved.id), 303)
    back = url_for("hotels_travel.pickups", year=year)
    return render_template("form_page.html", edition=edition, form=form, title=_("Pickup group"), back_url=back,
                           back_label=_("Pickup groups")), _status(form)


@bp.route("/pickups/<id:group_id>/delete", methods=["GET", "POST"])
@permission_required("hotels.manage")
def group_delete(year, group_id):
    edition = edition_or_404(year)
    group = travel.get_group(edition, group_id) or abort(404)
    back = url_for("hotels_travel.pickups", year=year)
    return confirm_page(
        group, edition=edition, title=_("Delete the pickup group %(vehicle)s?", vehicle=group.vehicle),
        back_url=url_for("hotels_travel.group", year=year, group_id=group.id),
        delete=lambda: travel.delete_group(group, actor=current_user), done_url=back,
        done_message=_("Pickup group deleted."))


def _put_form(edition, group: PickupGroup) -> PutInGroupForm:
    form = PutInGroupForm()
    form.journey_id.choices = [SelectChoice("", "—")] + [
        SelectChoice(str(j.id), f"{local(edition, j.at):%m-%d %H:%M} {j.person.display_name}")
        for j in travel.waiting_for_pickup(edition) if j.place_id == group.place_id and j.direction == group.direction]
    return form


@bp.route("/pickups/<id:group_id>", methods=["GET", "POST"])
@permission_required("hotels.view")
def group(year, group_id):
    """The driver's sheet (printable), and for organizers the people to put in or take out."""
    edition = edition_or_404(year)
    found = travel.get_group(edition, group_id) or abort(404)
    form, conflicts = _put_form(edition, found), []
    if request.method == "POST":
        if not can(current_user, "hotels.manage"):
            abort(403)
        if form.validate_on_submit():
            journey = travel.get_journey(edition, form.journey_id.data) if form.journey_id.data else None
            try:
                if journey is None:
                    raise HotelError(_("Choose a person from the list."), "journey_id")
                committed(lambda: travel.put_in_group(journey, found, form.confirm.data, actor=current_user))
            except ScheduleError as error:
                conflicts, form.confirm.data = error.conflicts, False
            except HotelError as error:
                form.show(error, "journey_id")
            else:
                flash(_("%(name)s is in the group.", name=journey.person.display_name), "success")
                return redirect(url_for("hotels_travel.group", year=year, group_id=group_id), 303)
        found = travel.get_group(edition, group_id) or abort(404)
    sheet = committed(lambda: travel.driver_sheet(edition, found, actor=current_user))
    return render_template(
        "hotels/travel/driver_sheet.html", edition=edition, sheet=sheet, group=sheet.group, form=form,
        conflicts=conflicts, needs_confirmation=conflicts and not any(c.hard for c in conflicts),
        local=lambda t: local(edition, t), labels=LABELS,
    ), 422 if form.errors or conflicts else 200


@bp.route("/pickups/<id:group_id>/take-out/<id:journey_id>", methods=["POST"])
@permission_required("hotels.manage")
def take_out(year, group_id, journey_id):
    edition = edition_or_404(year)
    found = travel.get_group(edition, group_id) or abort(404)
    journey = travel.get_journey(edition, journey_id)
    if journey is None or journey.pickup_group_id != found.id:
        abort(404)
    committed(lambda: travel.take_out(journey, actor=current_user))
    flash(_("%(name)s is no longer in the group.", name=journey.person.display_name), "success")
    return redirect(url_for("hotels_travel.group", year=year, group_id=group_id), 303)


# The shuttle timetable -----------------------------------------------------------------------


@bp.route("/shuttles")
@permission_required("hotels.view")
def shuttles(year):
    edition = edition_or_404(year)
    return render_template("hotels/travel/shuttles.html", edition=edition,
                           days=travel.runs_by_day(edition, travel.runs_of(edition)),
                           local=lambda t: local(edition, t), labels=LABELS, travel=travel)


@bp.route("/shuttles/generate", methods=["POST"])
@permission_required("hotels.manage")
def generate(year):
    edition = edition_or_404(year)
    added, kept = committed(lambda: travel.generate_runs(edition, actor=current_user))
    flash(_("%(added)d runs generated from the programme; %(kept)d runs added or edited by hand kept.",
            added=added, kept=kept), "success")
    return redirect(url_for("hotels_travel.shuttles", year=year), 303)


def _run_fields(form: ShuttleRunForm) -> travel.RunFields:
    return travel.RunFields(leg=form.leg.data, venue_id=form.venue_id.data, day=form.day.data, departs=form.departs.data,
                            arrives=form.arrives.data, hotel_id=form.hotel_id.data,
                            other_venue_id=form.other_venue_id.data, note=form.note.data or "")


@bp.route("/shuttles/new", methods=["GET", "POST"])
@bp.route("/shuttles/<id:run_id>/edit", methods=["GET", "POST"])
@permission_required("hotels.manage")
def run_form(year, run_id=None):
    edition = edition_or_404(year)
    run: ShuttleRun | None = (travel.get_run(edition, run_id) or abort(404)) if run_id else None
    form = ShuttleRunForm(obj=run)
    venues = [SelectChoice(str(v.id), v.name) for v in venues_of(edition)]
    form.venue_id.choices = [SelectChoice("", "—"), *venues]
    form.other_venue_id.choices = [SelectChoice("", "—"), *venues]
    form.hotel_id.choices = [SelectChoice("", "—")] + [
        SelectChoice(str(h.id), f"{h.code} {h.name}") for h in services.hotels_of(edition)]
    if request.method == "GET" and run is not None:
        departs, arrives = local(edition, run.departs_at), local(edition, run.arrives_at)
        form.day.data, form.departs.data, form.arrives.data = departs.date(), departs.time(), arrives.time()
    if form.validate_on_submit():
        try:
            committed(lambda: travel.save_run(edition, _run_fields(form), run, actor=current_user))
        except HotelError as error:
            _show_all(form, error, "leg")
        else:
            flash(_("Shuttle run saved."), "success")
            return redirect(url_for("hotels_travel.shuttles", year=year), 303)
    return render_template("form_page.html", edition=edition, form=form, title=_("Shuttle run"),
                           back_url=url_for("hotels_travel.shuttles", year=year),
                           back_label=_("Shuttle timetable")), _status(form)


@bp.route("/shuttles/<id:run_id>/delete", methods=["GET", "POST"])
@permission_required("hotels.manage")
def run_delete(year, run_id):
    edition = edition_or_404(year)
    run = travel.get_run(edition, run_id) or abort(404)
    back = url_for("hotels_travel.shuttles", year=year)
    when = local(edition, run.departs_at)
    return confirm_page(
        run, edition=edition, title=_("Delete the run at %(time)s from %(origin)s?", time=f"{when:%m-%d %H:%M}",
                                      origin=travel.run_from(run)),
        back_url=back, delete=lambda: travel.delete_run(run, actor=current_user), done_url=back,
        done_message=_("Shuttle run deleted."))
