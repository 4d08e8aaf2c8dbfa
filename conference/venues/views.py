from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from conference.core.database import committed
from conference.core.deletion import confirm_page
from conference.core.images import ImageRefusal
from conference.core.permissions import can, permission_required
from conference.core.urls import form_row_id
from conference.editions.views import edition_or_404
from conference.venues import services
from conference.venues.forms import (
    AREA_LABELS,
    LAYOUT_LABELS,
    CheckpointForm,
    HallForm,
    TemplateItemForm,
    TickForm,
    VenueForm,
    place_form,
)
from conference.venues.services import HallFields, NameFields, VenueError

bp = Blueprint("venues", __name__, url_prefix="/editions/<year:year>")


def _name(form, prefix="name") -> NameFields:
    return NameFields(
        zh=getattr(form, f"{prefix}_zh").data or "",
        en=getattr(form, f"{prefix}_en").data or "",
        zh_hant=getattr(form, f"{prefix}_zh_hant").data or "",
    )


@bp.route("/venues")
@permission_required("programme.view")
def index(year):
    edition = edition_or_404(year)
    return render_template(
        "venues/index.html", edition=edition, venues=services.venues_of(edition), layouts=LAYOUT_LABELS
    )


def _upload(form) -> bytes | None:
    upload = form.plan_image.data
    return upload.read() if upload and getattr(upload, "filename", "") else None


def _save_with_plan(form, save):
    """Save the venue or hall and its plan in one transaction: a refused image saves nothing."""
    image = _upload(form)
    remove = "remove_plan" in form and form.remove_plan.data

    def both():
        checked = services.check_plan(image) if image is not None else None
        place = save()
        if checked is not None:
            services.set_plan(place, checked, actor=current_user)
        elif remove:
            services.remove_plan(place, actor=current_user)
        return place

    return committed(both)


def _place_page(edition, form, title, place, plan_url):
    status = 422 if form.is_submitted() and form.errors else 200
    return render_template(
        "venues/place_form.html", edition=edition, form=form, title=title, place=place,
        plan_url=plan_url if place is not None and place.plan_file else None,
        back_url=url_for("venues.index", year=edition.year), back_label=_("Venues and halls"),
    ), status


@bp.route("/venues/new", methods=["GET", "POST"])
@bp.route("/venues/<id:venue_id>/edit", methods=["GET", "POST"])
@permission_required("venues.manage")
def venue_form(year, venue_id=None):
    edition = edition_or_404(year)
    venue = services.get_venue(edition, venue_id) or abort(404) if venue_id else None
    form = place_form(VenueForm, venue)
    if form.validate_on_submit():
        try:
            _save_with_plan(form, lambda: services.save_venue(
                edition, _name(form), form.address_zh.data or "", form.address_en.data or "",
                form.position.data or 0, venue=venue, actor=current_user,
            ))
        except (VenueError, ImageRefusal) as error:
            form.show(error, "name_zh")
        else:
            flash(_("Venue saved."), "success")
            return redirect(url_for("venues.index", year=year))
    plan_url = url_for("venues.venue_plan", year=year, venue_id=venue.id) if venue else None
    return _place_page(edition, form, _("Venue"), venue, plan_url)


@bp.route("/venues/<id:venue_id>/halls/new", methods=["GET", "POST"])
@bp.route("/venues/<id:venue_id>/halls/<id:hall_id>/edit", methods=["GET", "POST"])
@permission_required("venues.manage")
def hall_form(year, venue_id, hall_id=None):
    edition = edition_or_404(year)
    venue = services.get_venue(edition, venue_id) or abort(404)
    hall = None
    if hall_id:
        hall = services.get_hall(edition, hall_id)
        if hall is None or hall.venue_id != venue.id:
            abort(404)
    form = place_form(HallForm, hall)
    if form.validate_on_submit():
        fields = HallFields(
            name=_name(form), capacity=form.capacity.data, floor=form.floor.data or "",
            layout=form.layout.data, interpretation_booth=form.interpretation_booth.data,
            step_free=form.step_free.data, position=form.position.data or 0,
        )
        try:
            _save_with_plan(form, lambda: services.save_hall(venue, fields, hall=hall, actor=current_user))
        except (VenueError, ImageRefusal) as error:
            form.show(error, "name_zh")
        else:
            flash(_("Hall saved."), "success")
            return redirect(url_for("venues.index", year=year))
    plan_url = url_for("venues.hall_plan", year=year, hall_id=hall.id) if hall else None
    return _place_page(edition, form, venue.name, hall, plan_url)


def send_plan(place, cache: str):
    """The plan's file as an image response, or 404 when there is none."""
    path = services.plan_path(place) or abort(404)
    response = send_file(path, mimetype=services.plan_mimetype(place), conditional=True)
    response.headers["Cache-Control"] = cache
    return response


@bp.route("/venues/<id:venue_id>/plan")
@permission_required("programme.view")
def venue_plan(year, venue_id):
    venue = services.get_venue(edition_or_404(year), venue_id) or abort(404)
    return send_plan(venue, "private, max-age=300")


@bp.route("/halls/<id:hall_id>/plan")
@permission_required("programme.view")
def hall_plan(year, hall_id):
    hall = services.get_hall(edition_or_404(year), hall_id) or abort(404)
    return send_plan(hall, "private, max-age=300")


@bp.route("/venues/<id:venue_id>/checkpoints/new", methods=["GET", "POST"])
@permission_required("venues.manage")
def checkpoint_form(year, venue_id):
    edition = edition_or_404(year)
    venue = services.get_venue(edition, venue_id) or abort(404)
    form = CheckpointForm()
    form.hall_id.choices = [SelectChoice("", _("The venue's own entrance"))] + [
        SelectChoice(str(hall.id), hall.name) for hall in venue.halls
    ]
    if form.validate_on_submit():
        hall = next((h for h in venue.halls if h.id == form.hall_id.data), None)
        try:
            committed(lambda: services.save_checkpoint(venue, _name(form), form.code.data, hall=hall,
                                                       position=form.position.data or 0))
        except VenueError as error:
            form.show(error, "name_zh")
        else:
            flash(_("Checkpoint saved."), "success")
            return redirect(url_for("venues.index", year=year))
    return render_template("form_page.html", edition=edition, form=form, title=venue.name, back_url=url_for("venues.index", year=year), back_label=_("Venues and halls"))


@bp.route("/venues/<id:venue_id>/checkpoints/<id:checkpoint_id>/delete", methods=["GET", "POST"])
@permission_required("venues.manage")
def checkpoint_delete(year, venue_id, checkpoint_id):
    edition = edition_or_404(year)
    venue = services.get_venue(edition, venue_id) or abort(404)
    checkpoint = next((c for c in venue.checkpoints if c.id == checkpoint_id), None) or abort(404)
    back = url_for("venues.index", year=year)
    return confirm_page(
        checkpoint, edition=edition, title=_("Delete the checkpoint %(name)s?", name=checkpoint.name), back_url=back,
        delete=lambda: services.delete_checkpoint(checkpoint), done_url=back, done_message=_("Checkpoint removed."),
    )


@bp.route("/venues/<id:venue_id>/halls/<id:hall_id>/delete", methods=["GET", "POST"])
@permission_required("venues.manage")
def hall_delete(year, venue_id, hall_id):
    edition = edition_or_404(year)
    venue = services.get_venue(edition, venue_id) or abort(404)
    hall = next((h for h in venue.halls if h.id == hall_id), None) or abort(404)
    back = url_for("venues.index", year=year)
    return confirm_page(
        hall, edition=edition, title=_("Delete the hall %(name)s?", name=hall.name), back_url=back,
        delete=lambda: services.delete_hall(hall), done_url=back, done_message=_("Hall deleted."),
    )


@bp.route("/venues/<id:venue_id>/delete", methods=["GET", "POST"])
@permission_required("venues.manage")
def venue_delete(year, venue_id):
    edition = edition_or_404(year)
    venue = services.get_venue(edition, venue_id) or abort(404)
    back = url_for("venues.index", year=year)
    return confirm_page(
        venue, edition=edition, title=_("Delete the venue %(name)s?", name=venue.name), back_url=back,
        delete=lambda: services.delete_venue(venue), done_url=back, done_message=_("Venue deleted."),
    )


@bp.route("/checklist")
@permission_required("programme.view")
def checklist(year):
    edition = edition_or_404(year)
    return render_template(
        "venues/checklist.html", edition=edition,
        progress=[row for row in services.checklist_progress(edition) if can(current_user, "programme.view", row.hall)],
        template=services.checklist_template(edition), areas=AREA_LABELS,
    )


@bp.route("/checklist/template", methods=["GET", "POST"])
@permission_required("venues.manage")
def checklist_template(year):
    edition = edition_or_404(year)
    form = TemplateItemForm()
    if form.validate_on_submit():
        try:
            committed(lambda: services.add_template_item(edition, form.area.data, _name(form, "label")))
        except VenueError as error:
            form.show(error, "label_zh")
        else:
            flash(_("Checklist item added to every hall."), "success")
            return redirect(url_for("venues.checklist_template", year=year))
    return render_template(
        "venues/template.html", edition=edition, form=form,
        template=services.checklist_template(edition), areas=AREA_LABELS,
    )


@bp.route("/checklist/template/<id:item_id>/delete", methods=["POST"])
@permission_required("venues.manage")
def checklist_template_delete(year, item_id):
    edition = edition_or_404(year)
    item = services.get_template_item(edition, item_id) or abort(404)
    committed(lambda: services.remove_template_item(item))
    flash(_("Checklist item removed."), "success")
    return redirect(url_for("venues.checklist_template", year=year))


@bp.route("/checklist/halls/<id:hall_id>", methods=["GET", "POST"])
@permission_required("programme.view")
def hall_checklist(year, hall_id):
    edition = edition_or_404(year)
    hall = services.get_hall(edition, hall_id) or abort(404)
    if not can(current_user, "programme.view", hall):  # a group lead: the halls of their groups
        abort(403)
    form = TickForm()
    if form.is_submitted():
        if not can(current_user, "checklist.tick", hall):
            abort(403)
        item_id = form_row_id(request.form, "item_id")
        template_item = services.get_template_item(edition, item_id) if item_id else None
        if template_item is None:
            abort(400)
        if form.validate():
            committed(lambda: services.tick(hall, template_item, form.done.data, form.note.data or "",
                                            current_user.display_name or current_user.email))
            flash(_("Saved: %(item)s", item=template_item.label), "success")
            return redirect(url_for("venues.hall_checklist", year=year, hall_id=hall.id) + f"#item-{template_item.id}")
    return render_template(
        "venues/hall_checklist.html", edition=edition, hall=hall,
        rows=services.hall_checklist(hall), areas=AREA_LABELS, form=form,
    )
