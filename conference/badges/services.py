"""Badges: issue, reissue, revoke, verify, render. The one place that signs payloads."""

import base64
import importlib.util
import io
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import qrcode
import qrcode.image.svg
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from flask import render_template
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from PIL import Image
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from conference.badges import signing
from conference.badges.models import AccessZone, Badge, BadgeKey
from conference.badges.signing import Claim, InvalidPayload
from conference.core import audit, jobs, pdf, pii
from conference.core.encoding import b64url_decode, b64url_encode
from conference.core.errors import Refusal
from conference.core.i18n import DEFAULT_LOCALE, has_han
from conference.core.models import Job, utcnow
from conference.editions.models import Edition
from conference.editions.services import get_edition
from conference.extensions import db
from conference.people.models import Person
from conference.people.services import name_matches, photo_dir, photo_path

CATEGORY_COLOURS = {
    "guest": "#b4232a", "audience": "#1a4fa0", "media": "#1d7a3a", "staff": "#c05a00", "volunteer": "#6b2fa3",
}
CATEGORY_NAMES = {
    "guest": ("嘉宾", "GUEST"), "audience": ("特邀观众", "INVITED AUDIENCE"), "media": ("媒体", "MEDIA"),
    "staff": ("工作人员", "STAFF"), "volunteer": ("志愿者", "VOLUNTEER"),
}
REASONS = {
    "not_a_badge": _l("This code is not a conference badge."),
    "malformed": _l("The code is damaged or incomplete."),
    "wrong_edition": _l("This badge is for another edition."),
    "bad_signature": _l("The signature does not match: the badge is forged or altered."),
    "unknown": _l("No such badge."),
    "superseded": _l("An older version of a reissued badge: the holder has a newer one."),
    "revoked": _l("This badge has been revoked."),
}


class BadgeError(Refusal):
    pass


# Keys ---------------------------------------------------------------------------------------


def find_key(edition: Edition) -> BadgeKey | None:
    """The edition's key pair if it has one yet: a read, for pages and the API."""
    return db.session.execute(select(BadgeKey).where(BadgeKey.edition_id == edition.id)).scalar_one_or_none()


def key_for(edition: Edition) -> BadgeKey:
    """The edition's key pair, made on first use."""
    key = find_key(edition)
    if key is None:
        private = signing.new_key()
        key = BadgeKey(
            edition_id=edition.id,
            public_key=b64url_encode(signing.raw_public(private)),
            private_key_sealed=pii.seal_bytes(signing.raw_private(private)),
        )
        db.session.add(key)
        db.session.flush()
        audit.record("badge.key_created", edition)
    return key


def private_key(edition: Edition) -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(pii.unseal_bytes(key_for(edition).private_key_sealed))


def public_key(edition: Edition) -> Ed25519PublicKey:
    return Ed25519PublicKey.from_public_bytes(b64url_decode(key_for(edition).public_key))


# Zones --------------------------------------------------------------------------------------


def zones_of(edition: Edition) -> list[AccessZone]:
    return list(db.session.execute(
        select(AccessZone).where(AccessZone.edition_id == edition.id).order_by(AccessZone.bit)).scalars())


def zone_mask(badge: Badge, zones: list[AccessZone]) -> int:
    """The zones a badge's code carries when it is made now: never a retired one (a code
    printed before it was retired keeps it, see AccessZone.retired)."""
    mask = 0
    for zone in zones:
        if zone.retired:
            continue
        if badge.person.category in (zone.default_categories or []) or zone.code in (badge.extra_zones or []):
            mask |= 1 << zone.bit
    return mask


def zones_in(mask: int, zones: list[AccessZone]) -> list[AccessZone]:
    return [zone for zone in zones if mask & (1 << zone.bit)]


def get_zone(edition: Edition, zone_id: int) -> AccessZone | None:
    return db.session.execute(
        select(AccessZone).where(AccessZone.id == zone_id, AccessZone.edition_id == edition.id)).scalar_one_or_none()


def retire_zone(zone: AccessZone, actor=None) -> None:
    """Zones are retired, never deleted: a printed badge's code names the zone by its bit,
    so neither the row nor the bit may go or be given to another zone."""
    if zone.retired:
        return
    zone.retired = True
    audit.record("zone.retire", zone, detail={"code": zone.code}, actor=actor)


# Issuing ------------------------------------------------------------------------------------


def badge_of(person: Person) -> Badge | None:
    return db.session.execute(select(Badge).where(Badge.person_id == person.id)).scalar_one_or_none()


def issue(person: Person, actor=None) -> Badge:
    """The person's badge, made if they have none yet (one per person per edition)."""
    badge = badge_of(person)
    if badge is not None:
        return badge
    count = db.session.execute(select(func.count(Badge.id)).where(Badge.edition_id == person.edition_id)).scalar_one()
    edition = db.session.get(Edition, person.edition_id)
    key_for(edition)  # the key pair exists before any badge that it signs
    badge = Badge(edition_id=person.edition_id, person=person, serial=f"{edition.year}-{count + 1:05d}", version=1)
    db.session.add(badge)
    db.session.flush()
    audit.record("badge.issue", badge, detail={"serial": badge.serial}, actor=actor)
    return badge


def reissue(badge: Badge, reason: str, actor=None) -> Badge:
    """A lost badge: a new version, and the old QR is answered `superseded` from now on."""
    if badge.version >= 255:
        raise BadgeError(_l("This badge cannot be reissued again."))
    badge.version += 1
    badge.status = "active"
    badge.revoked_reason = ""
    audit.record("badge.reissue", badge, detail={"version": badge.version, "reason": reason.strip()}, actor=actor)
    return badge


def revoke(badge: Badge, reason: str, actor=None) -> Badge:
    if not reason.strip():
        raise BadgeError(_l("Give the reason for revoking; the gate shows it."))
    badge.status = "revoked"
    badge.revoked_reason = reason.strip()
    audit.record("badge.revoke", badge, detail={"reason": reason.strip()}, actor=actor)
    return badge


def issue_on_approval(registration, actor=None) -> None:
    """Registration's "registration.approved": the attendee gets their badge."""
    issue(registration.person, actor=actor)


def revoke_on_cancellation(registration, actor=None) -> None:
    """Registration's "registration.cancelled": a cancelled registration opens no gate."""
    badge = badge_of(registration.person)
    if badge is not None and badge.status == "active":
        with force_locale(DEFAULT_LOCALE):  # the gate's volunteers read the reason
            revoke(badge, str(_l("Registration cancelled")), actor=actor)


def set_extra_zones(badge: Badge, codes: list[str], actor=None) -> Badge:
    known = {zone.code for zone in zones_of(badge.edition) if not zone.retired}
    badge.extra_zones = [code for code in codes if code in known]
    audit.record("badge.zones", badge, detail={"extra": badge.extra_zones}, actor=actor)
    return badge


# Payloads -----------------------------------------------------------------------------------


def payload(badge: Badge, key: Ed25519PrivateKey | None = None, zones: list[AccessZone] | None = None) -> str:
    """The signed QR text. A batch passes the key and zones once instead of per badge."""
    return signing.encode(_code(badge, key, zones))


def _code(badge: Badge, key: Ed25519PrivateKey | None = None, zones: list[AccessZone] | None = None) -> bytes:
    edition = badge.edition
    zones = zones_of(edition) if zones is None else zones
    claim = Claim(edition.year, badge.id, badge.version, zone_mask(badge, zones))
    return signing.signed(key or private_key(edition), claim)


@dataclass
class Verdict:
    ok: bool
    reason: str  # valid, or one of REASONS
    claim: Claim | None = None
    badge: Badge | None = None

    @property
    def message(self) -> str:
        return str(REASONS.get(self.reason, "")) if not self.ok else ""


def verify(text: str, edition: Edition) -> Verdict:
    """Everything the gate needs to know about a scanned payload, with the reason for a no."""
    try:
        claim = signing.verify(text, edition.year, public_key(edition))
    except InvalidPayload as refusal:
        return Verdict(False, refusal.reason)
    badge = db.session.get(Badge, claim.badge_id)
    if badge is None or badge.edition_id != edition.id:
        return Verdict(False, "unknown", claim)
    if claim.version < badge.version:
        return Verdict(False, "superseded", claim, badge)
    if badge.status == "revoked":
        return Verdict(False, "revoked", claim, badge)
    return Verdict(True, "valid", claim, badge)


# Rendering ----------------------------------------------------------------------------------


def qr_png(text: str) -> str:
    """The badge's QR as a data: URL of a PNG with one pixel per module, which the sheet scales
    up unblurred (`image-rendering: pixelated`): far lighter to lay out and write than SVG
    squares. The mask is fixed: any of the eight decodes, and choosing the "best" one costs
    most of making the code."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_Q, border=0, mask_pattern=0)
    code.add_data(text)
    code.make(fit=True)
    size = len(code.modules)
    image = Image.new("1", (size, size))
    image.putdata([0 if dark else 1 for row in code.modules for dark in row])
    data = io.BytesIO()
    image.save(data, "PNG")
    return "data:image/png;base64," + base64.b64encode(data.getvalue()).decode()


def qr_svg(text: str) -> str:
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_Q, border=0,
                         image_factory=qrcode.image.svg.SvgPathImage)
    code.add_data(text)
    code.make(fit=True)
    return code.make_image().to_string(encoding="unicode")


def name_size_mm(name: str) -> float:
    """Two- to four-character Chinese names very large; long Latin names smaller, wrapping onto
    at most two lines of the 84 mm line, never cut."""
    if has_han(name):
        return {1: 22.0, 2: 22.0, 3: 18.0, 4: 15.0}.get(len(name), max(7.0, 60.0 / len(name)))
    width_em = sum(0.32 if ch in "iljt.,' " else 0.62 if ch.isupper() else 0.52 for ch in name)
    return round(min(13.0, 84.0 * 2 / max(width_em, 1) * 0.92), 2)


def _badge_context(badge: Badge, zones: list[AccessZone], key: Ed25519PrivateKey, traditional: set[int]) -> dict:
    person = badge.person
    photo = photo_path(person)
    mask = zone_mask(badge, zones)
    colour = CATEGORY_COLOURS.get(person.category, "#444")
    zh, en = CATEGORY_NAMES.get(person.category, (person.category, person.category.upper()))
    return {
        "badge": badge, "person": person, "colour": colour, "category_zh": zh, "category_en": en,
        "photo": photo.as_uri() if photo is not None and photo.exists() else None,
        "zones": zones_in(mask, zones), "all_zones": zones, "qr": qr_png(payload(badge, key, zones)),
        "name_mm": name_size_mm(person.name), "lang": "zh-Hant" if person.id in traditional else "zh-Hans",
    }


def _traditional_readers(person_ids: list[int]) -> set[int]:
    """Who registered in Traditional Chinese: their badge is set in Noto Sans CJK TC."""
    from conference.registration.models import Registration

    return set(db.session.execute(select(Registration.person_id).where(
        Registration.person_id.in_(person_ids), Registration.locale == "zh_Hant_TW")).scalars())


def badges_html(badges: list[Badge], layout: str = "single") -> str:
    if not badges:
        raise BadgeError(_l("No badge matches."))
    edition = badges[0].edition
    zones, key = zones_of(edition), private_key(edition)  # once per sheet, not per badge
    traditional = _traditional_readers([b.person_id for b in badges])
    with force_locale("zh_Hans_CN"):
        html = render_template(
            "badges/sheet.html", layout=layout, edition=edition, fonts=pdf.FONT_FAMILIES,
            cards=[_badge_context(b, zones, key, traditional) for b in badges],
        )
    # The template's indentation between tags would be parsed and boxed by WeasyPrint, badge after badge.
    return re.sub(r">\s+<", "><", html)


def printable(badge: Badge, version: int | None = None) -> None:
    """Refuse what would print a code the gate answers with a no but that looks valid: a revoked
    badge, or a version a reissue has superseded (`version`: the one about to be printed)."""
    if badge.status == "revoked":
        raise BadgeError(_l("Badge %(serial)s has been revoked (%(reason)s): it cannot be printed.",
                            serial=badge.serial, reason=badge.revoked_reason))
    if version is not None and version != badge.version:
        raise BadgeError(_l("Version %(old)d of badge %(serial)s has been superseded by version %(new)d: only "
                            "the current version can be printed.", old=version, serial=badge.serial, new=badge.version))


def record_printing(badges: list[Badge], versions: dict[int, int] | None = None, actor=None) -> None:
    """Each badge printed keeps the code it carries: the gate knows that code as its own and
    needs no signature check for it. Done after the rendering, in one short write; `versions`
    are the ones rendered, refused if a badge was revoked or reissued meanwhile."""
    for badge in badges:
        printable(badge, (versions or {}).get(badge.id))
    key, zones = (private_key(badges[0].edition), zones_of(badges[0].edition)) if badges else (None, [])
    for badge in badges:
        badge.printed_count += 1
        badge.printed_version = badge.version
        badge.last_printed_at = utcnow()
        badge.last_printed_by = actor.email if actor else "cli"
        badge.issued_code = _code(badge, key, zones)
    audit.record("badge.print", badges[0].edition if badges else None, detail={"count": len(badges)}, actor=actor)


def single_pdf(badge: Badge, actor=None, layout: str = "single", version: int | None = None) -> bytes:
    """Print one badge: `version` is the one the organizer saw; a superseded one is refused."""
    version = badge.version if version is None else version
    printable(badge, version)
    data = render_pdf([badge], layout)
    record_printing([badge], {badge.id: version}, actor)
    return data


def own_pdf(badge: Badge) -> bytes:
    """The holder's own copy, from their private page: a read, which records no printing and
    leaves the code the gate knows alone."""
    printable(badge)
    return render_pdf([badge])


def render_pdf(badges: list[Badge], layout: str = "single") -> bytes:
    """A few badges in one document, in this process: the single badge, the holder's copy."""
    return pdf.render(badges_html(badges, layout), folders=(photo_dir(),), plain=True)


# Choosing and ordering for batches -----------------------------------------------------------


def _matching(edition: Edition, category: str | None = None, organisation: str = "", not_printed: bool = False,
              session_id: int | None = None, query_text: str = ""):
    query = select(Badge).join(Person, Badge.person_id == Person.id).where(Badge.edition_id == edition.id)
    if category:
        query = query.where(Person.category == category)
    if organisation:
        query = query.where(Person.organisation.contains(organisation, autoescape=True))
    if not_printed:  # this version never printed: a reissued badge is printed anew
        query = query.where(Badge.printed_version.is_(None) | (Badge.printed_version != Badge.version))
    if query_text:
        query = query.where(name_matches(query_text) | (Badge.serial == query_text.strip()))
    if session_id:
        from conference.registration.services import holds_confirmed_seat

        query = query.where(holds_confirmed_seat(Person.id, session_id))
    return query


def select_badges(edition: Edition, category: str | None = None, organisation: str = "", not_printed: bool = False,
                  sort: str = "pinyin", limit: int | None = None, session_id: int | None = None,
                  query_text: str = "") -> list[Badge]:
    """The active badges matching the filters, in print order; revoked ones are never printed."""
    query = (
        _matching(edition, category, organisation, not_printed, session_id, query_text)
        .where(Badge.status == "active").options(selectinload(Badge.person), selectinload(Badge.edition))
    )
    order = {"organisation": (Person.organisation, Person.name_pinyin), "serial": (Badge.serial,)}.get(sort, (Person.name_pinyin,))
    query = query.order_by(*order, Badge.id)
    if sort != "strokes" and limit:
        query = query.limit(limit)  # stroke order is known only after loading
    badges = list(db.session.execute(query).scalars())
    if sort == "strokes":
        badges.sort(key=lambda b: stroke_key(b.person.family_name + b.person.given_name))
    return badges[:limit] if limit else badges


def count_revoked(edition: Edition, category: str | None = None, organisation: str = "", not_printed: bool = False,
                  session_id: int | None = None) -> int:
    """How many revoked badges the same filters match: a batch skips them and says so."""
    matching = _matching(edition, category, organisation, not_printed, session_id).where(Badge.status == "revoked")
    return db.session.execute(select(func.count()).select_from(matching.subquery())).scalar_one()


@lru_cache(maxsize=1)
def _stroke_levels() -> dict:
    """cn_sort's table of characters by stroke count and stroke sequence. Read from its data
    file: importing cn_sort itself would reconfigure (and silence) the app's logging."""
    package = Path(importlib.util.find_spec("cn_sort").submodule_search_locations[0])  # found, not imported
    table = json.loads((package / "res" / "all_word.json").read_text(encoding="utf-8"))
    return {entry["chinese"]: entry["stroke_increment_level"] for entry in table["all_word"]}


def stroke_key(name: str) -> list:
    """姓氏笔画: by stroke count then stroke sequence of each character, family name first
    (cn_sort's table, MIT); Latin names, and characters it does not know, go after them."""
    levels = _stroke_levels()
    return [levels.get(ch, 10**9) if has_han(ch) else 10**9 + ord(ch) for ch in name]


# Batches ------------------------------------------------------------------------------------

BATCH_KIND = "badges.batch"
# At most this many badges in a part of a batch. A part is laid out whole in one worker, which
# bounds a worker's memory; and each part embeds its own subset of the CJK fonts (≈300 kB at
# 100 badges), so fewer, larger parts make a smaller file.
BATCH_CHUNK = 250


def part_size(count: int) -> int:
    """Badges per part: parts of at most BATCH_CHUNK, as many as a multiple of the workers when
    there are several, so that no worker waits idle for the last one."""
    parts = -(-count // BATCH_CHUNK)
    if parts > 1:
        parts = -(-parts // pdf.workers()) * pdf.workers()
    return -(-count // parts)


def write_batch(badges: list[Badge], layout: str, target: Path, progress: Callable[[int], None] | None = None) -> None:
    """The batch PDF at `target`: parts laid out in parallel, joined in order. `progress(n)` is
    told how many badges are done. Records nothing."""
    size = part_size(len(badges))
    parts = (badges_html(badges[start:start + size], layout) for start in range(0, len(badges), size))

    def parts_done(count: int) -> None:
        if progress is not None:
            progress(min(count * size, len(badges)))

    pdf.render_parts(parts, target, folders=(photo_dir(),), progress=parts_done, plain=True)


def start_batch(edition: Edition, filters: dict, actor=None) -> Job:
    job = jobs.start(BATCH_KIND, filters, edition.id, actor)
    audit.record("badge.batch", job, detail=filters, actor=actor)
    return job


def run_batch(job: Job, target: Path, report: jobs.Report) -> None:
    """The batch job's work: the PDF of the badges its filters choose, then their printing recorded."""
    edition = db.session.get(Edition, job.edition_id)
    filters = job.params
    chosen = (filters.get("category") or None, filters.get("organisation") or "", bool(filters.get("not_printed")))
    badges = select_badges(edition, *chosen, filters.get("sort") or "pinyin", filters.get("limit") or None,
                           filters.get("session") or None)
    skipped = count_revoked(edition, *chosen, filters.get("session") or None)
    if not badges:
        raise BadgeError(_l("No badge matches."))
    versions = {badge.id: badge.version for badge in badges}
    report(0, len(badges))
    write_batch(badges, filters.get("layout") or "single", target, lambda done: report(done, len(badges)))
    # Written only now: the job reports progress on its own connection meanwhile, which a
    # write pending in this session would keep waiting (SQLite has one writer).
    job.skipped = skipped
    record_printing(badges, versions)  # refuses if one was revoked or reissued while rendering


def get_batch(edition: Edition, job_id: int) -> Job | None:
    return db.session.execute(select(Job).where(
        Job.id == job_id, Job.kind == BATCH_KIND, Job.edition_id == edition.id)).scalar_one_or_none()


def count_badges(edition: Edition) -> int:
    return db.session.execute(select(func.count(Badge.id)).where(Badge.edition_id == edition.id)).scalar_one()


def get_badge(edition: Edition, badge_id: int) -> Badge | None:
    return db.session.execute(select(Badge).where(Badge.id == badge_id, Badge.edition_id == edition.id)).scalar_one_or_none()


def edition_for_year(year: int) -> Edition | None:
    return get_edition(year)


# Cloning ------------------------------------------------------------------------------------


def clone_zones(source: Edition, target: Edition, required: dict) -> dict:
    for zone in zones_of(source):
        if zone.retired:
            continue
        db.session.add(AccessZone(
            edition_id=target.id, code=zone.code, bit=zone.bit, name_zh=zone.name_zh, name_zh_hant=zone.name_zh_hant,
            name_en=zone.name_en, default_categories=list(zone.default_categories or []),
        ))
    return {}
