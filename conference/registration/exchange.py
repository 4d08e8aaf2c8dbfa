"""Excel in and out. Imports are previewed row by row before anything is saved, and importing
the same file twice adds nobody twice (the identity document decides). Exports are masked
unless the organizer may, and does ask otherwise with a reason; every text is a text cell
(core.spreadsheet), so a spreadsheet never runs it as a formula."""

import os
import re
import secrets
import time
from dataclasses import dataclass, field
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from conference.core import audit, pii
from conference.core.errors import Refusal
from conference.core.spreadsheet import local_time, read_rows, time_header, workbook
from conference.editions.models import Edition
from conference.registration import services
from conference.registration.forms import ID_TYPE_LABELS, STATUS_LABELS
from conference.registration.identity import ID_TYPES
from conference.registration.models import Registration
from conference.registration.services import RegistrationError, RegistrationFields

MAX_ROWS = 20_000
MAX_BYTES = 10 * 1024 * 1024
# Column titles organizers use, in either language, for each field.
HEADERS = {
    "family_name": {"姓", "family name", "surname", "family_name"},
    "given_name": {"名", "given name", "given_name", "first name"},
    "organisation": {"单位", "單位", "organisation", "organization"},
    "title": {"职务", "職務", "position", "title"},
    "email": {"邮箱", "電子郵件", "电子邮箱", "email"},
    "phone": {"手机", "手機", "电话", "phone", "mobile"},
    "id_type": {"证件类型", "證件類型", "document type", "id_type"},
    "id_number": {"证件号码", "證件號碼", "document number", "id_number"},
    "nationality": {"国籍", "國籍", "nationality"},
}
ID_TYPE_NAMES = {
    "居民身份证": "resident_id", "身份证": "resident_id",
    "港澳台居民居住证": "residence_permit_hmt", "居住证": "residence_permit_hmt",
    "港澳居民来往内地通行证": "hk_macau_permit", "回乡证": "hk_macau_permit",
    "台湾居民来往大陆通行证": "taiwan_permit", "台胞证": "taiwan_permit",
    "外国人永久居留身份证": "foreign_permanent_id", "护照": "passport", "護照": "passport",
}


class ImportProblem(Refusal):
    """The uploaded list cannot be read or imported: said beside the file."""


@dataclass
class ImportRow:
    number: int
    values: dict
    errors: dict = field(default_factory=dict)
    duplicate: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors and not self.duplicate


def _read(data: bytes) -> list[tuple[int, dict]]:
    if not data:
        raise ImportProblem(_l("Choose an Excel file (.xlsx) to upload."))
    if len(data) > MAX_BYTES:
        raise ImportProblem(_l("The file is larger than 10 MB."))
    try:
        header, *rows = read_rows(data, MAX_ROWS) or [()]
    except Refusal as refusal:
        raise ImportProblem(refusal.message) from refusal
    columns = {}
    for index, title in enumerate(header):
        name = str(title or "").strip().lower()
        for key, names in HEADERS.items():
            if name in names:
                columns[index] = key
    if "family_name" not in columns.values() or "id_number" not in columns.values():
        raise ImportProblem(_l("The first row must name the columns; at least 姓 (family name) and 证件号码 (document number)."))
    result = []
    for number, row in enumerate(rows, start=2):
        values = {key: str(row[i]).strip() if i < len(row) and row[i] is not None else "" for i, key in columns.items()}
        if any(values.values()):
            result.append((number, values))
    return result


def _fields(values: dict, category: str, version: int) -> RegistrationFields:
    id_type = values.get("id_type", "").strip()
    id_type = ID_TYPE_NAMES.get(id_type, id_type.lower()) or "resident_id"
    return RegistrationFields(
        category=category, family_name=values.get("family_name", ""), given_name=values.get("given_name", ""),
        organisation=values.get("organisation", ""), title=values.get("title", ""), email=values.get("email", ""),
        phone=values.get("phone", ""), id_type=id_type, id_number=values.get("id_number", ""),
        nationality=values.get("nationality") or None,
        # The organizer imports on the invitees' behalf; each is sent the notice with the confirmation.
        consents={"privacy_notice": version, "identity_document": version},
    )


def preview_import(edition: Edition, data: bytes, category_code: str) -> list[ImportRow]:
    category = services.category_by_code(edition, category_code)
    notice = services.current_notice(edition)
    if category is None or notice is None:
        raise ImportProblem(_l("Choose a category; registration must have a privacy notice first."))
    rows = []
    seen_in_file = set()
    for number, values in _read(data):
        row = ImportRow(number, values)
        fields = _fields(values, category.code, notice.version)
        if fields.id_type not in ID_TYPES:
            row.errors["id_type"] = _("Unknown document type.")
        try:
            services.check(edition, fields, invited=True)
        except RegistrationError as error:
            if set(error.errors) == {"id_number"} and error.errors["id_number"] == services.DUPLICATE_MESSAGE:
                row.duplicate = True
            else:
                row.errors.update({k: str(v) for k, v in error.errors.items()})
        key = (fields.id_type, fields.id_number.replace(" ", "").upper())
        if key in seen_in_file and not row.errors:
            row.duplicate = True
        seen_in_file.add(key)
        rows.append(row)
    return rows


UPLOAD_HOURS = 2  # a preview nobody confirms is deleted after this long
_UPLOAD_TOKEN = re.compile(r"^[A-Za-z0-9_-]{22}$")


def _uploads() -> Path:
    """The folder of previewed files (identity numbers in clear): the app's alone, and rid of
    the previews that expired, each time it is used."""
    folder = Path(current_app.config["INSTANCE_DIR"]) / "imports"
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    folder.chmod(0o700)  # also when an older version made it readable by others
    expired = time.time() - UPLOAD_HOURS * 3600
    for old in folder.glob("*.xlsx"):
        if old.stat().st_mtime < expired:
            old.unlink(missing_ok=True)
    return folder


def _upload_path(token: str) -> Path | None:
    return _uploads() / f"{token}.xlsx" if _UPLOAD_TOKEN.match(token or "") else None


def keep_upload(data: bytes) -> str:
    """Keep a previewed file until the organizer confirms or cancels, for at most UPLOAD_HOURS;
    created readable and writable by the app only."""
    token = secrets.token_urlsafe(16)
    handle = os.open(_uploads() / f"{token}.xlsx", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(handle, "wb") as file:
        file.write(data)
    return token


def take_upload(token: str) -> bytes | None:
    """The kept file, deleted as it is taken; None when unknown or expired."""
    path = _upload_path(token)
    if path is None or not path.exists():
        return None
    data = path.read_bytes()
    path.unlink(missing_ok=True)
    return data


def discard_upload(token: str) -> None:
    path = _upload_path(token)
    if path is not None:
        path.unlink(missing_ok=True)


def run_import(edition: Edition, data: bytes, category_code: str, actor=None) -> dict:
    rows = preview_import(edition, data, category_code)
    notice = services.current_notice(edition)
    created = 0
    for row in rows:
        if not row.ok:
            continue
        fields = _fields(row.values, category_code, notice.version)
        services.register(edition, fields, source="import", actor=actor, invited=True)
        created += 1
    audit.record("registration.import", edition, detail={"created": created, "rows": len(rows)}, actor=actor)
    return {
        "created": created,
        "duplicates": sum(1 for r in rows if r.duplicate),
        "invalid": sum(1 for r in rows if r.errors),
    }


def export_workbook(
    edition: Edition, filters: services.RegistrationFilters, unmasked: bool = False, reason: str = "", actor=None,
) -> bytes:
    """The rows the list shows with these filters, on all its pages. Identity numbers and
    phones are masked unless `unmasked`, which needs a reason; the audit log records the
    reason, the filters and how many rows left."""
    reason = (reason or "").strip()
    if unmasked and not reason:
        raise RegistrationError(_l("Give a reason; it is written to the audit log."), "reason")
    registrations = services.matching_registrations(edition, filters)
    zone = edition.timezone

    def row(registration: Registration) -> tuple:
        person = registration.person
        phone = pii.unseal(person.phone_sealed) if unmasked and person.phone_sealed else person.phone_masked
        number = pii.unseal(registration.document_sealed) if unmasked and registration.document_sealed else registration.document_masked
        sessions = [booking.session.title + ("" if booking.status == "confirmed" else f" ({_('On the waiting list')})")
                    for booking in registration.bookings if booking.status != "cancelled"]
        return (
            person.family_name, person.given_name, person.latin_name, registration.category.name,
            str(STATUS_LABELS[registration.status]), person.organisation, person.title, person.email or "",
            phone or "", str(ID_TYPE_LABELS.get(registration.id_type, registration.id_type)), number or "",
            registration.nationality or "", "; ".join(sessions), local_time(registration.created_at, zone),
        )

    data = workbook(
        _("Registrations"),
        [_("Family name"), _("Given name"), _("Name in Latin letters"), _("Category"), _("Status"),
         _("Organisation"), _("Position"), _("Email"), _("Mobile phone"), _("Identity document"),
         _("Document number"), _("Nationality (passports)"), _("Sessions"), time_header(_("Registered at"), zone)],
        (row(registration) for registration in registrations),
        [8, 10, 18, 10, 10, 28, 16, 26, 16, 22, 22, 8, 40, 20],
    )
    detail = {"unmasked": unmasked, "filters": filters.as_args(), "rows": len(registrations)}
    if unmasked:
        detail["reason"] = reason
    audit.record("registration.export", edition, detail=detail, actor=actor)
    return data
