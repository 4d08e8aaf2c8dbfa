"""The processing record for organizers (page and .xlsx), and the buttons that withdraw a
consent on the attendee's and the volunteer's own pages."""

import io

from flask import Blueprint, abort, flash, redirect, render_template, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from conference.core.database import committed
from conference.core.permissions import permission_required
from conference.editions.views import edition_or_404
from conference.privacy import consents, record, retention
from conference.registration.services import find_by_token
from conference.volunteers.services import volunteer_of

bp = Blueprint("privacy", __name__)


@bp.route("/editions/<year:year>/privacy/record")
@permission_required("privacy.record")
def processing_record(year):
    edition = edition_or_404(year)
    return render_template("privacy/record.html", edition=edition, record=record.build(edition))


@bp.route("/editions/<year:year>/privacy/record.xlsx")
@permission_required("privacy.record")
def processing_record_export(year):
    edition = edition_or_404(year)
    data = committed(lambda: record.export(edition, actor=current_user))
    return send_file(io.BytesIO(data), as_attachment=True, download_name=f"processing-record-{year}.xlsx",
                     mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def _withdrawn_message(kind: str) -> str:
    if kind == "photo":
        return _("Your consent is withdrawn: your photo is deleted.")
    return _("Your consent is withdrawn: your identity document is no longer sent to your hotel.")


@bp.route("/r/<token>/consents/<kind>/withdraw", methods=["POST"])
def attendee_withdraw(token, kind):
    if kind not in consents.KINDS:
        abort(404)

    def withdraw():
        registration = find_by_token(token)
        if registration is None:
            abort(404)
        consents.withdraw_for_attendee(registration, kind)

    committed(withdraw)
    flash(_withdrawn_message(kind), "success")
    return redirect(url_for("registration.own_page", token=token))


@bp.route("/volunteer/<year:year>/me/consents/<kind>/withdraw", methods=["POST"])
@login_required
def volunteer_withdraw(year, kind):
    edition = edition_or_404(year)
    if kind not in consents.KINDS:
        abort(404)

    def withdraw():
        volunteer = volunteer_of(current_user, edition)
        if volunteer is None:
            abort(403)
        consents.withdraw_for_volunteer(volunteer, kind, actor=current_user)

    committed(withdraw)
    flash(_withdrawn_message(kind), "success")
    return redirect(url_for("volunteers_me.page", year=year))


def attendee_card(registration, token, **page) -> dict:
    return {"privacy_held": consents.held_by_attendee(registration), "privacy_kinds": consents.KINDS,
            "privacy_withdraw": lambda kind: url_for("privacy.attendee_withdraw", token=token, kind=kind)}


def volunteer_card(volunteer, edition, **page) -> dict:
    return {"privacy_held": consents.held_by_volunteer(volunteer), "privacy_kinds": consents.KINDS,
            "privacy_withdraw": lambda kind: url_for("privacy.volunteer_withdraw", year=edition.year, kind=kind)}


def retention_fact(edition, **page) -> dict:
    return {"retention_days": retention.retention_days(edition), "purge_from": retention.purge_from(edition)}
