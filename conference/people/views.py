from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _

from conference.core.database import committed
from conference.core.permissions import permission_required
from conference.editions.views import edition_or_404
from conference.people import services
from conference.people.forms import CATEGORY_LABELS, PersonForm
from conference.people.services import PersonFields, PhotoError

bp = Blueprint("people", __name__, url_prefix="/editions/<year:year>/people")

PAGE_SIZE = 50


@bp.route("/")
@permission_required("people.view")
def index(year):
    edition = edition_or_404(year)
    category = request.args.get("category") if request.args.get("category") in CATEGORY_LABELS else None
    query = (request.args.get("q") or "").strip()[:100]
    page = min(max(1, request.args.get("page", 1, type=int)), 100_000)
    people, total = services.search_people(edition, query, category, page, PAGE_SIZE)
    return render_template(
        "people/index.html", edition=edition, people=people, total=total, page=page,
        pages=max(1, -(-total // PAGE_SIZE)), category=category, q=query, categories=CATEGORY_LABELS,
    )


@bp.route("/new", methods=["GET", "POST"])
@bp.route("/<id:person_id>/edit", methods=["GET", "POST"])
@permission_required("people.manage")
def form(year, person_id=None):
    edition = edition_or_404(year)
    person = services.get_person(edition, person_id) or abort(404) if person_id else None
    form = PersonForm(obj=person)
    if form.validate_on_submit():
        fields = PersonFields(
            family_name=form.family_name.data, given_name=form.given_name.data or "",
            name_latin=form.name_latin.data or "", category=form.category.data,
            organisation=form.organisation.data or "", organisation_en=form.organisation_en.data or "",
            title=form.title.data or "", title_en=form.title_en.data or "",
            bio_zh=form.bio_zh.data or "", bio_en=form.bio_en.data or "",
            email=form.email.data or "", public_profile=form.public_profile.data,
        )
        upload = form.photo.data
        photo = upload.read() if upload and getattr(upload, "filename", "") else None

        def save():
            # The photo is checked first: a refused photo must not half-save the person.
            if photo is not None:
                services.check_photo(photo)
            saved = services.update_person(person, fields) if person else services.create_person(edition, fields)
            if photo is not None:
                services.store_photo(saved, photo)
            return saved

        try:
            saved = committed(save)
        except PhotoError as error:
            form.show(error, "photo")
        else:
            flash(_("%(name)s saved.", name=saved.name), "success")
            return redirect(url_for("people.index", year=year))
    return render_template(
        "form_page.html", edition=edition, form=form,
        title=person.name if person else _("New person"),
        back_url=url_for("people.index", year=year), back_label=_("People"),
    )


@bp.route("/<id:person_id>/photo")
@permission_required("people.view")
def photo(year, person_id):
    edition = edition_or_404(year)
    person = services.get_person(edition, person_id) or abort(404)
    return send_photo(person)


def send_photo(person):
    path = services.photo_path(person)
    if path is None or not path.exists():
        abort(404)
    response = send_file(path, mimetype="image/jpeg", max_age=3600, conditional=True)
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response
