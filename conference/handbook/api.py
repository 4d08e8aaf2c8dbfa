"""The published handbook under /api/v1: a PDF in one of its three languages."""

from typing import Literal

from flask import Blueprint, abort, request, send_file
from flask_babel import gettext as _
from pydantic import BaseModel
from spectree import Response as ApiResponse

from conference.core.api import FieldErrors, documented, json_response
from conference.core.database import committed
from conference.editions.views import edition_or_404
from conference.handbook import services
from conference.handbook.models import LANGUAGES

bp = Blueprint("handbook_api", __name__, url_prefix="/api/v1/editions/<year:year>")


class HandbookQuery(BaseModel):
    lang: Literal["zh_Hans", "zh_Hant", "en"] = "zh_Hans"


@bp.route("/handbook.pdf")
@documented(query=HandbookQuery, resp=ApiResponse("HTTP_200", "HTTP_404", HTTP_422=FieldErrors), tags=["handbook"])
def handbook_pdf(year):
    """The published conference handbook (A5) as a PDF; 404 while it is not published. The
    same handbook is served again at once until something it shows changes."""
    edition = edition_or_404(year)
    language = request.args.get("lang", "zh_Hans")
    if language not in LANGUAGES:
        return json_response({"errors": {"lang": _("Choose the language: zh_Hans, zh_Hant or en.")}}, 422)
    made = committed(lambda: services.published_file(edition, language))
    if made is None:
        abort(404)
    return send_file(services.file_of(made), mimetype="application/pdf", download_name=f"handbook-{year}-{language}.pdf")
