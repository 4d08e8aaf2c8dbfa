from datetime import datetime
from pathlib import Path

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from conference.badges import services as badges
from conference.checkin import reports, services, volunteering
from conference.checkin.forms import (
    MODE_LABELS,
    RESULT_LABELS,
    SCANNER_WORDS,
    DeviceForm,
    LookupAdmitForm,
    RuleForm,
)
from conference.checkin.models import RESULTS
from conference.checkin.services import ScanError
from conference.core import clock
from conference.core.database import committed
from conference.core.deletion import confirm_page
from conference.core.links import public_url
from conference.core.permissions import can, permission_required
from conference.core.urls import form_row_id
from conference.editions.localtime import form_local, form_utc, local
from conference.editions.services import list_editions
from conference.editions.views import edition_or_404
from conference.extensions import db
from conference.people.forms import CATEGORY_LABELS
from conference.programme import services as programme
from conference.venues.models import Checkpoint

bp = Blueprint("checkin", __name__)
# What the scanner page needs to open offline; the service worker's cache changes with them.
SCANNER_FILES = ("css/scanner.css", "js/scanner.js", "js/checkin-decide.js", "vendor/jsqr/jsQR.js",
                 "vendor/tweetnacl/nacl-fast.min.js")


def _checkpoint(edition, checkpoint_id) -> Checkpoint:
    checkpoint = db.session.get(Checkpoint, checkpoint_id)
    if checkpoint is None or checkpoint.venue.edition_id != edition.id:
        abort(404)
    return checkpoint


def _checkpoint_choices(edition):
    return [(c.id, f"{c.code} · {c.name}") for c in reports.checkpoints_of(edition)]


@bp.route("/editions/<year:year>/checkin/")
@permission_required("checkin.view")
def index(year):
    edition = edition_or_404(year)
    checkpoints = reports.checkpoints_of(edition)
    inside = {area["area"]: area["inside"] for area in reports.occupancy(edition)}
    devices = services.devices_of(edition)
    return render_template(
        "checkin/index.html", edition=edition, checkpoints=checkpoints, rules=services.rules_of(checkpoints),
        inside=inside, area_of=services.area_of, mode_labels=MODE_LABELS, category_labels=CATEGORY_LABELS,
        paired={c.id: sum(1 for d in devices if d.checkpoint_id == c.id and d.state == "paired") for c in checkpoints},
    )


@bp.route("/editions/<year:year>/checkin/checkpoints/<id:checkpoint_id>", methods=["GET", "POST"])
@permission_required("checkin.manage")
def rules(year, checkpoint_id):
    edition = edition_or_404(year)
    checkpoint = _checkpoint(edition, checkpoint_id)
    rule = services.rule_for(checkpoint)
    form = RuleForm(data=None if request.method == "POST" else {
        "categories": rule.categories, "zones": rule.zones, "session_id": rule.session_id, "mode": rule.mode,
        "opens_at": form_local(edition, rule.opens_at), "closes_at": form_local(edition, rule.closes_at),
        "reentry": rule.reentry, "checks_out_elsewhere": rule.checks_out_elsewhere,
    })
    form.categories.choices = list(CATEGORY_LABELS.items())
    form.zones.choices = [(zone.code, f"{zone.code} · {zone.name}") for zone in badges.zones_of(edition)]
    sessions = programme.programme_sessions(edition, published_only=False)
    form.session_id.choices = [("", _("None: not tied to a session"))] + [(s.id, s.title) for s in sessions]
    if form.validate_on_submit():
        try:
            committed(lambda: services.save_rule(
                checkpoint, form.categories.data or [], form.zones.data or [], form.session_id.data,
                form_utc(edition, form.opens_at.data), form_utc(edition, form.closes_at.data),
                form.mode.data, form.reentry.data, form.checks_out_elsewhere.data))
        except ScanError as error:
            form.show(error, "mode")
        else:
            flash(_("Rules of %(code)s saved; scanners use them within seconds.", code=checkpoint.code), "success")
            return redirect(url_for("checkin.index", year=year))
    return render_template("form_page.html", edition=edition, form=form,
                           title=f"{checkpoint.code} · {checkpoint.name}", back_url=url_for("checkin.index", year=year),
                           back_label=_("Check-in"))


# Scanner devices ----------------------------------------------------------------------------


@bp.route("/editions/<year:year>/checkin/devices", methods=["GET", "POST"])
@permission_required("checkin.manage")
def devices(year):
    edition = edition_or_404(year)
    form = DeviceForm()
    form.checkpoint_id.choices = _checkpoint_choices(edition)
    if form.validate_on_submit():
        checkpoint = _checkpoint(edition, form.checkpoint_id.data)
        try:
            device, code = committed(lambda: services.add_device(checkpoint, form.name.data))
        except ScanError as error:
            form.show(error, "name")
        else:
            link = public_url("checkin.scanner", pair=code)
            return render_template("checkin/pairing.html", edition=edition, device=device, link=link,
                                   qr=Markup(badges.qr_svg(link)), minutes=services.PAIRING_MINUTES)  # noqa: S704  our own SVG
    now = clock.now()
    return render_template("checkin/devices.html", edition=edition, form=form, devices=services.devices_of(edition),
                           health=lambda device: services.health_of(device, now),
                           local=lambda moment: local(edition, moment).strftime("%Y-%m-%d %H:%M"),
                           attention_minutes=services.ATTENTION_MINUTES)


@bp.route("/editions/<year:year>/checkin/devices/<id:device_id>/unpair", methods=["POST"])
@permission_required("checkin.manage")
def unpair(year, device_id):
    edition = edition_or_404(year)
    device = services.device_in(edition, device_id) or abort(404)
    committed(lambda: services.unpair(device))
    flash(_("%(name)s is unpaired: what it scans from now on is refused; scans it made before and has not sent yet are still accepted.",
            name=device.name), "success")
    return redirect(url_for("checkin.devices", year=year))


@bp.route("/editions/<year:year>/checkin/devices/<id:device_id>/delete", methods=["GET", "POST"])
@permission_required("checkin.manage")
def device_delete(year, device_id):
    edition = edition_or_404(year)
    device = services.device_in(edition, device_id) or abort(404)
    back = url_for("checkin.devices", year=year)
    return confirm_page(
        device, edition=edition, title=_("Delete the scanner %(name)s?", name=device.name), back_url=back,
        delete=lambda: services.delete_device(device, actor=current_user), done_url=back,
        done_message=_("Scanner deleted."),
    )


# Occupancy and the scan log -----------------------------------------------------------------


@bp.route("/editions/<year:year>/checkin/occupancy")
@permission_required("checkin.view")
def occupancy(year):
    edition = edition_or_404(year)
    template = "checkin/_live.html" if request.args.get("part") == "live" else "checkin/occupancy.html"
    return render_template(template, edition=edition, areas=reports.occupancy(edition), flow=reports.flow(edition),
                           now_label=local(edition, clock.now()).strftime("%H:%M:%S"))


@bp.route("/editions/<year:year>/checkin/occupancy.json")
@permission_required("checkin.view")
def occupancy_data(year):
    edition = edition_or_404(year)
    return jsonify({"areas": reports.occupancy(edition), "flow": reports.flow(edition)})


def _log_filters(edition) -> reports.LogFilters:
    def moment(name):
        try:
            return form_utc(edition, datetime.strptime(request.args.get(name, ""), "%Y-%m-%dT%H:%M"))
        except ValueError:
            return None

    result = request.args.get("result")
    return reports.LogFilters(
        checkpoint_id=form_row_id(request.args, "checkpoint"), result=result if result in RESULTS else None,
        device_id=form_row_id(request.args, "device"), since=moment("since"), until=moment("until"),
        conflicts_only=request.args.get("conflicts") == "1",
    )


@bp.route("/editions/<year:year>/checkin/scans")
@permission_required("checkin.view")
def scan_log(year):
    edition = edition_or_404(year)
    filters = _log_filters(edition)
    page = form_row_id(request.args, "page") or 1
    rows, total = reports.scan_log(edition, filters, page)
    return render_template(
        "checkin/scans.html", edition=edition, rows=rows, total=total, page=page, page_size=reports.LOG_PAGE,
        filters=filters, args=filters.as_args(edition), checkpoints=reports.checkpoints_of(edition),
        devices=services.devices_of(edition), result_labels=RESULT_LABELS, local=lambda m: local(edition, m),
    )


@bp.route("/editions/<year:year>/checkin/scans.xlsx")
@permission_required("checkin.view")
def scan_log_export(year):
    edition = edition_or_404(year)
    data = committed(lambda: reports.export_log(edition, _log_filters(edition)))
    return Response(data, mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f'attachment; filename="scans-{edition.year}.xlsx"'})


# Manual look-up -----------------------------------------------------------------------------


@bp.route("/editions/<year:year>/checkin/lookup", methods=["GET", "POST"])
@permission_required("checkin.lookup")
def lookup(year):
    edition = edition_or_404(year)
    form = LookupAdmitForm()
    form.checkpoint_id.choices = _checkpoint_choices(edition)
    query = (request.values.get("q") or "").strip()[:100]
    answer = None
    if request.method == "POST" and form.validate_on_submit():
        badge = db.session.get(badges.Badge, form_row_id(request.form, "badge_id") or 0)
        if badge is None or badge.edition_id != edition.id:
            abort(404)
        checkpoint = _checkpoint(edition, form.checkpoint_id.data)
        answer = committed(lambda: reports.admit_by_hand(badge, checkpoint, form.reason.data, actor=current_user))
    found = committed(lambda: reports.look_up(edition, query)) if query else []  # each look-up is audited
    return render_template("checkin/lookup.html", edition=edition, form=form, q=query, found=found, answer=answer,
                           result_labels=RESULT_LABELS, category_labels=CATEGORY_LABELS)


# The scanner page ---------------------------------------------------------------------------


def _scanner_texts() -> dict:
    """What the page's script says, in the volunteer's language."""
    return {
        "results": {**{key: str(label) for key, label in SCANNER_WORDS.items()},
                    # the page's own answers, never the server's
                    "not_a_badge": _("NOT A BADGE"), "refused": _("NOT ACCEPTED"), "not_paired": _("NOT PAIRED")},
        "reasons": {key: str(text) for key, text in services.REASONS.items()},
        "categories": {key: str(label) for key, label in CATEGORY_LABELS.items()},
        "offline": _("Offline: this phone decides on its own."),
        "waiting": _("%(count)s scans waiting to be sent."),
        "sending": _("Sending %(count)s scans…"),
        "conflicts": _("%(count)s scans were also admitted by another phone while offline; the organizers see them in the scan log."),
        "no_snapshot": _("Offline and this phone has no badge list yet: connect once to download it."),
        "decided_here": _("Decided on this phone (offline)."),
        "unpaired": _("This phone has been unpaired. Ask an organizer for a new pairing QR."),
        "pair_failed": _("This pairing code is unknown, used or expired. Ask for a new pairing QR."),
        "token_failed": _("This token does not work. Check it, or ask for a new one."),
        "confirm_forget": _("Unpair this phone? Scans waiting to be sent are sent first when possible."),
        "kept": _("%(count)s scans could not be sent yet. They stay on this phone and are sent when the network returns."),
        "refused_default": _("The server did not accept this scan."),
        "last_sync": _("Last sync: %(time)s."),
        "never_synced": _("Not synced yet."),
        "entry": _("Entry"),
        "exit": _("Exit"),
        "shift_results": {
            "checked_in": _("CHECKED IN"), "checked_out": _("CHECKED OUT"), "already_checked_in": _("ALREADY CHECKED IN"),
            "already_checked_out": _("ALREADY CHECKED OUT"), "no_shift": _("NO SHIFT NOW"),
            "not_a_volunteer": _("NOT A VOLUNTEER"), "own_badge": _("YOUR OWN BADGE"),
            "needs_network": _("NEEDS THE NETWORK"),
        },
        "shift_needs_network": _("Shift check-in needs the network: the server decides it, never this phone. "
                                 "Nothing was recorded; scan again when the phone is online."),
        "shift_over": _("Your shift's scanning rights have ended."),
    }


@bp.route("/scan/")
def scanner():
    """The volunteer's page. It needs no login: the device token in the phone's storage is
    its key. A supervisor who is also signed in sees the link to the manual look-up; a
    volunteer signed in with their account gets a token from their shift (shift_rights)."""
    lookup_years = []
    if current_user.is_authenticated and can(current_user, "checkin.lookup"):
        lookup_years = [edition.year for edition in list_editions()]
    volunteer = current_user.is_authenticated and bool(volunteering.volunteers_of(current_user))
    response = Response(render_template("checkin/scanner.html", lookup_years=lookup_years, texts=_scanner_texts(),
                                        volunteer=volunteer))
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.route("/scan/shift-rights", methods=["POST"])
def shift_rights():
    """The scanner page of a signed-in volunteer asks for its token: one for the checkpoint of
    the shift on now, valid from half an hour before it to half an hour after; or why not, with
    the next shift. Asked by the page's script (its session and CSRF token), never a GET, so
    that neither a link nor the page's offline copy makes a token."""
    if not current_user.is_authenticated:
        return jsonify({"error": _("Sign in with your volunteer account to scan during your shift.")}), 401
    try:
        rights = committed(lambda: volunteering.rights_for(current_user, clock.now()))
    except volunteering.NoScanningRights as refusal:
        coming = refusal.next_place
        return jsonify({"error": str(refusal.message),
                        "next_shift": volunteering.shift_json(coming) if coming is not None else None}), 403
    device, checkpoint = rights.device, rights.device.checkpoint
    edition_zone = lambda moment: local(checkpoint.venue.edition, moment)  # noqa: E731
    return jsonify({
        "token": rights.token, "device": {"id": device.id, "name": device.name},
        "checkpoint": {"id": checkpoint.id, "code": checkpoint.code, "name": checkpoint.name},
        "valid_from": edition_zone(device.valid_from).isoformat(), "valid_until": edition_zone(device.valid_until).isoformat(),
        "seconds_left": int((device.valid_until - clock.now()).total_seconds()),  # a phone's clock may be off
        "shift": volunteering.shift_json(rights.place),
        "message": _("Scanning at %(checkpoint)s until %(time)s, for your shift %(when)s.", checkpoint=checkpoint.name,
                     time=edition_zone(device.valid_until).strftime("%H:%M"), when=volunteering.when(rights.place)),
    })


@bp.route("/scan/sw.js")
def service_worker():
    """Served under /scan/ so that it may control the scanner page; it keeps the page and its
    scripts so the page opens without a network after one visit."""
    shell = ["/scan/"] + [url_for("static", filename=name) for name in SCANNER_FILES]
    stamp = max(int((Path(current_app.static_folder) / name).stat().st_mtime) for name in SCANNER_FILES)
    response = Response(render_template("checkin/sw.js", shell=shell, version=stamp), mimetype="text/javascript")
    response.headers["Cache-Control"] = "no-cache"
    return response
