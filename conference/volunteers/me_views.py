"""The volunteer's own pages, signed in with their account: the phone page with their shifts,
where to go and whom to call, their trainings and hours, and their shifts as a calendar file."""

from flask import Blueprint, Response, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from conference.core import clock
from conference.editions.views import edition_or_404
from conference.volunteers import me, services

bp = Blueprint("volunteers_me", __name__, url_prefix="/volunteer/<year:year>/me")


def _private(response: Response) -> Response:
    """A volunteer's shifts are theirs: kept out of shared caches."""
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _refusal(edition) -> Response:
    """Signed in, but not an accepted volunteer of this edition: what the page is for, and where
    to apply, rather than a bare 403."""
    apply_url = url_for("volunteers_apply.apply", year=edition.year)
    return _private(Response(render_template("volunteers/me/not_a_volunteer.html", edition=edition,
                                             apply_url=apply_url), 403))


def home(user) -> str | None:
    """A volunteer lands on their own page after signing in, not on the staff's edition list."""
    edition = services.volunteering_edition(user)
    return url_for("volunteers_me.page", year=edition.year) if edition is not None else None


@bp.route("/")
@login_required
def page(year):
    edition = edition_or_404(year)
    volunteer = services.volunteer_of(current_user, edition)
    if volunteer is None:
        return _refusal(edition)
    mine = me.my_page(volunteer, clock.now())
    return _private(Response(render_template(
        "volunteers/me/page.html", edition=edition, mine=mine, hours=me.hours_label, notes=me.notes,
        worked=services.worked_minutes, written_place=me.written_place,
        open_shifts_url=url_for("volunteers_signup.open_shifts", year=edition.year),
        certificate_url=url_for("volunteers_records.own_certificate", year=edition.year),
    )))


@bp.route("/shifts.ics")
@login_required
def calendar(year):
    edition = edition_or_404(year)
    volunteer = services.volunteer_of(current_user, edition)
    if volunteer is None:
        return _refusal(edition)
    body = me.shifts_ical(volunteer, _("My shifts: %(edition)s", edition=edition.title))
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Disposition"] = f'attachment; filename="shifts-{edition.year}.ics"'
    return _private(response)
