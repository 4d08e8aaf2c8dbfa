"""Auto-assign's pages: the preview of what would be placed, and its save."""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import HiddenField

from conference.core.database import committed
from conference.core.forms import ConferenceForm
from conference.core.permissions import permission_required
from conference.editions.views import edition_or_404
from conference.hotels import assign
from conference.hotels.assign import AssignError
from conference.people.forms import CATEGORY_LABELS

bp = Blueprint("hotels_assign", __name__, url_prefix="/editions/<year:year>/hotels/assign")
SHOWN = 300  # stays listed as not placed; the command line lists them all


class AssignForm(ConferenceForm):
    # The plan the organizer saw: if another plan would be saved, it is shown instead.
    plan = HiddenField()


KIND_NAMES = {"guest": _l("Guest hotels"), "audience": _l("Invited audience hotels"), "staff": _l("Staff hotels"),
              None: _l("No kind of hotel")}


@bp.route("/", methods=["GET", "POST"])
@permission_required("hotels.manage")
def preview(year):
    edition = edition_or_404(year)
    plan = assign.plan(edition)
    form = AssignForm()
    status = 200
    if form.validate_on_submit():
        if form.plan.data != plan.fingerprint:
            flash(_("Rooms or requests changed since this preview: look at the new preview and save again."), "error")
            status = 409
        else:
            try:
                applied = committed(lambda: assign.apply(plan, actor=current_user))
            except AssignError as error:
                flash(str(error.message), "error")
                plan, status = assign.plan(edition), 409
            else:
                assign.tell(applied)
                flash(_("%(placed)d people placed, %(waiting)d on the waiting list.", placed=len(applied.placed),
                        waiting=len(applied.waitlisted)), "success")
                return redirect(url_for("hotels.index", year=year), 303)
    elif form.is_submitted():
        status = 400  # only a missing or stale CSRF token fails this form
        flash(_("This page had expired: look at the preview again and save."), "error")
    form.plan.data = plan.fingerprint
    return render_template("hotels/assign/preview.html", edition=edition, plan=plan, form=form, shown=SHOWN,
                           kind_names=KIND_NAMES, category_labels=CATEGORY_LABELS), status
