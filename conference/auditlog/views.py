"""The audit log page and its Excel export: one filter parser for both."""

import io
from datetime import datetime

from flask import Blueprint, render_template, request, send_file
from flask_login import current_user

from conference.auditlog import services
from conference.core.database import committed
from conference.core.permissions import permission_required
from conference.core.spreadsheet import local_time
from conference.editions.localtime import form_utc
from conference.editions.views import edition_or_404

bp = Blueprint("auditlog", __name__)


def _filters(edition, args) -> services.AuditFilters:
    """The page's filters; times are typed on the host city's clock and kept in UTC."""

    def moment(name):
        try:
            typed = datetime.strptime(args.get(name, ""), "%Y-%m-%dT%H:%M")
        except ValueError:
            return None
        return form_utc(edition, typed)

    return services.AuditFilters(
        person=(args.get("person") or "")[:100], action=(args.get("action") or "")[:64],
        user=(args.get("user") or "")[:254], since=moment("since"), until=moment("until"),
    )


@bp.route("/editions/<year:year>/audit/")
@permission_required("audit.view")
def index(year):
    edition = edition_or_404(year)
    filters = _filters(edition, request.args)
    page = min(max(1, request.args.get("page", 1, type=int)), 100_000)
    rows, total = services.entries(edition, filters, page)
    return render_template(
        "auditlog/index.html", edition=edition, rows=rows, total=total, page=page,
        pages=max(1, -(-total // services.PAGE_SIZE)), filters=filters, args=filters.as_args(edition),
        actions=services.actions_of(edition), detail_text=services.detail_text,
        local=lambda moment: local_time(moment, edition.timezone).strftime("%Y-%m-%d %H:%M:%S"),
    )


@bp.route("/editions/<year:year>/audit/export.xlsx")
@permission_required("audit.view")
def export(year):
    edition = edition_or_404(year)
    filters = _filters(edition, request.args)
    data = committed(lambda: services.export(edition, filters, actor=current_user))
    return send_file(io.BytesIO(data), as_attachment=True, download_name=f"audit-{year}.xlsx",
                     mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
