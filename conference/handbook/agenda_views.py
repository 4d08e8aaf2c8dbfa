"""The personal agenda behind the attendee's private link: a wrong link is a plain 404, and the
registration's hook keeps every /r/ page private and uncached."""

from flask import Blueprint, Response, abort, request

from conference.core.i18n import DEFAULT_LOCALE, LOCALES, current_locale, normalise_locale
from conference.handbook import agenda
from conference.registration.services import find_by_token

bp = Blueprint("handbook_agenda", __name__)


def language(registration) -> str:
    """The language asked for with ?lang= (the page the link is on), else the one they registered in."""
    asked = normalise_locale(request.args.get("lang"))
    if asked:
        return asked
    return registration.locale if registration.locale in LOCALES else DEFAULT_LOCALE


@bp.route("/r/<token>/agenda.pdf")
def agenda_pdf(token):
    registration = find_by_token(token)
    if registration is None or registration.status in ("cancelled", "rejected"):
        abort(404)
    body = agenda.agenda_pdf(registration, language(registration))
    return Response(body, mimetype="application/pdf", headers={
        "Content-Disposition": f'inline; filename="agenda-{registration.edition.year}.pdf"',
        "Cache-Control": "private, no-store",
    })


def offered(registration, **page) -> dict:
    """For the button on the private page: the agenda in the language the page is read in."""
    return {"agenda_locale": current_locale(), "agenda_offered": registration.status not in ("cancelled", "rejected")}
