"""Rooming lists: the organizers' page per hotel (what changed since the list last sent, the
history of lists sent), the Excel file and the printed page for the hotel. What goes to a hotel
is for those who manage hotels."""

import io
import re

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from conference.core.database import committed
from conference.core.models import utcnow
from conference.core.permissions import permission_required
from conference.core.spreadsheet import local_time
from conference.editions.views import edition_or_404
from conference.extensions import db
from conference.hotels import rooming, services
from conference.hotels.models import RoomingListSent

bp = Blueprint("hotels_rooming", __name__, url_prefix="/editions/<year:year>/hotels")


def _hotel_and_night(year, hotel_id, night_text):
    edition = edition_or_404(year)
    hotel = services.get_hotel(edition, hotel_id) or abort(404)
    return edition, hotel, rooming.parse_night(hotel, night_text)


def _filename(hotel, night, ext: str) -> str:
    code = re.sub(r"[^A-Za-z0-9-]", "", hotel.code) or "hotel"
    return f"rooming-{code}-{night.isoformat() if night else 'all'}.{ext}"


@bp.route("/rooming/")
@permission_required("hotels.manage")
def overview(year):
    """Every hotel with its guests and when its whole-stay list was last sent."""
    edition = edition_or_404(year)
    hotels = services.hotels_of(edition)
    last = {hotel_id: when for hotel_id, when in db.session.execute(
        select(RoomingListSent.hotel_id, func.max(RoomingListSent.sent_at))
        .where(RoomingListSent.hotel_id.in_([hotel.id for hotel in hotels]))
        .group_by(RoomingListSent.hotel_id))}
    return render_template("hotels/rooming/overview.html", edition=edition, hotels=hotels, last=last)


@bp.route("/<id:hotel_id>/rooming")
@permission_required("hotels.manage")
def page(year, hotel_id):
    """The list with document numbers masked, what changed, and the lists sent."""
    edition, hotel, night = _hotel_and_night(year, hotel_id, request.args.get("night"))
    listed = rooming.rooming_list(hotel, night)
    return render_template(
        "hotels/rooming/page.html", edition=edition, hotel=hotel, night=night, rooming=listed,
        nights=rooming.night_choices(hotel), changes=rooming.changes(hotel, night, listed),
        history=rooming.sent_lists(hotel), labels=rooming,
    )


@bp.route("/<id:hotel_id>/rooming.xlsx")
@permission_required("hotels.manage")
def xlsx(year, hotel_id):
    _edition, hotel, night = _hotel_and_night(year, hotel_id, request.args.get("night"))
    data = committed(lambda: rooming.rooming_list_xlsx(hotel, night, actor=current_user))
    response = send_file(io.BytesIO(data), as_attachment=True, download_name=_filename(hotel, night, "xlsx"),
                         mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response.headers["Cache-Control"] = "no-store"  # document numbers
    return response


@bp.route("/<id:hotel_id>/rooming/print")
@permission_required("hotels.manage")
def printed(year, hotel_id):
    """The list as the hotel gets it on paper, with document numbers: an export, audited."""
    edition, hotel, night = _hotel_and_night(year, hotel_id, request.args.get("night"))
    listed = committed(lambda: rooming.export(hotel, night, "print", actor=current_user))
    printed_at = local_time(utcnow(), edition.timezone).strftime("%Y-%m-%d %H:%M")
    response = render_template("hotels/rooming/print.html", edition=edition, hotel=hotel, night=night,
                               rooming=listed, labels=rooming, printed_at=printed_at)
    # Document numbers: no cache keeps the page.
    return response, 200, {"Cache-Control": "no-store"}


@bp.route("/<id:hotel_id>/rooming/sent", methods=["POST"])
@permission_required("hotels.manage")
def sent(year, hotel_id):
    """Mark the list as it is now as sent to the hotel."""
    _edition, hotel, night = _hotel_and_night(year, hotel_id, request.form.get("night"))
    committed(lambda: rooming.mark_sent(hotel, night, actor=current_user))
    flash(_("The list is marked as sent to %(hotel)s; changes are now counted from it.", hotel=hotel.name), "success")
    return redirect(url_for("hotels_rooming.page", year=year, hotel_id=hotel.id,
                            night=night.isoformat() if night else None), 303)
