from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from pydantic import BaseModel
from spectree import Response as ApiResponse

from conference.badges import jobs, services
from conference.badges.forms import BatchForm, PrintForm, ReasonForm
from conference.core.database import committed
from conference.core.permissions import can, permission_required
from conference.editions.views import edition_or_404
from conference.extensions import api, csrf
from conference.registration.services import find_by_token

bp = Blueprint("badges", __name__)


def _pdf(data: bytes, name: str) -> Response:
    return Response(data, mimetype="application/pdf", headers={"Content-Disposition": f'inline; filename="{name}"'})


@bp.route("/editions/<year:year>/badges/", methods=["GET", "POST"])
@permission_required("people.view")
def index(year):
    edition = edition_or_404(year)
    form = BatchForm()
    if request.method == "POST" and not can(current_user, "badges.print"):
        abort(403)
    if form.validate_on_submit():
        filters = {"category": form.category.data, "organisation": form.organisation.data or "",
                   "not_printed": form.not_printed.data, "sort": form.sort.data, "layout": form.layout.data,
                   "limit": form.limit.data}
        job = committed(lambda: services.start_batch(edition, filters, actor=current_user))
        jobs.render_batch(job.id)
        return redirect(url_for("core.job", job_id=job.id))
    query = (request.args.get("q") or "")[:100]
    return render_template("badges/index.html", edition=edition, form=form, q=query,
                           badges=services.select_badges(edition, limit=100, query_text=query),
                           total=services.count_badges(edition))


@bp.route("/editions/<year:year>/badges/batches/<id:batch_id>")
@permission_required("badges.print")
def batch(year, batch_id):
    """A batch's page before batches became jobs: links kept from then lead to the job's page."""
    found = services.get_batch(edition_or_404(year), batch_id) or abort(404)
    return redirect(url_for("core.job", job_id=found.id), 301)


@bp.route("/editions/<year:year>/badges/batches/<id:batch_id>.pdf")
@permission_required("badges.print")
def batch_pdf(year, batch_id):
    found = services.get_batch(edition_or_404(year), batch_id) or abort(404)
    return redirect(url_for("core.job_file", job_id=found.id, suffix="pdf"), 301)


@bp.route("/editions/<year:year>/badges/zones")
@permission_required("people.view")
def zones(year):
    edition = edition_or_404(year)
    return render_template("badges/zones.html", edition=edition, zones=services.zones_of(edition))


@bp.route("/editions/<year:year>/badges/zones/<id:zone_id>/retire", methods=["GET", "POST"])
@permission_required("people.manage")
def zone_retire(year, zone_id):
    """Retiring asks first (GET says what it means); the POST carries the form's token."""
    edition = edition_or_404(year)
    zone = services.get_zone(edition, zone_id) or abort(404)
    if request.method == "POST":
        committed(lambda: services.retire_zone(services.get_zone(edition, zone_id), actor=current_user))
        flash(_("Zone %(code)s is retired: no new badge gets it; badges already printed keep it.", code=zone.code), "success")
        return redirect(url_for("badges.zones", year=year))
    return render_template("badges/zone_retire.html", edition=edition, zone=zone)


@bp.route("/editions/<year:year>/badges/<id:badge_id>")
@permission_required("people.view")
def detail(year, badge_id):
    edition = edition_or_404(year)
    badge = services.get_badge(edition, badge_id) or abort(404)
    form = ReasonForm()
    return render_template("badges/detail.html", edition=edition, badge=badge, form=form, print_form=PrintForm(),
                           zones=services.zones_in(services.zone_mask(badge, services.zones_of(edition)), services.zones_of(edition)))


@bp.route("/editions/<year:year>/badges/<id:badge_id>/<action>", methods=["POST"])
@permission_required("people.manage")
def change(year, badge_id, action):
    edition = edition_or_404(year)
    form = ReasonForm()
    if action not in ("reissue", "revoke") or not form.validate_on_submit():
        flash(_("Give a reason; it is written to the audit log."), "error")
        return redirect(url_for("badges.detail", year=year, badge_id=badge_id))
    work = services.reissue if action == "reissue" else services.revoke
    committed(lambda: work(services.get_badge(edition, badge_id) or abort(404), form.reason.data, actor=current_user))
    flash(_("Badge reissued: the old one no longer opens any door.") if action == "reissue" else _("Badge revoked."), "success")
    return redirect(url_for("badges.detail", year=year, badge_id=badge_id))


@bp.route("/editions/<year:year>/badges/<id:badge_id>.pdf", methods=["POST"])
@permission_required("badges.print")
def single(year, badge_id):
    """Print one badge: records the printing and keeps the code printed, so a POST with its
    token. Printing a version again asks first; a revoked badge or an old version is refused."""
    edition = edition_or_404(year)
    badge = services.get_badge(edition, badge_id) or abort(404)
    form = PrintForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        services.printable(badge, form.version.data)
        if badge.version_printed and form.again.data != "1":
            return render_template("badges/reprint.html", edition=edition, badge=badge, form=form), 409
        data = committed(lambda: services.single_pdf(services.get_badge(edition, badge_id), actor=current_user,
                                                     layout=form.layout.data, version=form.version.data))
    except services.BadgeError as refusal:
        return render_template("badges/refused.html", edition=edition, badge=badge, message=refusal.message), 409
    return _pdf(data, f"badge-{badge.serial}.pdf")


@bp.route("/r/<token>/badge.pdf")
def own_badge(token):
    """The holder's own copy from their private page: a read, which records no printing."""
    registration = find_by_token(token)
    if registration is None or registration.status != "approved":
        abort(404)
    badge = services.badge_of(registration.person)
    if badge is None or badge.status != "active":
        abort(404)
    return _pdf(services.own_pdf(badge), f"badge-{badge.serial}.pdf")


class KeyOut(BaseModel):
    edition: int
    algorithm: str
    public_key: str
    payload_prefix: str


@bp.route("/api/v1/editions/<year:year>/badge-key")
@api.validate(resp=ApiResponse(HTTP_200=KeyOut, HTTP_404=None), tags=["badges"])
def public_key(year):
    """The Ed25519 key that verifies this edition's badge payloads offline (base64url, raw); 404
    before the edition's first badge, whose issue makes the key."""
    edition = edition_or_404(year)
    key = services.find_key(edition) or abort(404)
    return jsonify({"edition": edition.year, "algorithm": "Ed25519", "public_key": key.public_key, "payload_prefix": "C1"})


csrf.exempt(public_key)


def the_badge(registration, **page) -> dict:
    """For badges' sections on the attendee's own pages (conference/badges/__init__.py)."""
    return {"badge": services.badge_of(registration.person)}
