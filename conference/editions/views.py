from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from conference.core.database import committed
from conference.core.permissions import permission_required
from conference.editions import services
from conference.editions.forms import CloneForm, EditionForm
from conference.editions.models import Edition

bp = Blueprint("editions", __name__)


def edition_or_404(year: int) -> Edition:
    """The edition of a page's address; every domain's pages use it."""
    edition = services.get_edition(year)
    if edition is None:
        abort(404)
    return edition


def _fields(form: EditionForm) -> services.EditionFields:
    return services.EditionFields(
        year=form.year.data,
        city_zh=form.city_zh.data,
        city_zh_hant=form.city_zh_hant.data,
        city_en=form.city_en.data or "",
        theme_zh=form.theme_zh.data or "",
        theme_zh_hant=form.theme_zh_hant.data,
        theme_en=form.theme_en.data or "",
        starts_on=form.starts_on.data,
        ends_on=form.ends_on.data,
        hosts=form.hosts.names,
        organizers=form.organizers.names,
    )


@bp.route("/")
def home():
    """The public front page: the current edition, for anyone."""
    return render_template("editions/home.html", edition=services.current_edition())


@bp.route("/editions/")
@permission_required("editions.view")
def index():
    return render_template("editions/index.html", editions=services.list_editions())


@bp.route("/editions/<year:year>")
@permission_required("editions.view")
def detail(year: int):
    return render_template("editions/detail.html", edition=edition_or_404(year))


@bp.route("/editions/new", methods=["GET", "POST"])
@permission_required("editions.manage")
def create():
    form = EditionForm()
    if form.validate_on_submit():
        try:
            edition = committed(lambda: services.create_edition(_fields(form)))
        except services.EditionError as error:
            form.show(error, "year")
        else:
            flash(_("Edition %(year)d created.", year=edition.year), "success")
            return redirect(url_for("editions.detail", year=edition.year))
    return render_template("editions/form.html", form=form, edition=None)


@bp.route("/editions/<year:year>/edit", methods=["GET", "POST"])
@permission_required("editions.manage")
def edit(year: int):
    edition = edition_or_404(year)
    form = EditionForm(obj=edition)
    if not form.is_submitted():
        form.hosts.populate_from(edition.hosts)
        form.organizers.populate_from(edition.organizers)
    if form.validate_on_submit():
        try:
            committed(lambda: services.update_edition(edition, _fields(form)))
        except services.EditionError as error:
            form.show(error, "year")
        else:
            flash(_("Edition %(year)d saved.", year=edition.year), "success")
            return redirect(url_for("editions.detail", year=edition.year))
    return render_template("editions/form.html", form=form, edition=edition)


@bp.route("/editions/<year:year>/clone", methods=["GET", "POST"])
@permission_required("editions.manage")
def clone(year: int):
    source = edition_or_404(year)
    form = CloneForm()
    if not form.is_submitted():
        form.year.data = source.year + 1
    if form.validate_on_submit():
        try:
            edition = committed(lambda: services.clone_edition(
                source,
                year=form.year.data,
                city_zh=form.city_zh.data,
                city_en=form.city_en.data or "",
                starts_on=form.starts_on.data,
                ends_on=form.ends_on.data,
            ))
        except services.EditionError as error:
            form.show(error, "year")
        else:
            flash(
                _(
                    "Edition %(year)d created from %(source)d.",
                    year=edition.year,
                    source=source.year,
                ),
                "success",
            )
            return redirect(url_for("editions.detail", year=edition.year))
    return render_template(
        "editions/clone.html", form=form, source=source, steps=services.clone_step_labels()
    )
