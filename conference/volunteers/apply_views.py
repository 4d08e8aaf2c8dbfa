"""Applying to volunteer and screening the applications: the public form (phone-first), the
applicant's own page, the edition's volunteering settings, and the screeners' list and detail."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from conference.core import clock
from conference.core.database import committed
from conference.core.i18n import current_locale
from conference.core.permissions import can
from conference.core.urls import form_row_id
from conference.editions.localtime import form_local, form_utc
from conference.editions.services import current_edition
from conference.editions.views import edition_or_404
from conference.extensions import limiter
from conference.registration.forms import ID_TYPE_LABELS, nationality_choices
from conference.volunteers import applications, services
from conference.volunteers.applications import ApplicationFields, ApplicationFilters
from conference.volunteers.apply_forms import (
    CONSENT_LABELS,
    LEVEL_LABELS,
    PART_LABELS,
    STATUS_LABELS,
    ApplicationForm,
    DecisionForm,
    NoticeForm,
    RevealForm,
    ScreeningForm,
    SettingsForm,
    WithdrawForm,
)
from conference.volunteers.models import APPLICATION_STATUSES, DAY_PARTS, LANGUAGE_LEVELS, SKILLS
from conference.volunteers.services import LANGUAGE_LABELS, SKILL_LABELS, VolunteerError

bp = Blueprint("volunteers_apply", __name__)

# Form fields for the service's error keys.
ERROR_FIELDS = {"privacy_notice": "consent_privacy", "identity_document": "consent_identity", "photo": "consent_photo",
                "guardian": "consent_guardian"}
LABELS = {"statuses": STATUS_LABELS, "levels": LEVEL_LABELS, "parts": PART_LABELS, "languages": LANGUAGE_LABELS,
          "skills": SKILL_LABELS, "id_types": ID_TYPE_LABELS, "consents": CONSENT_LABELS}
MAX_LANGUAGES = len(LANGUAGE_LABELS)


def _apply_limit() -> str:
    return current_app.config["REGISTRATION_RATE_LIMIT"]


@bp.after_app_request
def _own_pages_stay_private(response):
    if request.path.startswith("/volunteer/") and "/status/" in request.path:
        response.headers["X-Robots-Tag"] = "noindex, nofollow"
        response.headers["Cache-Control"] = "private, no-store"
        response.headers["Referrer-Policy"] = "no-referrer"
    return response


# The public form ----------------------------------------------------------------------------


def _choices(form: ApplicationForm, edition) -> None:
    form.nationality.choices = nationality_choices()
    form.skills.choices = [SelectChoice(s, SKILL_LABELS[s]) for s in SKILLS]
    form.availability.choices = [SelectChoice(f"{day.isoformat()}:{part}", f"{day.isoformat()} {PART_LABELS[part]}")
                                 for day in applications.volunteering_days(edition) for part in DAY_PARTS]


def _languages_typed() -> list[dict]:
    """The language rows as sent: language-N-code / language-N-level, a few at most."""
    found = []
    for index in range(MAX_LANGUAGES):
        code = (request.form.get(f"language-{index}-code") or "").strip()[:10]
        level = (request.form.get(f"language-{index}-level") or "").strip()[:10]
        if code or level:
            found.append({"code": code, "level": level})
    return found


def _fields(form: ApplicationForm) -> ApplicationFields:
    try:
        version = int(form.notice_version.data or 0)
    except ValueError:
        version = 0
    consents = {kind: version for kind, box in (
        ("privacy_notice", form.consent_privacy), ("identity_document", form.consent_identity),
        ("photo", form.consent_photo), ("guardian", form.consent_guardian)) if box.data}
    upload = form.photo.data
    photo = upload.read() if upload and getattr(upload, "filename", "") else None
    availability = [dict(zip(("day", "part"), value.split(":", 1), strict=True)) for value in form.availability.data or []]
    return ApplicationFields(
        family_name=form.family_name.data or "", given_name=form.given_name.data or "",
        name_latin=form.name_latin.data or "", email=form.email.data or "", phone=form.phone.data or "",
        id_type=form.id_type.data or "", id_number=form.id_number.data or "", nationality=form.nationality.data or None,
        declared_under_18=form.declared_under_18.data, school_or_employer=form.school_or_employer.data or "",
        languages=_languages_typed(), skills=list(form.skills.data or []), availability=availability,
        shirt_size=form.shirt_size.data or "", emergency_name=form.emergency_name.data or "",
        emergency_phone=form.emergency_phone.data or "", first_time=not form.returning.data,
        guardian_name=form.guardian_name.data or "", guardian_phone=form.guardian_phone.data or "",
        photo=photo, consents=consents, locale=current_locale(),
    )


def _show_errors(form, error: VolunteerError) -> list:
    """Each message beside its field; the ones no field holds (languages, the closed form) come back."""
    loose = []
    for key, message in error.errors.items():
        target = getattr(form, ERROR_FIELDS.get(key, key) or "", None)
        if target is None or key == "form":
            loose.append((key, message))
        else:
            target.errors = [*target.errors, message]
    return loose


@bp.route("/volunteer/")
def apply_current():
    edition = current_edition() or abort(404)
    return redirect(url_for("volunteers_apply.apply", year=edition.year))


@bp.route("/volunteer/<year:year>/", methods=["GET", "POST"])
@limiter.limit(_apply_limit, methods=["POST"])
def apply(year):
    edition = edition_or_404(year)
    closed = applications.open_refusal(edition)
    settings = services.settings_of(edition)
    form = ApplicationForm()
    _choices(form, edition)
    if settings.notice_version and not form.notice_version.data:
        form.notice_version.data = str(settings.notice_version)
    loose: list = []
    if closed is None and form.validate_on_submit():
        fields = _fields(form)
        try:
            _volunteer, token = committed(lambda: applications.apply(edition_or_404(year), fields))
        except VolunteerError as error:
            loose = _show_errors(form, error)
        else:
            flash(_("Thank you. Your application has been received."), "success")
            return redirect(url_for("volunteers_apply.status", year=year, token=token, sent=1))
    elif closed is not None and request.method == "POST":
        loose = [("form", closed)]
    errors = dict(loose)
    status = 200 if request.method == "GET" or not (form.errors or loose) else 422
    typed = _languages_typed() if request.method == "POST" else []
    return render_template(
        "volunteers/apply/form.html", edition=edition, form=form, settings=settings, closed=closed, labels=LABELS,
        errors=errors, languages=typed + [{"code": "", "level": ""}] * max(1, 3 - len(typed)),
        language_levels=LANGUAGE_LEVELS, days=applications.volunteering_days(edition),
    ), status


def _day_labels(edition) -> dict:
    """The volunteering days by their stored form (2023-07-18), for the reader's date labels."""
    return {day.isoformat(): day for day in applications.volunteering_days(edition)}


# The applicant's own page --------------------------------------------------------------------


def _own(year, token):
    edition = edition_or_404(year)
    return applications.find_by_token(edition, token) or abort(404)


@bp.route("/volunteer/<year:year>/status/<token>")
def status(year, token):
    volunteer = _own(year, token)
    return render_template("volunteers/apply/status.html", volunteer=volunteer, edition=volunteer.edition, token=token,
                           labels=LABELS, link=applications.status_url(volunteer.edition, token),
                           just_sent=request.args.get("sent") == "1", form=WithdrawForm(),
                           day_labels=_day_labels(volunteer.edition))


@bp.route("/volunteer/<year:year>/status/<token>/withdraw", methods=["GET", "POST"])
def withdraw(year, token):
    """A page that says what withdrawing does; only its button withdraws."""
    volunteer = _own(year, token)
    form = WithdrawForm()
    if volunteer.status == "withdrawn":
        return redirect(url_for("volunteers_apply.status", year=year, token=token))
    if form.validate_on_submit():
        committed(lambda: applications.withdraw(_own(year, token), clock.now()))
        flash(_("Your application is withdrawn."), "success")
        return redirect(url_for("volunteers_apply.status", year=year, token=token))
    return render_template("volunteers/apply/withdraw.html", volunteer=volunteer, edition=volunteer.edition,
                           token=token, form=form, labels=LABELS)


# Settings ----------------------------------------------------------------------------------


def _organizer(edition) -> None:
    if not current_user.is_authenticated:
        from conference.extensions import login_manager

        abort(login_manager.unauthorized())
    if not can(current_user, "volunteers.manage", edition):  # edition-wide: no group lead's scope reaches it
        abort(403)


@bp.route("/editions/<year:year>/volunteers/settings", methods=["GET", "POST"])
def settings(year):
    edition = edition_or_404(year)
    _organizer(edition)
    current = services.settings_of(edition)
    publishing = request.method == "POST" and request.form.get("publish") == "1"
    saving = request.method == "POST" and not publishing
    form = SettingsForm(formdata=request.form if saving else None)
    notice = NoticeForm(formdata=request.form if publishing else None)
    if not saving:
        form.applications_open.data = current.applications_open
        form.max_daily_hours.data = current.max_daily_minutes // 60
        form.rest_minutes.data, form.no_show_minutes.data = current.rest_minutes, current.no_show_minutes
    if not publishing:
        if current.notice_version:
            notice.notice_zh.data, notice.notice_zh_hant.data = current.notice_zh, current.notice_zh_hant
            notice.notice_en.data = current.notice_en
        else:  # a text to start from, naming the purposes
            notice.notice_zh.data, notice.notice_en.data = applications.default_notice(edition)
    failed = False
    if request.method == "POST":
        target = notice if publishing else form
        if target.validate():
            try:
                if publishing:
                    done = committed(lambda: applications.publish_notice(
                        edition_or_404(year), notice.notice_zh.data, notice.notice_zh_hant.data or "",
                        notice.notice_en.data, actor=current_user))
                    flash(_("Version %(v)d of the volunteers' privacy notice is published.", v=done.notice_version), "success")
                else:
                    committed(lambda: applications.update_settings(
                        edition_or_404(year), form.applications_open.data, form.max_daily_hours.data * 60,
                        form.rest_minutes.data, form.no_show_minutes.data, actor=current_user))
                    flash(_("Volunteering settings saved."), "success")
            except VolunteerError as error:
                for key, message in error.errors.items():
                    name = "max_daily_hours" if key == "max_daily_minutes" else key
                    field = getattr(target, name, None) or getattr(target, "applications_open", None) or target.notice_zh
                    field.errors = [*field.errors, message]
                failed = True
            else:
                return redirect(url_for("volunteers_apply.settings", year=year))
        else:
            failed = True
    return render_template("volunteers/apply/settings.html", edition=edition, form=form, notice=notice,
                           settings=current), 422 if failed else 200


# Screening ---------------------------------------------------------------------------------


def _screener(edition) -> None:
    if not current_user.is_authenticated:
        from conference.extensions import login_manager

        abort(login_manager.unauthorized())
    if not can(current_user, "volunteers.screen", applications.screening_subject(edition)):
        abort(403)


def _filters(args) -> ApplicationFilters:
    """The list's filters from a query string; a value not offered is no filter."""
    status, language, skill = args.get("status"), args.get("language"), args.get("skill")
    day = args.get("day")
    return ApplicationFilters(
        status=status if status in APPLICATION_STATUSES else None,
        language=language if language in LANGUAGE_LABELS else None, skill=skill if skill in SKILLS else None,
        day=day if isinstance(day, str) and len(day) == 10 else None, query=(args.get("q") or "")[:100],
    )


PAGE_SIZE = 50


def _decision_form(edition) -> DecisionForm:
    form = DecisionForm()
    form.group.choices = [SelectChoice(str(g.id), g.name) for g in services.groups_of(edition)]
    screening = applications.screening_group(edition)
    if screening is not None and not form.group.data:
        form.group.data = str(screening.id)
    return form


@bp.route("/editions/<year:year>/volunteers/applications")
def applications_list(year):
    edition = edition_or_404(year)
    _screener(edition)
    filters = _filters(request.args)
    found = applications.search_applications(edition, filters)
    pages = max(1, -(-len(found) // PAGE_SIZE))
    page = min(max(1, request.args.get("page", 1, type=int)), pages)
    return render_template(
        "volunteers/apply/list.html", edition=edition, rows=found[(page - 1) * PAGE_SIZE:page * PAGE_SIZE],
        total=len(found), page=page, pages=pages, filters=filters, args=filters.as_args(), labels=LABELS,
        counts=applications.counts_by_status(edition), days=applications.volunteering_days(edition),
        decision=_decision_form(edition),
    )


def _back(year) -> str:
    back = request.form.get("back") or ""
    return back if back.startswith(f"/editions/{year}/volunteers/") else url_for("volunteers_apply.applications_list", year=year)


@bp.route("/editions/<year:year>/volunteers/applications/decide", methods=["POST"])
def decide(year):
    """Accept, reject or waitlist the ticked applications (or the one of a detail page)."""
    edition = edition_or_404(year)
    _screener(edition)
    form = _decision_form(edition)
    if not form.validate_on_submit():
        abort(400)
    ids = [i for i in (form_row_id({"id": value}, "id") for value in request.form.getlist("ids")[:500]) if i]
    decision = request.form.get("decision") or ""
    group_id = form_row_id(request.form, "group")
    if not ids:
        flash(_("Tick at least one application."), "error")
        return redirect(_back(year))

    def work():
        chosen = edition_or_404(year)
        group = services.get_group(chosen, group_id) if group_id and decision == "accept" else None
        return applications.decide(applications.applications_by_ids(chosen, ids), decision, form.reason.data or "",
                                   current_user, clock.now(), group=group)

    try:
        changed = committed(work)
    except VolunteerError as error:
        flash(" ".join(str(m) for m in error.errors.values()), "error")
    else:
        flash(_("%(n)d applications updated.", n=changed) if changed else
              _("Nothing to change: the chosen applications already have this decision or were withdrawn."),
              "success" if changed else "error")
    return redirect(_back(year))


@bp.route("/editions/<year:year>/volunteers/applications/<id:volunteer_id>", methods=["GET", "POST"])
def application(year, volunteer_id):
    edition = edition_or_404(year)
    _screener(edition)
    volunteer = services.get_volunteer(edition, volunteer_id) or abort(404)
    reveal = RevealForm(prefix="reveal")
    screening = ScreeningForm(prefix="screening", obj=None if request.method == "POST" else volunteer)
    if request.method == "GET":
        screening.interview_at.data = form_local(edition, volunteer.interview_at)
    revealed, failed = None, False
    if request.method == "POST" and request.form.get("reveal-reason") is not None:
        if reveal.validate_on_submit():
            revealed = committed(lambda: applications.reveal(
                services.get_volunteer(edition_or_404(year), volunteer_id), reveal.reason.data, current_user))
        else:
            failed = True
    elif request.method == "POST":
        if screening.validate_on_submit():
            try:
                committed(lambda: applications.set_screening(
                    services.get_volunteer(edition_or_404(year), volunteer_id), screening.note.data or "",
                    form_utc(edition, screening.interview_at.data), screening.interview_place.data or "", current_user))
            except VolunteerError as error:
                screening.show(error, "note")
                failed = True
            else:
                flash(_("Saved."), "success")
                return redirect(url_for("volunteers_apply.application", year=year, volunteer_id=volunteer_id))
        else:
            failed = True
    volunteer = services.get_volunteer(edition, volunteer_id)
    return render_template(
        "volunteers/apply/detail.html", edition=edition, volunteer=volunteer, labels=LABELS, reveal=reveal,
        revealed=revealed, screening=screening, decision=_decision_form(edition), day_labels=_day_labels(edition),
    ), 422 if failed else 200


@bp.route("/editions/<year:year>/volunteers/applications/<id:volunteer_id>/invite", methods=["POST"])
def invite_again(year, volunteer_id):
    """Send an accepted volunteer a new link to choose their account's password."""
    edition = edition_or_404(year)
    _screener(edition)
    if not WithdrawForm().validate_on_submit():
        abort(400)
    services.get_volunteer(edition, volunteer_id) or abort(404)
    try:
        committed(lambda: applications.invite_again(services.get_volunteer(edition_or_404(year), volunteer_id), current_user))
    except VolunteerError as error:
        flash(error.message, "error")
    else:
        flash(_("A new invitation is on its way."), "success")
    return redirect(url_for("volunteers_apply.application", year=year, volunteer_id=volunteer_id))
