"""The organizers' handbook page: chapters and their order, the texts, a chapter's preview,
building (served at once when kept), publishing; the published handbook on the public programme."""

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user

from conference.core.database import committed
from conference.core.images import ImageRefusal
from conference.core.permissions import permission_required
from conference.editions.views import edition_or_404
from conference.extensions import db
from conference.handbook import book as content
from conference.handbook import jobs, printing, services
from conference.handbook.forms import LANGUAGE_LABELS, BuildForm, CoverForm, TextsForm
from conference.handbook.models import LANGUAGES, TEXT_KEYS, HandbookBuild

bp = Blueprint("handbook", __name__, url_prefix="/editions/<year:year>/handbook")


def _page(edition, form=None, chapter_error=None, status=200, cover_form=None):
    settings = services.settings_for(edition)
    return render_template(
        "handbook/index.html", edition=edition, settings=settings, form=form or BuildForm(),
        cover_form=cover_form or CoverForm(), has_cover=services.cover_path(edition) is not None,
        chapters=content.CHAPTERS, titles=content.CHAPTER_TITLES, chosen=content.chapters_of(settings.chapters),
        requires=content.REQUIRES, builds=services.latest_builds(edition), chapter_error=chapter_error,
        languages=LANGUAGE_LABELS,
    ), status


@bp.route("/")
@permission_required("handbook.view")
def index(year):
    return _page(edition_or_404(year))


@bp.route("/chapters", methods=["POST"])
@permission_required("handbook.manage")
def chapters(year):
    """Chapters ticked, in the order of their numbers (ties: the usual order)."""
    edition = edition_or_404(year)
    chosen = []
    for position, key in enumerate(content.CHAPTERS):
        if request.form.get(f"include_{key}"):
            order = (request.form.get(f"order_{key}") or "").strip()
            if not order.isdigit() or len(order) > 3:
                return _page(edition, chapter_error=_("Give each chapter ticked a whole number for its place."),
                             status=422)
            chosen.append((int(order), position, key))
    try:
        committed(lambda: services.set_chapters(edition, [key for *_, key in sorted(chosen)], actor=current_user))
    except services.HandbookError as refusal:
        return _page(edition, chapter_error=refusal.message, status=422)
    flash(_("Chapters saved."), "success")
    return redirect(url_for("handbook.index", year=year))


@bp.route("/publish", methods=["POST"])
@permission_required("handbook.manage")
def publish(year):
    edition = edition_or_404(year)
    published = request.form.get("published") == "1"
    committed(lambda: services.set_published(edition, published, actor=current_user))
    flash(_("The handbook is published.") if published else _("The handbook is no longer published."), "success")
    return redirect(url_for("handbook.index", year=year))


@bp.route("/cover", methods=["POST"])
@permission_required("handbook.manage")
def cover(year):
    """A new cover image in place of the old one, or none: a refused image changes nothing."""
    edition = edition_or_404(year)
    form = CoverForm()
    if form.validate_on_submit():
        upload = form.cover_image.data
        data = upload.read() if upload and getattr(upload, "filename", "") else None

        def change():
            if data is not None:
                services.set_cover(edition, services.check_cover(data), actor=current_user)
            elif form.remove_cover.data:
                services.remove_cover(edition, actor=current_user)

        try:
            committed(change)
        except (services.HandbookError, ImageRefusal) as refusal:
            form.show(refusal, "cover_image")
        else:
            flash(_("Cover saved."), "success")
            return redirect(url_for("handbook.index", year=year))
    return _page(edition, cover_form=form, status=422)


@bp.route("/cover")
@permission_required("handbook.view")
def cover_image(year):
    edition = edition_or_404(year)
    path = services.cover_path(edition) or abort(404)
    response = send_file(path, mimetype=services.cover_mimetype(edition), conditional=True)
    response.headers["Cache-Control"] = "private, max-age=300"
    return response


@bp.route("/build", methods=["POST"])
@permission_required("handbook.manage")
def build(year):
    """A kept handbook is served at once; otherwise a job builds it, with its progress page."""
    edition = edition_or_404(year)
    form = BuildForm()
    if not form.validate_on_submit():
        return _page(edition, form, status=422)
    options = services.check_options(form.language.data, form.size.data, form.bleed.data)
    kept = services.cached(edition, options)
    if kept is not None:
        return redirect(url_for("handbook.file", year=year, build_id=kept.id))
    job = committed(lambda: services.start_build(edition, options, actor=current_user))
    jobs.build_handbook(job.id)
    return redirect(url_for("core.job", job_id=job.id))


@bp.route("/files/<id:build_id>.pdf")
@permission_required("handbook.view")
def file(year, build_id):
    edition = edition_or_404(year)
    found = db.session.get(HandbookBuild, build_id)
    if found is None or found.edition_id != edition.id or not services.file_of(found).is_file():
        abort(404)
    return send_file(services.file_of(found), mimetype="application/pdf",
                     download_name=f"handbook-{year}-{found.language}-{found.size}.pdf")


@bp.route("/texts", methods=["GET", "POST"])
@permission_required("handbook.manage")
def texts(year):
    edition = edition_or_404(year)
    form = TextsForm()
    if request.method == "GET":
        for (key, language), body in services.texts_of(edition).items():
            getattr(form, f"{key}_{language}").data = body
    elif form.validate_on_submit():
        def save():
            for key in TEXT_KEYS:
                for language in LANGUAGES:
                    services.save_text(edition, key, language, getattr(form, f"{key}_{language}").data or "",
                                       actor=current_user)

        committed(save)
        flash(_("Texts saved."), "success")
        return redirect(url_for("handbook.texts", year=year))
    status = 422 if form.errors else 200
    return render_template("handbook/texts.html", edition=edition, form=form, keys=TEXT_KEYS, languages=LANGUAGES,
                           chapters=content.CHAPTERS, titles=content.CHAPTER_TITLES, labels=LANGUAGE_LABELS), status


@bp.route("/preview/<chapter>")
@permission_required("handbook.manage")
def preview(year, chapter):
    """One chapter, or the cover, as the book lays it out, in the browser (page numbers come
    with the PDF)."""
    edition = edition_or_404(year)
    language = request.args.get("lang", "zh_Hans")
    if chapter not in ("cover", *content.CHAPTERS) or language not in LANGUAGES:
        abort(404)
    with force_locale(content.LOCALES[language]):
        book = content.gather(edition, [chapter], content.Options(language), services.cover_path(edition))
        if chapter != "cover" and chapter not in book.chapters:
            return render_template("handbook/preview_missing.html", edition=edition, log=book.log), 404
        return printing.chapter_html(book, chapter)


def public_downloads(edition, **page) -> dict:
    """The public programme's links to the published handbook, one per language."""
    return {"handbook_published": services.settings_for(edition).published, "handbook_languages": LANGUAGE_LABELS}

