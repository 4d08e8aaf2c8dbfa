"""The organizers' hotel pages: hotels, room types and their blocks per night, who stays in
which kind of hotel, each hotel's occupancy and stays, and the manual move of a stay."""

from datetime import date, time

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from conference.core import clock
from conference.core.database import committed
from conference.core.deletion import confirm_page
from conference.core.images import ImageRefusal
from conference.core.permissions import permission_required
from conference.core.schedule import ScheduleError
from conference.editions.views import edition_or_404
from conference.extensions import db
from conference.hotels import forms, maps, overview, services
from conference.hotels.forms import (
    KIND_HEADINGS,
    KIND_LABELS,
    ROOM_KIND_LABELS,
    STATUS_LABELS,
    CancelStayForm,
    ConfirmStayForm,
    PlaceForm,
    RoomTypeForm,
)
from conference.hotels.models import RoomType, Stay
from conference.hotels.services import HotelError, HotelFields, RoomTypeFields
from conference.people.forms import CATEGORY_LABELS
from conference.venues import services as venues

bp = Blueprint("hotels", __name__, url_prefix="/editions/<year:year>/hotels")

LABELS = {"kinds": KIND_LABELS, "kind_headings": KIND_HEADINGS, "room_kinds": ROOM_KIND_LABELS,
          "statuses": STATUS_LABELS, "categories": CATEGORY_LABELS, "room_label": services.room_label}


def _show_all(form, refusal, fallback: str) -> None:
    """Every message of a refusal beside its field, else beside `fallback`."""
    for name, message in refusal.errors.items():
        field = getattr(form, name or fallback, None) or getattr(form, fallback)
        field.errors = [*field.errors, message]


def _status(form) -> int:
    return 422 if form.is_submitted() and form.errors else 200


@bp.route("/")
@permission_required("hotels.view")
def index(year):
    edition = edition_or_404(year)
    hotels = services.hotels_of(edition)
    glance = {hotel.id: {night.night: night for night in overview.nights_of(hotel)} for hotel in hotels}
    today = clock.today(edition.timezone)
    return render_template(
        "hotels/index.html", edition=edition, groups=overview.by_kind(hotels), glance=glance,
        nights=sorted({night for nights in glance.values() for night in nights}),
        releasing=overview.releases(services.releasing_soon(edition, today)), today=today, **LABELS,
    )


@bp.route("/<id:hotel_id>")
@permission_required("hotels.view")
def hotel(year, hotel_id):
    edition = edition_or_404(year)
    found = overview.hotel_with_rooms(edition, hotel_id) or abort(404)
    return _hotel_page(edition, found)


def _hotel_page(edition, hotel, confirm_form=None, confirming: int | None = None, status: int = 200):
    stays = services.stays_in(hotel)
    waiting, waiting_count = overview.waiting_for(hotel)
    occupancy = services.occupancy(hotel)
    return render_template(
        "hotels/hotel.html", edition=edition, hotel=hotel, stays=stays, sharers=overview.sharers_of(stays),
        holders={stay.id: stay for stay in stays}, waiting=waiting, waiting_count=waiting_count,
        occupancy=occupancy, most=max([1, *(max(o.contracted, o.assigned) for o in occupancy)]),
        venues=venues.venues_of(edition), confirm_form=confirm_form or ConfirmStayForm(formdata=None),
        confirming=confirming, **LABELS,
    ), status


@bp.route("/<id:hotel_id>/map")
def map_image(year, hotel_id):
    """The hotel's map: public, like its address (the attendee's card shows it)."""
    edition = edition_or_404(year)
    found = services.get_hotel(edition, hotel_id) or abort(404)
    path = maps.map_path(found)
    if path is None or not path.exists():
        abort(404)
    response = send_file(path, mimetype=maps.map_mimetype(found), max_age=3600, conditional=True)
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response


# Hotels ------------------------------------------------------------------------------------


@bp.route("/new", methods=["GET", "POST"])
@bp.route("/<id:hotel_id>/edit", methods=["GET", "POST"])
@permission_required("hotels.manage")
def hotel_form(year, hotel_id=None):
    edition = edition_or_404(year)
    found = overview.hotel_with_rooms(edition, hotel_id) or abort(404) if hotel_id else None
    edition_venues = venues.venues_of(edition)
    form = forms.hotel_form(edition_venues, obj=found)
    if not form.is_submitted():
        for venue in edition_venues:
            form[forms.travel_field_name(venue.id)].data = found.minutes_to(venue.id) if found else None
        if found is None:
            form.check_in_time.data, form.check_out_time.data = time(14, 0), time(12, 0)
    if form.validate_on_submit():
        upload = form.map_image.data
        image = upload.read() if upload and getattr(upload, "filename", "") else None

        def save():
            checked = maps.check_map(image) if image is not None else None  # refused: nothing half-saved
            saved = services.save_hotel(edition, _hotel_fields(form), found, actor=current_user)
            travel_errors = {}
            for venue in edition_venues:
                name = forms.travel_field_name(venue.id)
                try:
                    services.set_travel_time(saved, venue, form[name].data)
                except HotelError as error:
                    travel_errors[name] = error.message
            if travel_errors:
                raise HotelError(errors=travel_errors)
            if checked is not None:
                maps.store_map(saved, checked, actor=current_user)
            elif form.remove_map.data:
                maps.forget_map(saved, actor=current_user)
            return saved

        try:
            saved = committed(save)
        except (HotelError, ImageRefusal) as error:
            _show_all(form, error, "code")
        else:
            flash(_("%(name)s saved.", name=saved.name), "success")
            return redirect(url_for("hotels.hotel", year=year, hotel_id=saved.id), 303)
    back = url_for("hotels.hotel", year=year, hotel_id=found.id) if found else url_for("hotels.index", year=year)
    return render_template(
        "hotels/hotel_form.html", edition=edition, form=form, hotel=found, back_url=back,
        travel_fields=[form[forms.travel_field_name(venue.id)] for venue in edition_venues],
    ), _status(form)


def _hotel_fields(form) -> HotelFields:
    return HotelFields(
        code=form.code.data or "", name_zh=form.name_zh.data or "", name_en=form.name_en.data or "",
        name_zh_hant=form.name_zh_hant.data or "", address_zh=form.address_zh.data or "",
        address_en=form.address_en.data or "", latitude=form.latitude.data, longitude=form.longitude.data,
        phone=form.phone.data or "", stars=form.stars.data or 0, kind=form.kind.data,
        check_in_time=form.check_in_time.data, check_out_time=form.check_out_time.data,
        position=form.position.data or 0,
    )


@bp.route("/<id:hotel_id>/delete", methods=["GET", "POST"])
@permission_required("hotels.manage")
def hotel_delete(year, hotel_id):
    edition = edition_or_404(year)
    found = services.get_hotel(edition, hotel_id) or abort(404)

    def delete():
        maps.forget_map(found, actor=current_user)
        services.delete_hotel(found, actor=current_user)

    return confirm_page(
        found, edition=edition, title=_("Delete the hotel %(name)s?", name=found.name),
        back_url=url_for("hotels.hotel", year=year, hotel_id=found.id), delete=delete,
        done_url=url_for("hotels.index", year=year), done_message=_("Hotel deleted."),
    )


# Room types and their blocks ---------------------------------------------------------------


def _room_type_or_404(edition, hotel_id: int, room_type_id: int) -> RoomType:
    found = overview.hotel_with_rooms(edition, hotel_id) or abort(404)
    return services.get_room_type(found, room_type_id) or abort(404)


@bp.route("/<id:hotel_id>/rooms/new", methods=["GET", "POST"])
@bp.route("/<id:hotel_id>/rooms/<id:room_type_id>/edit", methods=["GET", "POST"])
@permission_required("hotels.manage")
def room_type_form(year, hotel_id, room_type_id=None):
    edition = edition_or_404(year)
    found = overview.hotel_with_rooms(edition, hotel_id) or abort(404)
    room_type = services.get_room_type(found, room_type_id) or abort(404) if room_type_id else None
    form = RoomTypeForm(obj=room_type)
    if form.validate_on_submit():
        fields = RoomTypeFields(
            kind=form.kind.data, name_zh=form.name_zh.data or "", name_en=form.name_en.data or "",
            name_zh_hant=form.name_zh_hant.data or "", beds=form.beds.data, accessible=form.accessible.data,
            smoking=form.smoking.data, position=form.position.data or 0,
        )
        try:
            saved = committed(lambda: services.save_room_type(found, fields, room_type, actor=current_user))
        except HotelError as error:
            _show_all(form, error, "kind")
        else:
            flash(_("Rooms saved."), "success")
            return redirect(url_for("hotels.blocks", year=year, hotel_id=found.id, room_type_id=saved.id), 303)
    return render_template(
        "form_page.html", edition=edition, form=form, title=_("Room type at %(hotel)s", hotel=found.name),
        back_url=url_for("hotels.hotel", year=year, hotel_id=found.id), back_label=found.name,
    ), _status(form)


@bp.route("/<id:hotel_id>/rooms/<id:room_type_id>/delete", methods=["GET", "POST"])
@permission_required("hotels.manage")
def room_type_delete(year, hotel_id, room_type_id):
    edition = edition_or_404(year)
    room_type = _room_type_or_404(edition, hotel_id, room_type_id)
    back = url_for("hotels.hotel", year=year, hotel_id=hotel_id)
    return confirm_page(
        room_type, edition=edition, title=_("Delete the %(room)s of %(hotel)s?", room=services.room_label(room_type),
                                            hotel=room_type.hotel.name),
        back_url=back, delete=lambda: services.delete_room_type(room_type, actor=current_user), done_url=back,
        done_message=_("Room type deleted."),
    )


@bp.route("/<id:hotel_id>/rooms/<id:room_type_id>/blocks", methods=["GET", "POST"])
@permission_required("hotels.manage")
def blocks(year, hotel_id, room_type_id):
    """The rooms of one type contracted for each night, with their price and release date."""
    edition = edition_or_404(year)
    room_type = _room_type_or_404(edition, hotel_id, room_type_id)
    existing = {block.night: block for block in room_type.blocks}
    add_form = forms.AddNightForm(request.args, meta={"csrf": False})
    added = []
    if "night" in request.args and add_form.validate():
        try:
            services.check_night(edition, add_form.night.data)
        except HotelError as error:
            add_form.night.errors = [*add_form.night.errors, error.message]
        else:
            added = [add_form.night.data]
    nights = sorted({*services.conference_nights(edition), *existing, *added})
    form = forms.blocks_form(nights, data=_block_data(existing))
    if form.validate_on_submit():
        try:
            committed(lambda: _save_blocks(form, room_type, nights, existing))
        except HotelError as error:
            _show_all(form, error, forms.block_field_names(nights[0])[0])
        else:
            flash(_("Room blocks saved."), "success")
            return redirect(url_for("hotels.hotel", year=year, hotel_id=hotel_id), 303)
    rows = [(night, [form[name] for name in forms.block_field_names(night)], existing.get(night)) for night in nights]
    status = 422 if (form.is_submitted() and form.errors) or add_form.errors else 200
    return render_template("hotels/blocks.html", edition=edition, hotel=room_type.hotel, room_type=room_type,
                           form=form, add_form=add_form, rows=rows, **LABELS), status


def _block_data(existing: dict) -> dict:
    data = {}
    for night, block in existing.items():
        rooms, price, release_on = forms.block_field_names(night)
        data.update({rooms: block.rooms, price: block.price, release_on: block.release_on})
    return data


def _save_blocks(form, room_type: RoomType, nights: list[date], existing: dict) -> None:
    """Every night's block through set_block (which never goes below the rooms taken); all
    nights' messages at once, and nothing saved while one is wrong."""
    errors = {}
    for night in nights:
        names = forms.block_field_names(night)
        rooms, price, release_on = (form[name].data for name in names)
        block = existing.get(night)
        if rooms is None:
            if block is not None or price is not None or release_on is not None:
                errors[names[0]] = _("Give the rooms of this night (0 when none are contracted).")
            continue
        if block is not None and (block.rooms, block.price, block.release_on) == (rooms, price or 0, release_on):
            continue
        try:
            services.set_block(room_type, night, rooms, price or 0, release_on, actor=current_user)
        except HotelError as error:
            errors[dict(zip(("rooms", "price", "release_on"), names, strict=True)).get(error.field, names[0])] = error.message
    if errors:
        raise HotelError(errors=errors)


# Who stays in which kind of hotel ----------------------------------------------------------


@bp.route("/lodging", methods=["GET", "POST"])
@permission_required("hotels.manage")
def lodging(year):
    edition = edition_or_404(year)
    current = services.lodgings(edition)
    data = {}
    for category in CATEGORY_LABELS:
        kind, offered = forms.lodging_field_names(category)
        found = current.get(category)
        data.update({kind: found.kind if found else "", offered: found.offered if found else False})
    form = forms.lodging_form(data=data)
    if form.validate_on_submit():
        def save():
            for category in CATEGORY_LABELS:
                names = forms.lodging_field_names(category)
                kind, offered = (form[name].data for name in names)
                if (kind, offered) != tuple(data[name] for name in names):  # unchanged: no audit line
                    services.set_lodging(edition, category, kind or None, offered, actor=current_user)

        committed(save)
        flash(_("Lodging settings saved."), "success")
        return redirect(url_for("hotels.index", year=year), 303)
    rows = [(label, *(form[name] for name in forms.lodging_field_names(category)))
            for category, label in CATEGORY_LABELS.items()]
    return render_template("hotels/lodging.html", edition=edition, form=form, rows=rows), _status(form)


# Stays ---------------------------------------------------------------------------------------


@bp.route("/stays/<id:stay_id>/confirm", methods=["POST"])
@permission_required("hotels.manage")
def confirm(year, stay_id):
    """The hotel confirmed the room, with its confirmation number."""
    edition = edition_or_404(year)
    stay = services.get_stay(edition, stay_id) or abort(404)
    form = ConfirmStayForm()
    if form.validate_on_submit():
        try:
            committed(lambda: services.confirm_stay(stay, form.reference.data or "", actor=current_user))
        except HotelError as error:
            form.show(error, "reference")
        else:
            flash(_("%(name)s's room is confirmed by the hotel.", name=stay.person.display_name), "success")
            return redirect(url_for("hotels.hotel", year=year, hotel_id=stay.hotel_id) + f"#stay-{stay.id}", 303)
    if stay.hotel_id is None:  # no hotel page to show the message on: the error page says it
        raise HotelError(next(iter(form.errors.values()))[0], "reference")
    return _hotel_page(edition, overview.hotel_with_rooms(edition, stay.hotel_id), form, stay.id, 422)


@bp.route("/stays/<id:stay_id>/cancel", methods=["GET", "POST"])
@permission_required("hotels.manage")
def cancel(year, stay_id):
    """Cancelling gives the room-nights back and tells the person: asked first."""
    edition = edition_or_404(year)
    stay = services.get_stay(edition, stay_id) or abort(404)
    back = url_for("hotels.hotel", year=year, hotel_id=stay.hotel_id) if stay.hotel_id else url_for("hotels.index", year=year)
    form = CancelStayForm()
    if form.validate_on_submit():
        committed(lambda: services.cancel_stay(stay, actor=current_user))
        flash(_("%(name)s's stay is cancelled.", name=stay.person.display_name), "success")
        return redirect(back, 303)
    return render_template("hotels/cancel.html", edition=edition, stay=stay, form=form, back_url=back,
                           **LABELS), _status(form)


@bp.route("/stays/<id:stay_id>/place", methods=["GET", "POST"])
@permission_required("hotels.manage")
def place(year, stay_id):
    """A manual move: another hotel or room type, or the twin room of another stay. The POST
    reads only what the move needs; the lists of rooms are built only to show the page."""
    edition = edition_or_404(year)
    stay = services.get_stay(edition, stay_id) or abort(404)
    form = PlaceForm()
    conflicts = []
    if form.validate_on_submit():
        try:
            committed(lambda: _place(edition, stay, form.room_type_id.data, form.shares_with_id.data, form.confirm.data))
        except ScheduleError as error:
            conflicts, form.confirm.data = error.conflicts, False
            if not conflicts:
                form.show(error, "room_type_id")
        except HotelError as error:
            form.show(error, "room_type_id")
        else:
            flash(_("%(name)s is placed.", name=stay.person.display_name), "success")
            return redirect(url_for("hotels.hotel", year=year, hotel_id=stay.hotel_id), 303)
    nights, choices = overview.room_choices(stay, services.hotels_of(edition))
    status = 422 if form.errors or conflicts else 200
    return render_template(
        "hotels/place.html", edition=edition, stay=stay, form=form, conflicts=conflicts,
        needs_confirmation=conflicts and not any(c.hard for c in conflicts), nights=nights, choices=choices,
        holders=overview.twin_holders(stay), **LABELS,
    ), status


def _place(edition, stay: Stay, room_type_id: int | None, holder_id: int | None, confirmed: bool) -> None:
    if holder_id is not None:
        holder = services.get_stay(edition, holder_id)
        if holder is None:
            raise HotelError(_("No such stay."), "shares_with_id")
        services.share(stay, holder, confirmed=confirmed, actor=current_user)
        return
    room_type = db.session.get(RoomType, room_type_id) if room_type_id else None
    if room_type is None or room_type.hotel.edition_id != edition.id:
        raise HotelError(_("Choose a hotel and room."), "room_type_id")
    services.place(stay, room_type.hotel, room_type, confirmed=confirmed, actor=current_user)
