"""Registration pages: the public form and the attendee's own page; the organizers' list,
decisions, reveals, codes, seats, imports, exports and statistics."""

import hashlib
import io
import json
from datetime import UTC, datetime, time

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from conference.core.database import committed
from conference.core.deletion import confirm_page
from conference.core.i18n import current_locale
from conference.core.permissions import can, permission_required
from conference.core.urls import form_row_id
from conference.editions.localtime import form_local, form_utc
from conference.editions.services import current_edition
from conference.editions.views import edition_or_404
from conference.extensions import limiter
from conference.programme.services import programme_sessions
from conference.registration import exchange, services
from conference.registration.forms import (
    BOOKING_LABELS,
    FIELD_LABELS,
    ID_TYPE_LABELS,
    STATUS_LABELS,
    CategoryForm,
    CodesForm,
    DecisionForm,
    ExportReasonForm,
    ImportForm,
    LinkAgainForm,
    NoticeForm,
    RegistrationForm,
    RevealForm,
    SeatsForm,
    nationality_choices,
)
from conference.registration.services import RegistrationError, RegistrationFields

bp = Blueprint("registration", __name__)

PAGE_SIZE = 50
# Form fields for the service's error keys.
ERROR_FIELDS = {
    "privacy_notice": "consent_privacy",
    "identity_document": "consent_identity",
    "photo_consent": "consent_photo",
    "guardian": "consent_guardian",
}
LABELS = {"statuses": STATUS_LABELS, "bookings": BOOKING_LABELS, "id_types": ID_TYPE_LABELS}


def _registration_limit() -> str:
    return current_app.config["REGISTRATION_RATE_LIMIT"]


def _wrong_code(response) -> bool:
    return bool(g.get("wrong_code"))


def _link_again_limit() -> str:
    return current_app.config["LINK_AGAIN_RATE_LIMIT"]


def _link_again_mailbox_limit() -> str:
    return current_app.config["LINK_AGAIN_MAILBOX_RATE_LIMIT"]


def _mailbox_key() -> str:
    """One address is not sent more than a few links, whoever asks from wherever."""
    address = (request.form.get("email") or "").strip().lower()
    return "link-again:" + hashlib.sha256(address.encode()).hexdigest()[:32]


# The public form ----------------------------------------------------------------------------


def _prepare(form: RegistrationForm, edition, fixed_category=None) -> dict:
    every = services.categories_of(edition)
    notice = services.current_notice(edition)
    if fixed_category is not None:
        categories, later = every, []
    elif notice is None or notice.needs_review:
        notice, categories, later = None, [], []
    else:
        categories = services.open_categories(edition)
        later = [services.window_refusal(c) for c in every if c not in categories]
    form.category.choices = [SelectChoice(c.code, c.name) for c in categories]
    form.nationality.choices = nationality_choices()
    sessions = services.choosable_sessions(edition)
    form.sessions.choices = [SelectChoice(s.id, s.title) for s in sessions]
    if notice is not None and not form.notice_version.data:
        form.notice_version.data = str(notice.version)
    return {
        "edition": edition, "form": form, "notice": notice, "categories": categories, "later": later,
        "required_for": {name: [c for c in categories if name in (c.required_fields or [])] for name in FIELD_LABELS},
        "sessions": sessions, "seats_left": services.seats_left(edition), "fixed_category": fixed_category,
        "session_categories": {s.id: [c.code for c in categories if s.id in (c.session_ids or [])] for s in sessions},
    }


def _fields(form: RegistrationForm) -> RegistrationFields:
    try:
        version = int(form.notice_version.data or 0)
    except ValueError:
        version = 0
    consents = {}
    for kind, box in (("privacy_notice", form.consent_privacy), ("identity_document", form.consent_identity),
                      ("photo", form.consent_photo), ("guardian", form.consent_guardian)):
        if box.data:
            consents[kind] = version
    upload = form.photo.data
    photo = upload.read() if upload and getattr(upload, "filename", "") else None
    return RegistrationFields(
        category=form.category.data or "", invitation_code=form.invitation_code.data or "",
        family_name=form.family_name.data or "", given_name=form.given_name.data or "",
        organisation=form.organisation.data or "", title=form.title.data or "",
        email=form.email.data or "", phone=form.phone.data or "",
        id_type=form.id_type.data or "", id_number=form.id_number.data or "",
        nationality=form.nationality.data or None, consents=consents,
        sessions=[int(s) for s in (form.sessions.data or [])], guardian_name=form.guardian_name.data or "",
        photo=photo, locale=current_locale(),
    )


def _show_errors(form: RegistrationForm, error: RegistrationError) -> None:
    for key, message in error.errors.items():
        target = getattr(form, ERROR_FIELDS.get(key, key), None)
        if target is None:
            form.form_errors.append(message)
        else:
            target.errors = [*target.errors, message]
    if "invitation_code" in error.errors:
        g.wrong_code = True


@bp.route("/register/")
def register_current():
    edition = current_edition() or abort(404)
    return redirect(url_for("registration.register", year=edition.year))


@bp.route("/register/<year:year>/", methods=["GET", "POST"])
@limiter.limit(_registration_limit, methods=["POST"])
@limiter.limit("10 per hour", methods=["POST"], deduct_when=_wrong_code, key_func=lambda: f"code:{request.remote_addr}")
def register(year):
    edition = edition_or_404(year)
    form = RegistrationForm()
    if request.method == "GET" and request.args.get("category"):
        form.category.data = request.args["category"]
    # The choices (sessions, countries) are needed to show the form, not to check it: the
    # service checks every value itself.
    if form.validate_on_submit():
        fields = _fields(form)
        try:
            registration, token = committed(lambda: services.register(edition, fields))
        except RegistrationError as error:
            _show_errors(form, error)
        else:
            flash(_("Thank you. Your registration has been received."), "success")
            return redirect(url_for("registration.own_page", token=token))
    status = 200 if request.method == "GET" or not form.errors and not form.form_errors else 422
    return render_template("registration/form.html", link_form=LinkAgainForm(formdata=None), **_prepare(form, edition)), status


@bp.route("/register/<year:year>/link", methods=["GET", "POST"])
@limiter.limit(_link_again_limit, methods=["POST"])
@limiter.limit(_link_again_mailbox_limit, methods=["POST"], key_func=_mailbox_key)
def link_again(year):
    """"Send me my link again": the same answer whether or not the address is known."""
    edition = edition_or_404(year)
    form = LinkAgainForm()
    if form.validate_on_submit():
        address = form.email.data or ""
        try:
            committed(lambda: services.send_link_again(edition, address))
        except RegistrationError as error:
            form.email.errors = [*form.email.errors, *error.errors.values()]
        else:
            flash(_("If %(email)s is the address of a registration for this conference, its private link is on its way there. "
                    "Nothing arrives? Check the spam folder, or ask the organizers.", email=address.strip()), "success")
            return redirect(url_for("registration.link_again", year=year))
    status = 422 if form.errors else 200
    return render_template("registration/link_again.html", edition=edition, link_form=form), status


# The attendee's own page --------------------------------------------------------------------


def _own(token):
    registration = services.find_by_token(token)
    if registration is None:
        abort(404)
    return registration


@bp.after_app_request
def _private_pages_stay_private(response):
    if request.path.startswith("/r/"):
        response.headers["X-Robots-Tag"] = "noindex, nofollow"
        response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/r/<token>")
def own_page(token):
    registration = _own(token)
    edition = registration.edition
    positions = {b.id: services.waitlist_position(b) for b in registration.bookings}
    return render_template(
        "registration/own.html", registration=registration, edition=edition, token=token,
        positions=positions, labels=LABELS, decision=DecisionForm(),
        link=services.own_page_url(token),
    )


@bp.route("/r/<token>/edit", methods=["GET", "POST"])
def own_edit(token):
    registration = _own(token)
    if registration.status != "pending":
        flash(_("Only a registration that is still waiting for approval can be changed."), "error")
        return redirect(url_for("registration.own_page", token=token))
    edition = registration.edition
    person = registration.person
    form = RegistrationForm(obj=person)
    # The phone and the document number are never sent back to the browser: left empty, the
    # stored ones stay. Consents already given to the current notice come back ticked.
    if person.phone_masked:
        form.phone.description = _("Leave empty to keep %(masked)s.", masked=person.phone_masked)
    form.id_number.description = _("Leave empty to keep %(masked)s.", masked=registration.document_masked)
    if not form.is_submitted():
        form.category.data = registration.category.code
        form.id_type.data = registration.id_type
        form.nationality.data = registration.nationality
        form.phone.data = ""
        form.sessions.data = [b.session_id for b in registration.bookings if b.status != "cancelled"]
        notice = services.current_notice(edition)
        given = {c.kind for c in registration.consents if c.withdrawn_at is None and notice and c.notice_version == notice.version}
        for kind, box in (("privacy_notice", form.consent_privacy), ("identity_document", form.consent_identity),
                          ("photo", form.consent_photo), ("guardian", form.consent_guardian)):
            box.data = kind in given
    if form.validate_on_submit():
        fields = _fields(form)
        try:
            committed(lambda: services.update_pending(services.find_by_token(token), fields))
        except RegistrationError as error:
            _show_errors(form, error)
        else:
            flash(_("Your changes are saved."), "success")
            return redirect(url_for("registration.own_page", token=token))
    context = _prepare(form, edition, fixed_category=registration.category)
    return render_template("registration/form.html", editing=True, token=token, **context)


@bp.route("/r/<token>/cancel", methods=["GET", "POST"])
def own_cancel(token):
    """A page that says what cancelling does; only its button cancels."""
    registration = _own(token)
    form = DecisionForm()
    if registration.status != "cancelled" and form.validate_on_submit():
        committed(lambda: services.cancel(_own(token)))
        flash(_("Your registration is cancelled. Your seats have gone to the next people waiting."), "success")
        return redirect(url_for("registration.own_page", token=token))
    if registration.status == "cancelled":
        return redirect(url_for("registration.own_page", token=token))
    return render_template(
        "registration/confirm_cancel.html", registration=registration, edition=registration.edition, token=token,
        form=form, labels=LABELS, held=[b for b in registration.bookings if b.status != "cancelled"],
    )


@bp.route("/r/<token>/deletion")
def own_deletion(token):
    """What a deletion request erases and what is kept; its button sends the request."""
    registration = _own(token)
    if registration.deletion_requested_at:
        return redirect(url_for("registration.own_page", token=token))
    return render_template(
        "registration/confirm_deletion.html", registration=registration, edition=registration.edition, token=token,
        form=DecisionForm(), erases=services.DELETION_ERASES, keeps=services.DELETION_KEEPS,
    )


@bp.route("/r/<token>/requests", methods=["POST"])
def own_request(token):
    kind = request.form.get("kind", "")
    try:
        committed(lambda: services.request_data(_own(token), kind))
    except RegistrationError:
        abort(400)
    flash(_("Your request has reached the organizers; they answer within 15 working days."), "success")
    return redirect(url_for("registration.own_page", token=token))


@bp.route("/r/<token>/data.json")
def own_data(token):
    data = committed(lambda: services.own_data(_own(token)))
    body = json.dumps(data, ensure_ascii=False, indent=2)
    return Response(body, mimetype="application/json",
                    headers={"Content-Disposition": 'attachment; filename="my-registration.json"'})


# Organizers ---------------------------------------------------------------------------------


def _list_filters(args) -> services.RegistrationFilters:
    """The list's filters from a query string: the list, its export and "all that match" read
    them here, so each takes exactly what the organizer sees."""
    status = args.get("status")
    return services.RegistrationFilters(
        query=(args.get("q") or "")[:100], category=args.get("category") or None,
        status=status if status in STATUS_LABELS else None, organisation=(args.get("organisation") or "")[:100],
        session_id=form_row_id(args, "session"),
    )


@bp.route("/editions/<year:year>/registrations/")
@permission_required("people.view")
def index(year):
    edition = edition_or_404(year)
    filters = _list_filters(request.args)
    page = min(max(1, request.args.get("page", 1, type=int)), 100_000)
    rows, total = services.search_registrations(edition, filters, page, PAGE_SIZE)
    return render_template(
        "registration/index.html", edition=edition, rows=rows, total=total, page=page,
        pages=max(1, -(-total // PAGE_SIZE)), labels=LABELS, categories=services.categories_of(edition),
        sessions=services.choosable_sessions(edition), filters=filters, args=filters.as_args(),
        decision=DecisionForm(), select_page=request.args.get("select") == "page",
    )


def _back(year) -> str:
    back = request.form.get("back") or ""
    return back if back.startswith("/editions/") else url_for("registration.index", year=year)


@bp.route("/editions/<year:year>/registrations/decide", methods=["POST"])
@permission_required("people.manage")
def decide(year):
    """Approve or reject the ticked rows, or every row that matches the list's filters. From the
    list, a confirmation page first says how many change; it sends `confirm`."""
    edition = edition_or_404(year)
    form = DecisionForm()
    if not form.validate_on_submit():
        abort(400)
    status = {"approve": "approved", "reject": "rejected"}.get(request.form.get("action"))
    matching = request.form.get("scope") == "matching"
    filters = _list_filters(request.form)
    if matching:
        chosen = services.matching_registrations(edition, filters)
    else:
        ids = [i for i in (form_row_id({"id": value}, "id") for value in request.form.getlist("ids")[:500]) if i]
        chosen = services.registrations_by_ids(edition, ids)
    if status is None or not chosen:
        flash(_("Choose at least one registration and approve or reject."), "error")
        return redirect(_back(year))
    changing = [r for r in chosen if services.changes(r, status)]
    if not changing:
        flash(_("Nothing to change: the chosen registrations already have this decision or are cancelled."), "error")
        return redirect(_back(year))
    try:
        services.check_decision(status, form.reason.data or "")
    except RegistrationError as error:
        flash(error.message, "error")
        return redirect(_back(year))
    expected = request.form.get("expected", type=int)
    if request.form.get("confirm") != "1" or (expected is not None and expected != len(changing)):
        return render_template(
            "registration/confirm_decision.html", edition=edition, decision=form, status=status,
            changing=changing, matching=matching, filters=filters, args=filters.as_args(),
            changed_meanwhile=expected is not None and expected != len(changing), back=_back(year),
        )
    try:
        changed = committed(lambda: services.decide(
            services.registrations_by_ids(edition, [r.id for r in changing]), status, form.reason.data or "",
            current_user))
    except RegistrationError as error:
        flash(error.message, "error")
    else:
        flash(_("%(n)d registrations updated.", n=changed), "success")
    return redirect(_back(year))


@bp.route("/editions/<year:year>/registrations/<id:registration_id>", methods=["GET", "POST"])
@permission_required("people.view")
def detail(year, registration_id):
    edition = edition_or_404(year)
    registration = services.get_registration(edition, registration_id) or abort(404)
    reveal = RevealForm()
    revealed = phone = None
    if reveal.validate_on_submit():
        if not can(current_user, "pii.reveal"):
            abort(403)
        revealed, phone = committed(lambda: services.reveal(
            services.get_registration(edition, registration_id), reveal.reason.data, current_user))
        registration = services.get_registration(edition, registration_id)
    positions = {b.id: services.waitlist_position(b) for b in registration.bookings}
    return render_template(
        "registration/detail.html", edition=edition, registration=registration, reveal=reveal,
        revealed=revealed, revealed_phone=phone, labels=LABELS, positions=positions, decision=DecisionForm(),
    )


def _xlsx(data: bytes, name: str):
    return send_file(io.BytesIO(data), as_attachment=True, download_name=name,
                     mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@bp.route("/editions/<year:year>/registrations/export.xlsx")
@permission_required("people.view")
def export(year):
    """The list as it is filtered, every page of it, masked."""
    edition = edition_or_404(year)
    filters = _list_filters(request.args)
    data = committed(lambda: exchange.export_workbook(edition, filters, actor=current_user))
    return _xlsx(data, f"registrations-{year}.xlsx")


@bp.route("/editions/<year:year>/registrations/export-unmasked", methods=["GET", "POST"])
@permission_required("pii.reveal")
def export_unmasked(year):
    """Full identity numbers and phones of the filtered list: asked for with a reason, which the
    audit log keeps with the filters and the number of rows."""
    edition = edition_or_404(year)
    filters = _list_filters(request.args)
    form = ExportReasonForm()
    if form.validate_on_submit():
        data = committed(lambda: exchange.export_workbook(
            edition, filters, unmasked=True, reason=form.reason.data, actor=current_user))
        return _xlsx(data, f"registrations-{year}-unmasked.xlsx")
    status = 422 if form.is_submitted() else 200
    return render_template(
        "registration/export_unmasked.html", edition=edition, form=form, filters=filters, args=filters.as_args(),
        count=services.count_matching(edition, filters), labels=LABELS,
        categories={c.code: c.name for c in services.categories_of(edition)},
        sessions={s.id: s.title for s in services.choosable_sessions(edition)},
    ), status


@bp.route("/editions/<year:year>/registrations/import", methods=["GET", "POST"])
@permission_required("people.manage")
def import_list(year):
    """Upload, look at every row's result, then confirm: nothing is saved before."""
    edition = edition_or_404(year)
    form = ImportForm()
    form.category.choices = [SelectChoice(c.code, c.name) for c in services.categories_of(edition)]
    preview = upload_token = None
    if form.validate_on_submit():
        if request.form.get("confirm") == "cancel":
            exchange.discard_upload(request.form.get("upload", ""))
            flash(_("The import was cancelled; the uploaded file is deleted."), "success")
            return redirect(url_for("registration.import_list", year=year))
        if request.form.get("confirm") == "1":
            data = exchange.take_upload(request.form.get("upload", ""))
            if data is None:
                flash(_("The uploaded file has expired; please upload it again."), "error")
                return redirect(url_for("registration.import_list", year=year))
            result = committed(lambda: exchange.run_import(edition, data, form.category.data, actor=current_user))
            flash(_("%(created)d imported, %(skipped)d already registered, %(invalid)d with errors left out.",
                    created=result["created"], skipped=result["duplicates"], invalid=result["invalid"]), "success")
            return redirect(url_for("registration.index", year=year))
        upload = form.file.data
        data = upload.read() if upload and getattr(upload, "filename", "") else b""
        try:
            preview = exchange.preview_import(edition, data, form.category.data)
        except exchange.ImportProblem as problem:
            form.show(problem, "file")
        else:
            upload_token = exchange.keep_upload(data)
    return render_template(
        "registration/import.html", edition=edition, form=form, preview=preview, upload_token=upload_token
    )


@bp.route("/editions/<year:year>/registrations/stats")
@permission_required("people.view")
def stats(year):
    edition = edition_or_404(year)
    return render_template(
        "registration/stats.html", edition=edition, counts=services.counts(edition),
        categories={c.code: c.name for c in services.categories_of(edition)}, labels=LABELS,
    )


@bp.route("/editions/<year:year>/registrations/codes", methods=["GET", "POST"])
@permission_required("people.manage")
def codes(year):
    edition = edition_or_404(year)
    form = CodesForm()
    categories = services.categories_of(edition)
    form.category.choices = [SelectChoice(c.code, c.name) for c in categories if not c.open] or [SelectChoice("", "—")]
    made = None
    if form.validate_on_submit():
        category = services.category_by_code(edition, form.category.data)
        expires = datetime.combine(form.expires_on.data, time(23, 59, 59), tzinfo=UTC) if form.expires_on.data else None
        try:
            made = committed(lambda: services.make_codes(
                edition, services.category_by_code(edition, form.category.data), form.count.data,
                form.max_uses.data, expires, form.organisation.data or "", actor=current_user))
        except RegistrationError as error:
            form.count.errors = [*form.count.errors, *error.errors.values()]
        else:
            flash(_("%(n)d codes made for %(category)s. Copy them now: they are not shown again.",
                    n=len(made), category=category.name), "success")
    return render_template("registration/codes.html", edition=edition, form=form, made=made)


@bp.route("/editions/<year:year>/registrations/seats", methods=["GET", "POST"])
@permission_required("people.manage")
def seats(year):
    edition = edition_or_404(year)
    sessions = programme_sessions(edition, published_only=False)
    form = SeatsForm()
    if form.validate_on_submit():
        session_id = form_row_id(request.form, "session_id")
        session = next((s for s in sessions if s.id == session_id), None) or abort(400)
        try:
            committed(lambda: services.set_seats(session, form.seats.data, actor=current_user))
        except RegistrationError as error:
            flash(error.message, "error")
        else:
            flash(_("Seats saved for %(title)s.", title=session.title), "success")
        return redirect(url_for("registration.seats", year=year))
    quotas = services.quotas_for([s.id for s in sessions])
    return render_template("registration/seats.html", edition=edition, sessions=sessions, quotas=quotas, form=form)


@bp.route("/editions/<year:year>/registrations/requests", methods=["GET", "POST"])
@permission_required("people.manage")
def requests(year):
    """Attendees' requests to see or delete their data, oldest first (PIPL art. 44–47)."""
    edition = edition_or_404(year)
    form = DecisionForm()
    if form.validate_on_submit():
        request_id = form_row_id(request.form, "request_id")
        committed(lambda: services.handle_request(edition, request_id, current_user))
        flash(_("Request handled."), "success")
        return redirect(url_for("registration.requests", year=year))
    return render_template(
        "registration/requests.html", edition=edition, form=form,
        open_requests=services.data_requests(edition), labels=LABELS,
    )


@bp.route("/editions/<year:year>/registrations/settings")
@permission_required("people.manage")
def settings(year):
    edition = edition_or_404(year)
    return render_template(
        "registration/settings.html", edition=edition, categories=services.categories_of(edition),
        notice=services.current_notice(edition),
    )


@bp.route("/editions/<year:year>/registrations/categories/<code>", methods=["GET", "POST"])
@permission_required("people.manage")
def category(year, code):
    edition = edition_or_404(year)
    found = services.category_by_code(edition, code) or abort(404)
    form = CategoryForm(obj=found)
    form.sessions.choices = [SelectChoice(s.id, s.title) for s in programme_sessions(edition, published_only=False)]
    if not form.is_submitted():
        form.sessions.data = list(found.session_ids or [])
        form.opens_at.data, form.closes_at.data = form_local(edition, found.opens_at), form_local(edition, found.closes_at)
    link = None
    if form.validate_on_submit():
        def save():
            category = services.category_by_code(edition, code)
            services.update_category(
                category, form.name_zh.data, form.name_zh_hant.data or "",
                form.name_en.data or "", form.open.data, form.approval_required.data,
                form.required_fields.data or [], [int(s) for s in form.sessions.data or []], actor=current_user)
            services.set_window(category, form_utc(edition, form.opens_at.data), form_utc(edition, form.closes_at.data), actor=current_user)
        try:
            committed(save)
        except RegistrationError as error:
            _show_errors(form, error)
            if "notice" in error.errors:
                link = {"url": url_for("registration.notice", year=year), "label": _("Review the privacy notice")}
        else:
            flash(_("Category saved."), "success")
            return redirect(url_for("registration.settings", year=year))
    return render_template(
        "form_page.html", edition=edition, form=form, title=found.name, link=link,
        back_url=url_for("registration.settings", year=year), back_label=_("Registration settings"),
    )


@bp.route("/editions/<year:year>/registrations/categories/<code>/delete", methods=["GET", "POST"])
@permission_required("people.manage")
def category_delete(year, code):
    edition = edition_or_404(year)
    found = services.category_by_code(edition, code) or abort(404)
    back = url_for("registration.settings", year=year)
    return confirm_page(
        found, edition=edition, title=_("Delete the category %(name)s?", name=found.name), back_url=back,
        delete=lambda: services.delete_category(found, actor=current_user), done_url=back,
        done_message=_("Category deleted."),
    )


@bp.route("/editions/<year:year>/registrations/notice", methods=["GET", "POST"])
@permission_required("people.manage")
def notice(year):
    edition = edition_or_404(year)
    current = services.current_notice(edition)
    form = NoticeForm(obj=current)
    if form.validate_on_submit():
        published = committed(lambda: services.publish_notice(
            edition, form.text_zh.data, form.text_zh_hant.data or "", form.text_en.data, form.retention_days.data,
            actor=current_user))
        flash(_("Version %(v)d of the privacy notice is published; the form asks everyone to agree to it.", v=published.version), "success")
        return redirect(url_for("registration.settings", year=year))
    return render_template(
        "form_page.html", edition=edition, form=form, title=_("Privacy notice"),
        back_url=url_for("registration.settings", year=year), back_label=_("Registration settings"),
        review_url=url_for("registration.notice_reviewed", year=year) if current and current.needs_review else None,
    )


@bp.route("/editions/<year:year>/registrations/notice/reviewed", methods=["POST"])
@permission_required("people.manage")
def notice_reviewed(year):
    edition = edition_or_404(year)
    committed(lambda: services.mark_notice_reviewed(edition, actor=current_user))
    flash(_("The privacy notice is marked reviewed; registration can open."), "success")
    return redirect(url_for("registration.settings", year=year))
