"""The reception group's list of hotel nights no shift justifies."""

from flask import Blueprint, render_template

from conference.core.permissions import permission_required
from conference.editions.views import edition_or_404
from conference.volunteers import nights

bp = Blueprint("volunteers_nights", __name__)


@bp.route("/editions/<year:year>/volunteers/idle-nights")
# hotels.view: the page shows who sleeps in which hotel on which night, the hotels' data; the
# shifts beside them are what volunteers.view shows anyway. Both are the staff's today.
@permission_required("hotels.view")
def idle_nights(year):
    edition = edition_or_404(year)
    found = nights.idle_nights(edition)
    return render_template("volunteers/nights/idle.html", edition=edition, nights=found,
                           people=len({idle.person.id for idle in found}))
