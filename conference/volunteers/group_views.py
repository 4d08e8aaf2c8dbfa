"""The organizers' volunteering pages: the overview, working groups with their members and
halls, posts and their shifts, trainings and who attended. A group lead sees and manages only
the groups they lead: every subject is checked with can(current_user, …, subject), where the
volunteers domain's scope decides; lists are filtered with services.visible_groups."""

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from conference.core import clock
from conference.core.database import committed
from conference.core.deletion import confirm_page
from conference.core.forms import ConferenceForm
from conference.core.i18n import day_label, time_label
from conference.core.permissions import can, permission_required
from conference.core.urls import form_row_id
from conference.editions.localtime import form_local, form_utc, local_day
from conference.editions.views import edition_or_404
from conference.extensions import db
from conference.venues import services as venues
from conference.venues.models import Checkpoint, Venue
from conference.volunteers import applications, groups, services
from conference.volunteers import group_forms as forms
from conference.volunteers.groups import (
    GroupError,
    GroupFields,
    PostFields,
    ShiftFields,
    TrainingFields,
)
from conference.volunteers.models import GroupMember, HallGroup, Training, TrainingPlace

bp = Blueprint("volunteers", __name__, url_prefix="/editions/<year:year>/volunteers")

LABELS = {"post_kinds": forms.POST_KIND_LABELS, "skill_labels": services.SKILL_LABELS,
          "language_labels": services.LANGUAGE_LABELS, "place_name": groups.place_name}
# Pages other parts of the volunteering domain serve under this prefix; linked when installed.
def _status(*forms_shown) -> int:
    return 422 if any(f is not None and f.is_submitted() and f.errors for f in forms_shown) else 200


def _allowed(permission: str, subject) -> None:
    """403 unless the permission reaches this subject (a lead: the groups they lead)."""
    if not can(current_user, permission, subject):
        abort(403)


def _edition_wide(edition) -> None:
    """What belongs to no one group (creating or deleting a group, trainings) is for roles
    whose permissions have no scope: an edition is in no group, so a lead's scope refuses it."""
    _allowed("volunteers.manage", edition)


def _show_all(form, refusal, fallback: str) -> None:
    for name, message in refusal.errors.items():
        target = getattr(form, name or fallback, None) or getattr(form, fallback)
        target.errors = [*target.errors, message]


def _training_choices(edition) -> list[SelectChoice]:
    return [SelectChoice("", _("None"))] + [SelectChoice(str(t.id), f"{t.code} · {t.title}")
                                           for t in services.trainings_of(edition)]


def _day_choices(edition) -> list[SelectChoice]:
    return [SelectChoice(day.isoformat(), day_label(day)) for day in groups.volunteering_days(edition)]


# The overview -------------------------------------------------------------------------------


@bp.route("/")
@permission_required("volunteers.view")
def index(year):
    edition = edition_or_404(year)
    rows = groups.glance(edition, services.visible_groups(current_user, edition))
    others = {"coverage": url_for("volunteers_shifts.coverage", year=edition.year),
              "settings": url_for("volunteers_apply.settings", year=edition.year)}
    if can(current_user, "volunteers.screen", applications.screening_subject(edition)):
        others["applications"] = url_for("volunteers_apply.applications_list", year=edition.year)
    totals = {key: sum(getattr(row, key) for row in rows) for key in ("volunteers", "posts", "shifts", "needed", "taken")}
    return render_template("volunteers/groups/index.html", edition=edition, rows=rows, totals=totals, others=others,
                           trainings=services.trainings_of(edition), edition_wide=can(current_user, "volunteers.manage", edition))


# Working groups -----------------------------------------------------------------------------


def _group_or_404(edition, group_id: int, permission: str = "volunteers.view"):
    group = services.get_group(edition, group_id) or abort(404)
    _allowed(permission, group)
    return group


@bp.route("/groups/<id:group_id>")
@permission_required("volunteers.view")
def group(year, group_id):
    edition = edition_or_404(year)
    return _group_page(edition, _group_or_404(edition, group_id))


def _group_page(edition, found, member_form=None, hall_form=None):
    hall_form = hall_form or forms.HallForm(formdata=None)
    taken = {hg.hall_id for hg in groups.halls_of_group(found)}
    hall_form.hall_id.choices = [SelectChoice("", _("Choose a hall"))] + [
        SelectChoice(str(h.id), f"{h.venue.name} · {h.name}") for h in venues.halls_of(edition) if h.id not in taken]
    posts = groups.posts_of_group(found)
    return render_template(
        "volunteers/groups/group.html", edition=edition, group=found, members=groups.members_of(found),
        halls=groups.halls_of_group(found), posts=posts, counts=groups.shift_counts([p.id for p in posts]),
        member_form=member_form or forms.MemberForm(formdata=None), hall_form=hall_form,
        manages=can(current_user, "volunteers.manage", found), edition_wide=can(current_user, "volunteers.manage", edition),
        **LABELS,
    ), _status(member_form, hall_form)


@bp.route("/groups/new", methods=["GET", "POST"])
@bp.route("/groups/<id:group_id>/edit", methods=["GET", "POST"])
@permission_required("volunteers.manage")
def group_form(year, group_id=None):
    edition = edition_or_404(year)
    found = _group_or_404(edition, group_id, "volunteers.manage") if group_id else None
    edition_wide = can(current_user, "volunteers.manage", edition)
    if found is None:
        _edition_wide(edition)
    form = forms.GroupForm(obj=found)
    if not edition_wide:  # who screens applications is decided for the whole edition
        del form.screens_volunteers
    if form.validate_on_submit():
        fields = GroupFields(
            code=form.code.data or "", name_zh=form.name_zh.data or "", name_en=form.name_en.data or "",
            name_zh_hant=form.name_zh_hant.data or "", desk_phone=form.desk_phone.data or "",
            screens_volunteers=form.screens_volunteers.data if edition_wide else found.screens_volunteers,
            position=form.position.data or 0)
        try:
            saved = committed(lambda: groups.save_group(edition, fields, found, actor=current_user))
        except GroupError as error:
            _show_all(form, error, "code")
        else:
            flash(_("%(name)s saved.", name=saved.name), "success")
            return redirect(url_for("volunteers.group", year=year, group_id=saved.id), 303)
    back = url_for("volunteers.group", year=year, group_id=found.id) if found else url_for("volunteers.index", year=year)
    return render_template("form_page.html", edition=edition, form=form, back_url=back,
                           back_label=found.name if found else _("Volunteers"),
                           title=_("Working group %(name)s", name=found.name) if found else _("New working group"),
                           ), _status(form)


@bp.route("/groups/<id:group_id>/delete", methods=["GET", "POST"])
@permission_required("volunteers.manage")
def group_delete(year, group_id):
    edition = edition_or_404(year)
    found = _group_or_404(edition, group_id, "volunteers.manage")
    _edition_wide(edition)
    return confirm_page(
        found, edition=edition, title=_("Delete the working group %(name)s?", name=found.name),
        back_url=url_for("volunteers.group", year=year, group_id=found.id),
        delete=lambda: groups.delete_group(found, actor=current_user),
        done_url=url_for("volunteers.index", year=year), done_message=_("Working group deleted."),
    )


@bp.route("/groups/<id:group_id>/members", methods=["POST"])
@permission_required("volunteers.manage")
def member_add(year, group_id):
    edition = edition_or_404(year)
    found = _group_or_404(edition, group_id, "volunteers.manage")
    form = forms.MemberForm()
    if form.validate_on_submit():
        try:
            member = committed(lambda: groups.add_member(found, form.email.data, form.lead.data, actor=current_user))
        except GroupError as error:
            _show_all(form, error, "email")
        else:
            flash(_("%(email)s is in the group.", email=member.user.email), "success")
            return redirect(url_for("volunteers.group", year=year, group_id=found.id) + "#members", 303)
    return _group_page(edition, found, member_form=form)


@bp.route("/groups/<id:group_id>/members/<id:member_id>/remove", methods=["POST"])
@permission_required("volunteers.manage")
def member_remove(year, group_id, member_id):
    edition = edition_or_404(year)
    found = _group_or_404(edition, group_id, "volunteers.manage")
    member = db.session.get(GroupMember, member_id)
    if member is None or member.group_id != found.id:
        abort(404)
    form = ConferenceForm()
    if not form.validate_on_submit():
        abort(400)
    email = member.user.email
    committed(lambda: groups.remove_member(member, actor=current_user))
    flash(_("%(email)s left the group.", email=email), "success")
    return redirect(url_for("volunteers.group", year=year, group_id=found.id) + "#members", 303)


@bp.route("/groups/<id:group_id>/halls", methods=["POST"])
@permission_required("volunteers.manage")
def hall_add(year, group_id):
    edition = edition_or_404(year)
    found = _group_or_404(edition, group_id, "volunteers.manage")
    form = forms.HallForm()
    if form.validate_on_submit():
        try:
            committed(lambda: groups.add_hall(found, venues.get_hall(edition, form.hall_id.data), actor=current_user))
        except GroupError as error:
            _show_all(form, error, "hall_id")
        else:
            flash(_("The group looks after the hall now."), "success")
            return redirect(url_for("volunteers.group", year=year, group_id=found.id) + "#halls", 303)
    return _group_page(edition, found, hall_form=form)


@bp.route("/groups/<id:group_id>/halls/<id:hall_group_id>/remove", methods=["POST"])
@permission_required("volunteers.manage")
def hall_remove(year, group_id, hall_group_id):
    edition = edition_or_404(year)
    found = _group_or_404(edition, group_id, "volunteers.manage")
    hall_group = db.session.get(HallGroup, hall_group_id)
    if hall_group is None or hall_group.group_id != found.id:
        abort(404)
    if not ConferenceForm().validate_on_submit():
        abort(400)
    committed(lambda: groups.remove_hall(hall_group, actor=current_user))
    flash(_("The group no longer looks after the hall."), "success")
    return redirect(url_for("volunteers.group", year=year, group_id=found.id) + "#halls", 303)


# Posts --------------------------------------------------------------------------------------


def _post_or_404(edition, post_id: int, permission: str = "volunteers.view"):
    post = services.get_post(edition, post_id) or abort(404)
    _allowed(permission, post)
    return post


@bp.route("/posts/<id:post_id>")
@permission_required("volunteers.view")
def post(year, post_id):
    edition = edition_or_404(year)
    found = _post_or_404(edition, post_id)
    by_day: dict[date, list] = {}
    for shift in groups.shifts_of_post(found):
        by_day.setdefault(local_day(edition, shift.starts_at), []).append(shift)
    return render_template(
        "volunteers/groups/post.html", edition=edition, post=found, group=found.group,
        shifts_by_day=list(by_day.items()), manages=can(current_user, "volunteers.manage", found),
        **LABELS,
    )


@bp.route("/groups/<id:group_id>/posts/new", methods=["GET", "POST"])
@bp.route("/posts/<id:post_id>/edit", methods=["GET", "POST"])
@permission_required("volunteers.manage")
def post_form(year, group_id=None, post_id=None):
    edition = edition_or_404(year)
    found = _post_or_404(edition, post_id, "volunteers.manage") if post_id else None
    owner = found.group if found else _group_or_404(edition, group_id, "volunteers.manage")
    form = forms.PostForm(obj=found)
    if found is not None and not form.is_submitted():
        form.place.data = groups.place_choice(found)
    places = groups.places_to_choose(edition)
    form.place.choices = {"": [SelectChoice("", _("Described in words below"))], **{
        str(forms.PLACE_KIND_LABELS[kind]): [SelectChoice(value, name) for value, name in choices]
        for kind, choices in places.items() if choices}}
    form.training_id.choices = _training_choices(edition)
    if form.validate_on_submit():
        fields = PostFields(
            code=form.code.data or "", kind=form.kind.data, name_zh=form.name_zh.data or "",
            name_en=form.name_en.data or "", name_zh_hant=form.name_zh_hant.data or "",
            description_zh=form.description_zh.data or "", description_en=form.description_en.data or "",
            place=form.place.data or "", place_text=form.place_text.data or "", self_signup=form.self_signup.data,
            training_id=form.training_id.data, skills=form.skills.data or [], languages=form.languages.data or [])
        try:
            saved = committed(lambda: groups.save_post(owner, fields, found, actor=current_user))
        except GroupError as error:
            _show_all(form, error, "code")
        else:
            flash(_("%(name)s saved.", name=saved.name), "success")
            return redirect(url_for("volunteers.post", year=year, post_id=saved.id), 303)
    back = (url_for("volunteers.post", year=year, post_id=found.id) if found
            else url_for("volunteers.group", year=year, group_id=owner.id))
    return render_template(
        "volunteers/groups/post_form.html", edition=edition, form=form, back_url=back,
        back_label=found.name if found else owner.name,
        title=_("Post %(name)s", name=found.name) if found else _("New post of %(group)s", group=owner.name),
    ), _status(form)


@bp.route("/posts/<id:post_id>/delete", methods=["GET", "POST"])
@permission_required("volunteers.manage")
def post_delete(year, post_id):
    edition = edition_or_404(year)
    found = _post_or_404(edition, post_id, "volunteers.manage")
    owner = found.group
    return confirm_page(
        found, edition=edition, title=_("Delete the post %(name)s?", name=found.name),
        back_url=url_for("volunteers.post", year=year, post_id=found.id),
        delete=lambda: groups.delete_post(found, actor=current_user),
        done_url=url_for("volunteers.group", year=year, group_id=owner.id), done_message=_("Post deleted."),
    )


# Shifts -------------------------------------------------------------------------------------


def _shift_form(edition, found=None, like=None) -> forms.ShiftForm:
    """The form for a new shift (like another one: its hours on every other day), or to edit one."""
    if found is not None and request.method == "GET":
        form = forms.ShiftForm(data=groups.shift_fields_of(found))
    elif like is not None and request.method == "GET":
        data = groups.shift_fields_of(like)
        data["days"] = [day.isoformat() for day in groups.volunteering_days(edition) if day.isoformat() != data["day"]]
        form = forms.ShiftForm(data=data)
    else:
        form = forms.ShiftForm()
    choices = _day_choices(edition)
    form.days.choices, form.day.choices = choices, choices
    form.training_id.choices = _training_choices(edition)
    if found is None:
        del form.day
    else:
        del form.days
    return form


def _chosen_days(form) -> list[date]:
    chosen = form.days.data if form.days is not None else [form.day.data]
    days = []
    for value in chosen or []:
        try:
            days.append(date.fromisoformat(value or ""))
        except (TypeError, ValueError):
            days.append(date.min)  # not a day: the service refuses it beside the field
    return days


@bp.route("/posts/<id:post_id>/shifts/new", methods=["GET", "POST"])
@bp.route("/shifts/<id:shift_id>/edit", methods=["GET", "POST"])
@permission_required("volunteers.manage")
def shift_form(year, post_id=None, shift_id=None):
    edition = edition_or_404(year)
    found = services.get_shift(edition, shift_id) or abort(404) if shift_id else None
    if found is not None:
        _allowed("volunteers.manage", found)
    owner = found.post if found else _post_or_404(edition, post_id, "volunteers.manage")
    like_id = form_row_id(request.args, "like")
    like = services.get_shift(edition, like_id) if like_id and found is None else None
    form = _shift_form(edition, found, like if like is not None and like.post_id == owner.id else None)
    if form.validate_on_submit():
        fields = ShiftFields(days=_chosen_days(form), starts=form.starts.data, ends=form.ends.data,
                             needed=form.needed.data, training_id=form.training_id.data,
                             skills=form.skills.data or [], languages=form.languages.data or [], note=form.note.data or "")

        def save():
            if found is None:
                return groups.add_shifts(owner, fields, actor=current_user)
            return [groups.update_shift(found, fields, actor=current_user)]

        try:
            saved = committed(save)
        except GroupError as error:
            _show_all(form, error, "days" if found is None else "day")
        else:
            flash(_("Shifts saved: %(n)d.", n=len(saved)), "success")
            return redirect(url_for("volunteers.post", year=year, post_id=owner.id) + "#shifts", 303)
    return render_template(
        "volunteers/groups/shift_form.html", edition=edition, form=form, post=owner, shift=found, **LABELS,
    ), _status(form)


@bp.route("/shifts/<id:shift_id>/delete", methods=["GET", "POST"])
@permission_required("volunteers.manage")
def shift_delete(year, shift_id):
    edition = edition_or_404(year)
    found = services.get_shift(edition, shift_id) or abort(404)
    _allowed("volunteers.manage", found)
    back = url_for("volunteers.post", year=year, post_id=found.post_id) + "#shifts"
    zone = edition.timezone
    return confirm_page(
        found, edition=edition, back_url=back, delete=lambda: groups.delete_shift(found, actor=current_user),
        title=_("Delete the shift %(post)s, %(day)s %(start)s–%(end)s?", post=found.post.name,
                day=day_label(found.starts_at, zone), start=time_label(found.starts_at, zone),
                end=time_label(found.ends_at, zone)),
        done_url=back, done_message=_("Shift deleted."),
    )


# Trainings ----------------------------------------------------------------------------------


def _training_or_404(edition, training_id: int) -> Training:
    return groups.get_training(edition, training_id) or abort(404)


@bp.route("/trainings")
@permission_required("volunteers.view")
def trainings(year):
    edition = edition_or_404(year)
    return render_template("volunteers/groups/trainings.html", edition=edition,
                           trainings=services.trainings_of(edition),
                           edition_wide=can(current_user, "volunteers.manage", edition))


@bp.route("/trainings/new", methods=["GET", "POST"])
@bp.route("/trainings/<id:training_id>/edit", methods=["GET", "POST"])
@permission_required("volunteers.manage")
def training_form(year, training_id=None):
    edition = edition_or_404(year)
    _edition_wide(edition)
    found = _training_or_404(edition, training_id) if training_id else None
    form = forms.TrainingForm(obj=found)
    if found is not None and not form.is_submitted():
        form.starts_at.data, form.ends_at.data = form_local(edition, found.starts_at), form_local(edition, found.ends_at)
    checkpoints = db.session.execute(db.select(Checkpoint).join(Venue).where(Venue.edition_id == edition.id)
                                     .order_by(Venue.position, Checkpoint.position)).scalars()
    form.checkpoint_id.choices = [SelectChoice("", _("None: attendance marked by hand"))] + [
        SelectChoice(str(c.id), f"{c.venue.name} · {c.name}") for c in checkpoints]
    if form.validate_on_submit():
        # A moment far from the conference is refused here: beyond the calendar it has no UTC.
        for moment in (form.starts_at, form.ends_at):
            if abs((moment.data.date() - edition.starts_on).days) > 366:
                moment.errors = [*moment.errors, _("Choose a day within a year of the conference.")]
        if not (form.starts_at.errors or form.ends_at.errors):
            fields = TrainingFields(
                code=form.code.data or "", title_zh=form.title_zh.data or "", title_en=form.title_en.data or "",
                title_zh_hant=form.title_zh_hant.data or "", starts_at=form_utc(edition, form.starts_at.data),
                ends_at=form_utc(edition, form.ends_at.data), place=form.place.data or "",
                checkpoint_id=form.checkpoint_id.data, capacity=form.capacity.data)
            try:
                saved = committed(lambda: groups.save_training(edition, fields, found, actor=current_user))
            except GroupError as error:
                _show_all(form, error, "code")
            else:
                flash(_("%(name)s saved.", name=saved.title), "success")
                return redirect(url_for("volunteers.training", year=year, training_id=saved.id), 303)
    back = (url_for("volunteers.training", year=year, training_id=found.id) if found
            else url_for("volunteers.trainings", year=year))
    return render_template(
        "form_page.html", edition=edition, form=form, back_url=back, back_label=found.title if found else _("Trainings"),
        title=_("Training %(name)s", name=found.title) if found else _("New training"),
    ), 422 if form.is_submitted() and form.errors else 200


@bp.route("/trainings/<id:training_id>")
@permission_required("volunteers.view")
def training(year, training_id):
    edition = edition_or_404(year)
    return _training_page(edition, _training_or_404(edition, training_id))


def _training_page(edition, found, book_form=None):
    visible = services.visible_groups(current_user, edition)
    book_form = book_form or forms.BookForm(formdata=None)
    book_form.volunteer_id.choices = [SelectChoice("", _("Choose a volunteer"))] + [
        SelectChoice(str(v.id), f"{v.name} · {v.group.name if v.group else _('no group')}")
        for v in groups.bookable(found, visible)]
    shown = [g for g in services.groups_of(edition) if visible is None or g.id in visible]
    book_form.group_id.choices = [SelectChoice("", _("No group"))] + [SelectChoice(str(g.id), g.name) for g in shown]
    places = groups.training_places(found, visible)
    # ?group= narrows the list to one group (an id of a group the reader sees; anything else: all)
    shown_group = form_row_id(request.args, "group")
    listed = [p for p in places if p.volunteer.group_id == shown_group] if shown_group in {g.id for g in shown} else places
    return render_template(
        "volunteers/groups/training.html", edition=edition, training=found, places=listed,
        booked=len(places), attended=sum(1 for p in places if p.attended_at), filter_groups=shown,
        shown_group=shown_group,
        book_form=book_form, attendance_form=forms.AttendanceForm(formdata=None),
        books=can(current_user, "volunteers.manage"), edition_wide=can(current_user, "volunteers.manage", edition),
        scoped=visible is not None,
    ), _status(book_form)


@bp.route("/trainings/<id:training_id>/book", methods=["POST"])
@permission_required("volunteers.manage")
def training_book(year, training_id):
    """Book one volunteer, or every volunteer of a group not yet booked while seats last."""
    edition = edition_or_404(year)
    found = _training_or_404(edition, training_id)
    form = forms.BookForm()
    if form.validate_on_submit():
        volunteer = services.get_volunteer(edition, form.volunteer_id.data) if form.volunteer_id.data else None
        group = services.get_group(edition, form.group_id.data) if form.group_id.data else None
        if volunteer is None and group is None:
            form.volunteer_id.errors = [_("Choose a volunteer or a group.")]
        else:
            _allowed("volunteers.manage", volunteer or group)
            try:
                booked = committed(lambda: _book(found, volunteer, group))
            except GroupError as error:
                _show_all(form, error, "volunteer_id")
            else:
                flash(_("Booked on the training: %(n)d.", n=booked), "success")
                return redirect(url_for("volunteers.training", year=year, training_id=found.id), 303)
    return _training_page(edition, found, form)


def _book(training: Training, volunteer, group) -> int:
    if volunteer is not None:
        groups.book(training, volunteer, actor=current_user)
        return 1
    candidates = groups.bookable(training, {group.id})
    if not candidates:
        raise GroupError(_("Every accepted volunteer of %(group)s is booked already.", group=group.name), "group_id")
    booked = 0
    for candidate in candidates:
        try:
            groups.book(training, candidate, actor=current_user)
        except GroupError:
            break  # full: those booked keep their seats
        booked += 1
    if not booked:
        raise GroupError(_("This training is full."), "group_id")
    return booked


def _training_place_or_404(edition, training_id: int, place_id: int) -> TrainingPlace:
    found = _training_or_404(edition, training_id)
    place = db.session.get(TrainingPlace, place_id)
    if place is None or place.training_id != found.id:
        abort(404)
    _allowed("volunteers.manage", place.volunteer)
    return place


@bp.route("/trainings/<id:training_id>/places/<id:place_id>/attended", methods=["POST"])
@permission_required("volunteers.manage")
def training_attended(year, training_id, place_id):
    edition = edition_or_404(year)
    place = _training_place_or_404(edition, training_id, place_id)
    form = forms.AttendanceForm()
    if not form.validate_on_submit():
        abort(400)
    committed(lambda: groups.mark_attendance(place, form.attended.data, clock.now(), actor=current_user))
    flash(_("%(name)s: attendance saved.", name=place.volunteer.name), "success")
    return redirect(url_for("volunteers.training", year=year, training_id=training_id) + f"#place-{place.id}", 303)


@bp.route("/trainings/<id:training_id>/places/<id:place_id>/remove", methods=["POST"])
@permission_required("volunteers.manage")
def training_unbook(year, training_id, place_id):
    edition = edition_or_404(year)
    place = _training_place_or_404(edition, training_id, place_id)
    if not ConferenceForm().validate_on_submit():
        abort(400)
    name = place.volunteer.name
    try:
        committed(lambda: groups.unbook(place, actor=current_user))
    except GroupError as error:
        flash(str(error.message), "error")
    else:
        flash(_("%(name)s is no longer booked on the training.", name=name), "success")
    return redirect(url_for("volunteers.training", year=year, training_id=training_id), 303)

