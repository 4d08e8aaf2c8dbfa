"""Organizer pages of the programme: sessions, agenda items, the schedule grid, settings."""

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from conference.core.database import committed
from conference.core.deletion import confirm_page
from conference.core.permissions import permission_required
from conference.core.schedule import ScheduleError
from conference.editions.localtime import local
from conference.editions.views import edition_or_404
from conference.extensions import db
from conference.people.models import Person
from conference.programme import grid, services
from conference.programme.forms import (
    ACCESS_LABELS,
    ITEM_KIND_LABELS,
    KIND_LABELS,
    ROLE_LABELS,
    STATUS_LABELS,
    ItemForm,
    SessionForm,
    SettingsForm,
)
from conference.programme.services import ItemFields, SessionFields
from conference.venues.services import halls_of

bp = Blueprint("programme", __name__, url_prefix="/editions/<year:year>/programme")

LABELS = {
    "kinds": KIND_LABELS, "item_kinds": ITEM_KIND_LABELS, "statuses": STATUS_LABELS,
    "access": ACCESS_LABELS, "roles": ROLE_LABELS,
}


def _session(edition, session_id):
    return services.get_session(edition, session_id) or abort(404)


def _fill_session_choices(form: SessionForm, edition) -> None:
    form.hall_id.choices = [SelectChoice("", _("Not placed yet"))] + [
        SelectChoice(str(hall.id), f"{hall.name} ({hall.capacity})", optgroup=hall.venue.name)
        for hall in halls_of(edition)
    ]
    form.day.choices = [SelectChoice("", _("Not scheduled yet"))] + [
        SelectChoice(day.isoformat(), format_date(day, "full")) for day in edition.days
    ]


def _show_refusal(form, error: ScheduleError):
    if error.field:
        form.show(error, "title_zh")
    return error.conflicts


@bp.route("/")
@permission_required("programme.view")
def index(year):
    edition = edition_or_404(year)
    sessions = services.programme_sessions(edition, published_only=False)
    return render_template(
        "programme/index.html", edition=edition, days=services.sessions_by_day(edition, sessions),
        conflicts=services.edition_conflicts(edition), labels=LABELS, local=lambda t: local(edition, t),
    )


@bp.route("/sessions/new", methods=["GET", "POST"])
@bp.route("/sessions/<id:session_id>/edit", methods=["GET", "POST"])
@permission_required("programme.manage")
def session_form(year, session_id=None):
    edition = edition_or_404(year)
    session = _session(edition, session_id) if session_id else None
    form = SessionForm(obj=session)
    _fill_session_choices(form, edition)
    if session is not None and not form.is_submitted():
        form.hall_id.data = session.hall_id
        if session.scheduled:
            start, end = local(edition, session.starts_at), local(edition, session.ends_at)
            form.day.data, form.starts.data, form.ends.data = start.date().isoformat(), start.time(), end.time()
    conflicts = []
    if form.validate_on_submit():
        fields = SessionFields(
            kind=form.kind.data, number=form.number.data,
            title_zh=form.title_zh.data or "", title_en=form.title_en.data or "",
            title_zh_hant=form.title_zh_hant.data or "",
            theme_zh=form.theme_zh.data or "", theme_en=form.theme_en.data or "",
            theme_zh_hant=form.theme_zh_hant.data or "",
            description_zh=form.description_zh.data or "", description_en=form.description_en.data or "",
            hall_id=form.hall_id.data,
            day=date.fromisoformat(form.day.data) if form.day.data else None,
            starts=form.starts.data, ends=form.ends.data,
            expected_audience=form.expected_audience.data or 0,
            host_organisation_zh=form.host_organisation_zh.data or "",
            host_organisation_en=form.host_organisation_en.data or "",
            status=form.status.data, access=form.access.data, position=form.position.data or 0,
        )
        try:
            saved = committed(lambda: services.save_session(edition, fields, session=session, confirmed=form.confirm.data))
        except ScheduleError as error:
            conflicts = _show_refusal(form, error)
            form.confirm.data = False
        else:
            flash(_("Session saved."), "success")
            return redirect(url_for("programme.session_detail", year=year, session_id=saved.id))
    return render_template(
        "programme/session_form.html", edition=edition, form=form, session=session,
        conflicts=conflicts, needs_confirmation=conflicts and not any(c.hard for c in conflicts),
    )


@bp.route("/sessions/<id:session_id>")
@permission_required("programme.view")
def session_detail(year, session_id):
    edition = edition_or_404(year)
    session = _session(edition, session_id)
    return render_template(
        "programme/session_detail.html", edition=edition, session=session,
        conflicts=services.check_session(session), labels=LABELS,
        local=lambda t: local(edition, t),
    )


@bp.route("/sessions/<id:session_id>/status", methods=["POST"])
@permission_required("programme.manage")
def session_status(year, session_id):
    edition = edition_or_404(year)
    session = _session(edition, session_id)
    try:
        committed(lambda: services.set_status(session, request.form.get("status", "")))
    except ScheduleError:
        abort(400)
    flash(_("Published.") if session.status == "published" else _("Moved back to draft."), "success")
    return redirect(url_for("programme.session_detail", year=year, session_id=session.id))


@bp.route("/sessions/<id:session_id>/delete", methods=["GET", "POST"])
@permission_required("programme.manage")
def session_delete(year, session_id):
    edition = edition_or_404(year)
    session = _session(edition, session_id)
    return confirm_page(
        session, edition=edition, title=_("Delete the session %(title)s?", title=session.title),
        back_url=url_for("programme.session_detail", year=year, session_id=session.id),
        delete=lambda: services.delete_session(session),
        done_url=url_for("programme.index", year=year), done_message=_("Session deleted."),
    )


def _people_choices(edition) -> list[SelectChoice]:
    people = db.session.execute(
        select(Person).where(Person.edition_id == edition.id, Person.category.in_(("guest", "staff", "media")))
        .order_by(Person.family_name, Person.given_name)
    ).scalars()
    return [SelectChoice("", "—")] + [
        SelectChoice(str(p.id), f"{p.name} · {p.organisation_text}" if p.organisation else p.name) for p in people
    ]


@bp.route("/sessions/<id:session_id>/items/new", methods=["GET", "POST"])
@bp.route("/sessions/<id:session_id>/items/<id:item_id>/edit", methods=["GET", "POST"])
@permission_required("programme.manage")
def item_form(year, session_id, item_id=None):
    edition = edition_or_404(year)
    session = _session(edition, session_id)
    item = services.get_item(session, item_id) or abort(404) if item_id else None
    form = ItemForm(obj=item)
    if item is not None and not form.is_submitted():
        if item.starts_at:
            form.starts.data = local(edition, item.starts_at).time()
            form.ends.data = local(edition, item.ends_at).time()
        while len(form.speakers) > 0:
            form.speakers.pop_entry()
        for link in item.speakers:
            form.speakers.append_entry({"person_id": link.person_id, "role": link.role})
        for _extra in range(3):
            form.speakers.append_entry()
    choices = _people_choices(edition)
    for row in form.speakers:
        row.form.person_id.choices = choices
    conflicts = []
    if form.validate_on_submit():
        valid_ids = {choice.value for choice in choices}
        speakers = [
            (row.form.person_id.data, row.form.role.data)
            for row in form.speakers
            if row.form.person_id.data and str(row.form.person_id.data) in valid_ids
        ]
        fields = ItemFields(
            kind=form.kind.data, title_zh=form.title_zh.data or "", title_en=form.title_en.data or "",
            title_zh_hant=form.title_zh_hant.data or "", release_zh=form.release_zh.data or "",
            release_en=form.release_en.data or "", release_zh_hant=form.release_zh_hant.data or "",
            starts=form.starts.data, ends=form.ends.data, position=form.position.data or 0,
            speakers=speakers,
        )
        try:
            committed(lambda: services.save_item(session, fields, item=item, confirmed=form.confirm.data))
        except ScheduleError as error:
            conflicts = _show_refusal(form, error)
            form.confirm.data = False
            session = _session(edition, session_id)  # the refusal rolled the session back
        else:
            flash(_("Agenda item saved."), "success")
            return redirect(url_for("programme.session_detail", year=year, session_id=session.id))
    return render_template(
        "programme/item_form.html", edition=edition, session=session, form=form, item=item,
        conflicts=conflicts, needs_confirmation=conflicts and not any(c.hard for c in conflicts),
    )


@bp.route("/sessions/<id:session_id>/items/<id:item_id>/delete", methods=["GET", "POST"])
@permission_required("programme.manage")
def item_delete(year, session_id, item_id):
    edition = edition_or_404(year)
    session = _session(edition, session_id)
    item = services.get_item(session, item_id) or abort(404)
    back = url_for("programme.session_detail", year=year, session_id=session.id)
    return confirm_page(
        item, edition=edition, title=_("Delete the agenda item %(title)s?", title=item.title), back_url=back,
        delete=lambda: services.delete_item(item), done_url=back, done_message=_("Agenda item deleted."),
    )


@bp.route("/grid")
@permission_required("programme.view")
def schedule_grid(year):
    edition = edition_or_404(year)
    try:
        day = date.fromisoformat(request.args.get("day", "")) if request.args.get("day") else edition.starts_on
    except ValueError:
        abort(404)
    if day not in edition.days:
        abort(404)
    return render_template(
        "programme/grid.html", edition=edition, day=day,
        grid=grid.build(edition, day), labels=LABELS,
    )


@bp.route("/settings", methods=["GET", "POST"])
@permission_required("programme.manage")
def settings(year):
    edition = edition_or_404(year)
    form = SettingsForm(obj=services.settings_for(edition))
    if form.validate_on_submit():
        committed(lambda: services.save_settings(edition, form.hall_buffer_minutes.data, form.venue_travel_minutes.data))
        flash(_("Scheduling margins saved."), "success")
        return redirect(url_for("programme.index", year=year))
    return render_template(
        "form_page.html", edition=edition, form=form, title=_("Scheduling margins"),
        back_url=url_for("programme.index", year=year), back_label=_("Programme"),
    )
