"""Service record certificates: the public verification page, the volunteer's own certificate
and a working group's certificates in one PDF."""

from datetime import date

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from conference.core import audit, clock
from conference.core.database import committed
from conference.core.i18n import current_locale
from conference.core.permissions import can
from conference.editions.views import edition_or_404
from conference.extensions import limiter
from conference.volunteers import records, records_jobs, services
from conference.volunteers.records_forms import BatchForm, IssueForm, SerialForm
from conference.volunteers.services import VolunteerError

bp = Blueprint("volunteers_records", __name__)

# Names and hours of volunteers: not for search engines, not sent on as a Referer.
PRIVATE_HEADERS = {"X-Robots-Tag": "noindex, nofollow", "Referrer-Policy": "no-referrer", "Cache-Control": "no-store"}


def _verify_limit() -> str:
    return current_app.config.get("CERTIFICATE_VERIFY_RATE_LIMIT", "60 per minute")


def _miss_limit() -> str:
    # Numbers that are not found: someone trying numbers, not someone holding a certificate.
    return current_app.config.get("CERTIFICATE_MISS_RATE_LIMIT", "30 per hour")


def _not_found(response) -> bool:
    return response.status_code == 404


def _pdf(data: bytes, name: str) -> Response:
    return Response(data, mimetype="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{name}"', "Cache-Control": "no-store"})


# The public verification page ------------------------------------------------------------------


@bp.route("/verify/volunteer/")
@limiter.limit(_verify_limit)
def verify_lookup():
    """A number typed from the paper certificate leads to its page."""
    form = SerialForm(request.args)
    if "serial" not in request.args:
        return render_template("volunteers/records/lookup.html", form=SerialForm(formdata=None)), 200, PRIVATE_HEADERS
    if form.validate():
        serial = records.normalise_serial(form.serial.data)
        if serial is not None:
            return redirect(url_for("volunteers_records.verify", serial=serial))
        form.serial.errors = [*form.serial.errors, _("This is not a certificate number: it has 20 letters and digits, "
                                                     "as XXXX-XXXX-XXXX-XXXX-XXXX.")]
    return render_template("volunteers/records/lookup.html", form=form), 422, PRIVATE_HEADERS


# <path:…>: any text under the prefix, slashes too, is a number not found, never another page.
@bp.route("/verify/volunteer/<path:serial>")
@limiter.limit(_verify_limit)
@limiter.limit(_miss_limit, deduct_when=_not_found, key_func=lambda: f"certificate-miss:{request.remote_addr}")
def verify(serial):
    """What a certificate states, as issued, and whether it still holds: nothing else."""
    record = records.record_by_serial(serial)
    if record is None:
        return render_template("volunteers/records/missing.html", form=SerialForm(formdata=None)), 404, PRIVATE_HEADERS
    return render_template("volunteers/records/verify.html", **records.shown(record)), 200, PRIVATE_HEADERS


# The volunteer's own certificate ---------------------------------------------------------------


def _own_volunteer(year):
    edition = edition_or_404(year)
    return edition, services.volunteer_of(current_user, edition) or abort(404)


@bp.route("/volunteer/<year:year>/me/certificate", methods=["GET", "POST"])
@login_required
def own_certificate(year):
    edition, volunteer = _own_volunteer(year)
    form = IssueForm()
    status = 200
    if form.validate_on_submit():
        try:
            record, new = committed(lambda: records.issue(volunteer, clock.now(), actor=current_user))
        except VolunteerError as refusal:
            flash(str(refusal.message), "error")
            status = 422
        else:
            flash(_("Your certificate %(serial)s is issued.", serial=record.serial) if new
                  else _("Your certificate %(serial)s still states your hours: here it is again.", serial=record.serial),
                  "success")
            return redirect(url_for("volunteers_records.own_certificate", year=year))
    elif request.method == "POST":
        status = 400
    current = records.current_record(volunteer)
    facts = records.facts_of(volunteer)
    return render_template(
        "volunteers/records/mine.html", edition=edition, volunteer=volunteer, form=form, record=current,
        up_to_date=current is not None and records.facts_of_record(current) == facts,
        days=[(date.fromisoformat(day), records.hours_text(minutes)) for day, minutes in sorted(facts.minutes_by_day.items())],
        total=records.hours_text(facts.total), has_hours=facts.total > 0,
        shown=records.shown(current) if current is not None else None), status, {"Cache-Control": "private, no-store"}


@bp.route("/volunteer/<year:year>/me/certificate.pdf")
@login_required
def own_certificate_pdf(year):
    """The volunteer's current certificate, in the language they read the site in. Their own: not audited."""
    _, volunteer = _own_volunteer(year)
    record = records.current_record(volunteer) or abort(404)
    return _pdf(records.certificate_pdf(record, current_locale()), f"certificate-{record.serial}.pdf")


# A working group's certificates ----------------------------------------------------------------


def _group_or_abort(year, group_id):
    edition = edition_or_404(year)
    group = services.get_group(edition, group_id) or abort(404)
    if not can(current_user, "volunteers.manage", group):
        abort(403)
    return edition, group


@bp.route("/editions/<year:year>/volunteers/groups/<id:group_id>/certificates", methods=["GET", "POST"])
@login_required
def group_certificates(year, group_id):
    """Organizers and the group's leads: each volunteer's hours and certificate, and all of
    them in one PDF, made in the background."""
    edition, group = _group_or_abort(year, group_id)
    form = BatchForm()
    status = 200
    if form.validate_on_submit():
        try:
            job = committed(lambda: records.start_batch(services.get_group(edition, group_id), clock.now(),
                                                        form.language.data or None, actor=current_user))
        except VolunteerError as refusal:
            form.show(refusal, "language")
            status = 422
        else:
            records_jobs.render_certificates(job.id)
            return redirect(url_for("core.job", job_id=job.id))
    elif request.method == "POST":
        status = 422 if form.errors else 400
    return render_template("volunteers/records/group.html", edition=edition, group=group, form=form,
                           lines=records.group_lines(group), hours_text=records.hours_text), status


@bp.route("/editions/<year:year>/volunteers/groups/<id:group_id>/certificates/<id:record_id>.pdf")
@login_required
def group_certificate_pdf(year, group_id, record_id):
    """One volunteer's current certificate, for their group's lead or an organizer: audited."""
    edition, group = _group_or_abort(year, group_id)
    record = records.group_record(group, record_id) or abort(404)
    committed(lambda: audit.record("service_record.download", record, detail={"serial": record.serial}))
    return _pdf(records.certificate_pdf(record), f"certificate-{record.serial}.pdf")
