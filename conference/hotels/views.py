"""The organizers' hotel pages."""

from flask import Blueprint, render_template

from conference.core.permissions import permission_required
from conference.editions.views import edition_or_404
from conference.hotels import services

bp = Blueprint("hotels", __name__, url_prefix="/editions/<year:year>/hotels")


@bp.route("/")
@permission_required("hotels.view")
def index(year):
    edition = edition_or_404(year)
    return render_template("hotels/index.html", edition=edition, hotels=services.hotels_of(edition))
