"""The organizers' hotel pages."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from conference.core.database import committed
from conference.core.permissions import permission_required
from conference.core.schedule import ScheduleError
from conference.editions.views import edition_or_404
from conference.extensions import db
from conference.hotels import services
from conference.hotels.forms import PlaceForm
from conference.hotels.models import RoomType, Stay
from conference.hotels.services import HotelError

bp = Blueprint("hotels", __name__, url_prefix="/editions/<year:year>/hotels")


@bp.route("/")
@permission_required("hotels.view")
def index(year):
    edition = edition_or_404(year)
    return render_template("hotels/index.html", edition=edition, hotels=services.hotels_of(edition))


@bp.route("/stays/<id:stay_id>/place", methods=["GET", "POST"])
@permission_required("hotels.manage")
def place(year, stay_id):
    """A manual move: another hotel or room type, or the twin room of another stay."""
    edition = edition_or_404(year)
    stay = services.get_stay(edition, stay_id) or abort(404)
    hotels = services.hotels_of(edition)
    form = PlaceForm()
    form.room_type_id.choices = [SelectChoice("", "—")] + [
        SelectChoice(str(room_type.id), f"{hotel.code} {hotel.name} · {services.room_label(room_type)}")
        for hotel in hotels for room_type in hotel.room_types]
    form.shares_with_id.choices = [SelectChoice("", "—")]
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
            return redirect(url_for("hotels.index", year=year), 303)
    status = 422 if form.errors or conflicts else 200
    return render_template(
        "hotels/place.html", edition=edition, stay=stay, form=form, conflicts=conflicts,
        needs_confirmation=conflicts and not any(c.hard for c in conflicts),
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
