"""Applications to volunteer and their screening: the public form's rules (the identity document
checked exactly as registration checks it), the applicant's own link, the edition's volunteers'
privacy notice, and the screeners' decisions. Accepting makes the volunteer a Person of category
volunteer with a badge and an account invited by mail, in one transaction.

Duplicates: a keyed hash of the document is unique per edition among applications that are not
withdrawn (the partial index uq_volunteers_edition_document_active), so two simultaneous
applications with one document leave exactly one.
"""

import secrets
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask import render_template
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from conference.accounts import invitations
from conference.accounts import services as accounts
from conference.badges import services as badges
from conference.core import audit, clock, pii
from conference.core.database import hold_rows
from conference.core.i18n import DEFAULT_LOCALE, name_search_keys, search_key
from conference.core.links import public_url
from conference.core.mail import queue_mail
from conference.core.models import utcnow
from conference.core.text import clean
from conference.editions.models import Edition
from conference.extensions import db
from conference.people import services as people
from conference.people.services import PersonFields, PhotoError
from conference.registration.identity import IdentityError, age_on, check_document
from conference.registration.services import RegistrationError, check_email, check_phone
from conference.volunteers import groups
from conference.volunteers.models import (
    APPLICATION_STATUSES,
    DAY_PARTS,
    LANGUAGE_LEVELS,
    SHIRT_SIZES,
    SKILLS,
    AccountPerson,
    Shift,
    ShiftPlace,
    Volunteer,
    VolunteerConsent,
    VolunteerSettings,
    WorkingGroup,
)
from conference.volunteers.services import LANGUAGE_LABELS, VolunteerError, give_up, settings_of

ADULT_AGE = 18  # 志愿服务条例: a minor volunteers only with a guardian's consent
DECISIONS = {"accept": "accepted", "reject": "rejected", "waitlist": "waitlisted"}
DUPLICATE_MESSAGE = _l(
    "An application with this identity document is already in for this edition. Open its link in the "
    "confirmation mail to see it; to apply again, withdraw that one first."
)
LIMITS = {"family_name": 100, "given_name": 100, "name_latin": 200, "school_or_employer": 200,
          "emergency_name": 100, "guardian_name": 100}
DEFAULT_NOTICE_ZH = (
    "{title}志愿者个人信息处理告知\n\n"
    "处理目的：志愿者招募、面试、培训、排班、证件制作与签到（志愿者管理），以及依照《志愿服务条例》"
    "记录服务时长并出具志愿服务记录证明（服务记录）。\n"
    "处理的信息：姓名、身份证件类型与号码、手机号码、电子邮箱、学校或工作单位、语言与技能、可服务时间、"
    "服装尺码、紧急联系人及电话、照片（自愿提供），未满十八周岁者的监护人姓名及电话。\n"
    "身份证件号码与电话加密保存、列表中遮盖显示，每次查看完整号码均记入审计日志。\n"
    "保存期限：身份证件号码、电话与照片于大会结束后删除；姓名、服务组别与服务时长作为志愿服务记录依法保存。\n"
    "您可随时通过申请确认邮件中的链接查看或撤回申请。"
)
DEFAULT_NOTICE_EN = (
    "Volunteers' privacy notice of the {title}\n\n"
    "Purposes: recruiting, interviewing, training and scheduling volunteers, their badges and shift "
    "check-in (volunteer management), and recording hours served to issue the service record certificate "
    "required by China's Volunteer Service Regulations (service records).\n"
    "Data processed: name, identity document type and number, mobile phone, email, school or employer, "
    "languages and skills, availability, T-shirt size, emergency contact and phone, a photo if you give one, "
    "and for applicants under 18 a guardian's name and phone.\n"
    "Identity numbers and phones are stored encrypted and shown masked; every read of a full number is "
    "written to the audit log.\n"
    "Retention: identity numbers, phones and photos are deleted after the conference; name, working group "
    "and hours are kept as the service record the regulations require.\n"
    "You may see or withdraw your application at any time through the link in its confirmation mail."
)


@dataclass
class ApplicationFields:
    family_name: str
    given_name: str = ""
    name_latin: str = ""
    email: str = ""
    phone: str = ""
    id_type: str = ""
    id_number: str = ""
    nationality: str | None = None
    declared_under_18: bool = False  # documents that carry no birth date
    school_or_employer: str = ""
    languages: list[dict] = field(default_factory=list)  # [{"code": "en", "level": "fluent"}]
    skills: list[str] = field(default_factory=list)
    availability: list[dict] = field(default_factory=list)  # [{"day": "2023-07-18", "part": "morning"}]
    shirt_size: str = ""
    emergency_name: str = ""
    emergency_phone: str = ""
    first_time: bool = True
    guardian_name: str = ""
    guardian_phone: str = ""
    photo: bytes | None = None
    consents: dict[str, int] = field(default_factory=dict)  # kind -> notice version seen
    locale: str = DEFAULT_LOCALE


@dataclass
class Checked:
    document: object
    email: str
    phone: str
    emergency_phone: str
    guardian_phone: str | None
    under_18: bool
    settings: VolunteerSettings


# The edition's volunteering ------------------------------------------------------------------


def volunteering_days(edition: Edition) -> list[date]:
    """The days volunteers work: the day before the conference (setting up) and its days."""
    return [edition.starts_on - timedelta(days=1), *edition.days]


def screening_group(edition: Edition) -> WorkingGroup | None:
    """The working group that screens applications (志愿服务组)."""
    return db.session.execute(select(WorkingGroup).where(WorkingGroup.edition_id == edition.id,
                                                         WorkingGroup.screens_volunteers.is_(True))
                              .order_by(WorkingGroup.position, WorkingGroup.id).limit(1)).scalar()


def screening_subject(edition: Edition):
    """What `can(user, "volunteers.screen", …)` is asked about: the screening group; without one
    the edition itself, which no group lead's scope reaches."""
    return screening_group(edition) or edition


def open_refusal(edition: Edition):
    """Why the form takes no applications now, or None when it does."""
    settings = settings_of(edition)
    if not settings.notice_version:
        return _l("Applications to volunteer are not open yet: the volunteers' privacy notice is not published.")
    if not settings.applications_open:
        return _l("Applications to volunteer are closed.")
    return None


def default_notice(edition: Edition) -> tuple[str, str]:
    """A notice to start from: its purposes are volunteer management and service records."""
    with force_locale("zh_Hans_CN"):
        zh = DEFAULT_NOTICE_ZH.format(title=edition.title)
    with force_locale("en"):
        en = DEFAULT_NOTICE_EN.format(title=edition.title)
    return zh, en


def publish_notice(edition: Edition, text_zh: str, text_zh_hant: str, text_en: str, actor=None) -> VolunteerSettings:
    """A new version of the volunteers' privacy notice; consents stay with the version they were given to."""
    text_zh, text_zh_hant, text_en = (clean(t or "").strip() for t in (text_zh, text_zh_hant, text_en))
    errors = {}
    if not text_zh:
        errors["notice_zh"] = _l("Enter the notice.")
    if not text_en:
        errors["notice_en"] = _l("Enter the notice.")
    for name, text in (("notice_zh", text_zh), ("notice_zh_hant", text_zh_hant), ("notice_en", text_en)):
        if len(text) > 30000:
            errors[name] = _l("At most %(n)d characters.", n=30000)
    if errors:
        raise VolunteerError(errors=errors)
    settings = settings_of(edition)
    settings.notice_zh, settings.notice_zh_hant, settings.notice_en = text_zh, text_zh_hant, text_en
    settings.notice_version += 1
    audit.record("volunteers.notice_publish", settings, detail={"version": settings.notice_version}, actor=actor)
    return settings


def update_settings(edition: Edition, applications_open: bool, max_daily_minutes: int, rest_minutes: int,
                    no_show_minutes: int, actor=None) -> VolunteerSettings:
    settings = settings_of(edition)
    errors = {}
    for name, value, low, high in (("max_daily_minutes", max_daily_minutes, 60, 16 * 60),
                                   ("rest_minutes", rest_minutes, 0, 8 * 60),
                                   ("no_show_minutes", no_show_minutes, 1, 240)):
        if value is None or not low <= value <= high:
            errors[name] = _l("Between %(low)d and %(high)d.", low=low, high=high)
    if applications_open and not settings.notice_version:
        errors["applications_open"] = _l("Publish the volunteers' privacy notice first; then applications can open.")
    if errors:
        raise VolunteerError(errors=errors)
    before = {"open": settings.applications_open, "max_daily_minutes": settings.max_daily_minutes,
              "rest_minutes": settings.rest_minutes, "no_show_minutes": settings.no_show_minutes}
    settings.applications_open = applications_open
    settings.max_daily_minutes, settings.rest_minutes = max_daily_minutes, rest_minutes
    settings.no_show_minutes = no_show_minutes
    audit.record("volunteers.settings", settings, detail={"before": before, "open": applications_open,
                                                          "max_daily_minutes": max_daily_minutes,
                                                          "rest_minutes": rest_minutes,
                                                          "no_show_minutes": no_show_minutes}, actor=actor)
    return settings


# Checking an application ---------------------------------------------------------------------


def _document_taken(edition: Edition, duplicate_key: str) -> bool:
    return db.session.execute(select(Volunteer.id).where(
        Volunteer.edition_id == edition.id, Volunteer.document_index == pii.blind_index(duplicate_key, "identity"),
        Volunteer.status != "withdrawn").limit(1)).first() is not None


def _check_languages(entries: list[dict]) -> list[dict] | None:
    seen, found = set(), []
    for entry in entries:
        code, level = (entry or {}).get("code"), (entry or {}).get("level")
        if code not in LANGUAGE_LABELS or level not in LANGUAGE_LEVELS or code in seen:
            return None
        seen.add(code)
        found.append({"code": code, "level": level})
    return found


def _check_availability(edition: Edition, entries: list[dict]) -> list[dict] | None:
    days = {d.isoformat() for d in volunteering_days(edition)}
    found = []
    for entry in entries:
        day, part = (entry or {}).get("day"), (entry or {}).get("part")
        if day not in days or part not in DAY_PARTS:
            return None
        if {"day": day, "part": part} not in found:
            found.append({"day": day, "part": part})
    return sorted(found, key=lambda e: (e["day"], list(DAY_PARTS).index(e["part"])))


def check_application(edition: Edition, fields: ApplicationFields) -> Checked:
    """Every rule of the form; all wrong answers are reported together."""
    errors: dict = {}
    for name in ("family_name", "given_name", "name_latin", "email", "phone", "id_type", "id_number", "nationality",
                 "school_or_employer", "shirt_size", "emergency_name", "emergency_phone", "guardian_name", "guardian_phone"):
        setattr(fields, name, clean(getattr(fields, name) or "").strip() or ("" if name != "nationality" else None))

    def attempt(name, fn, *args):
        try:
            return fn(*args)
        except (RegistrationError, IdentityError) as error:
            errors.update({name if key in (None, "phone", "email") else key: message for key, message in error.errors.items()})
        return None

    settings = settings_of(edition)
    if (closed := open_refusal(edition)) is not None:
        errors["form"] = closed

    if not fields.family_name:
        errors["family_name"] = _l("Enter your family name as on your identity document.")
    for name, limit in LIMITS.items():
        if len(getattr(fields, name) or "") > limit:
            errors[name] = _l("At most %(n)d characters.", n=limit)
    if not fields.school_or_employer and "school_or_employer" not in errors:
        errors["school_or_employer"] = _l("Enter your school or employer.")

    email = attempt("email", check_email, fields.email) if fields.email else None
    if not fields.email:
        errors["email"] = _l("Enter your email address: your link and our answer are sent there.")
    phone = attempt("phone", check_phone, fields.phone) if fields.phone else None
    if not fields.phone:
        errors["phone"] = _l("Enter your mobile phone number.")

    today = clock.today(edition.timezone)
    document = attempt("id_number", check_document, fields.id_type, fields.id_number, fields.nationality, today)
    if document is not None and _document_taken(edition, document.duplicate_key):
        errors["id_number"] = DUPLICATE_MESSAGE

    languages = _check_languages(fields.languages)
    if languages is None:
        errors["languages"] = _l("Choose languages and levels from the list.")
    elif not languages:
        errors["languages"] = _l("Give at least one language you speak, with its level.")
    else:
        fields.languages = languages
    if any(skill not in SKILLS for skill in fields.skills) or len(set(fields.skills)) != len(fields.skills):
        errors["skills"] = _l("Choose skills from the list.")
    availability = _check_availability(edition, fields.availability)
    if availability is None:
        errors["availability"] = _l("Choose days and parts of days from the list.")
    elif not availability:
        errors["availability"] = _l("Choose at least one part of a day when you can volunteer.")
    else:
        fields.availability = availability
    if fields.shirt_size not in SHIRT_SIZES:
        errors["shirt_size"] = _l("Choose your T-shirt size.")

    if not fields.emergency_name and "emergency_name" not in errors:
        errors["emergency_name"] = _l("Enter the name of someone we can call in an emergency.")
    emergency_phone = attempt("emergency_phone", check_phone, fields.emergency_phone) if fields.emergency_phone else None
    if not fields.emergency_phone:
        errors["emergency_phone"] = _l("Enter the emergency contact's phone number.")

    if fields.photo:
        try:
            people.check_photo(fields.photo)
        except PhotoError as error:
            errors["photo"] = error.message

    # The age on the first volunteering day: a minor then volunteers only with a guardian's consent.
    first_day = volunteering_days(edition)[0]
    if document is not None and document.birth_date is not None:
        under_18 = age_on(document.birth_date, first_day) < ADULT_AGE
    else:
        under_18 = bool(fields.declared_under_18)
    guardian_phone = None
    if under_18:
        if not fields.guardian_name and "guardian_name" not in errors:
            errors["guardian_name"] = _l("Under 18: enter the name of the parent or guardian who agrees.")
        if fields.guardian_phone:
            guardian_phone = attempt("guardian_phone", check_phone, fields.guardian_phone)
        else:
            errors["guardian_phone"] = _l("Under 18: enter the parent's or guardian's phone number.")

    if settings.notice_version:
        wanted = [("privacy_notice", _l("Please read the volunteers' privacy notice and agree to it.")),
                  ("identity_document", _l("Please agree separately to the use of your identity document."))]
        if fields.photo:
            wanted.append(("photo", _l("Please agree separately to the use of your photo, or leave the photo out.")))
        if under_18:
            wanted.append(("guardian", _l("Under 18: a parent or guardian must agree.")))
        for kind, message in wanted:
            seen = fields.consents.get(kind)
            if seen is None:
                errors[kind] = message
            elif seen != settings.notice_version:
                errors[kind] = _l("The privacy notice has changed since you opened the form; please read the current one and agree again.")

    if errors:
        raise VolunteerError(errors=errors)
    return Checked(document, email, phone, emergency_phone, guardian_phone, under_18, settings)


def apply(edition: Edition, fields: ApplicationFields) -> tuple[Volunteer, str]:
    """Check and store an application (sealed), record its consents and queue the confirmation
    with the applicant's own link. Returns the application and the link's token, shown once."""
    checked = check_application(edition, fields)
    document = checked.document
    token = secrets.token_urlsafe(32)
    volunteer = Volunteer(
        edition_id=edition.id, status="applied", family_name=fields.family_name, given_name=fields.given_name,
        name_latin=fields.name_latin or None, email=checked.email,
        phone_sealed=pii.seal(checked.phone), phone_masked=pii.mask_phone(checked.phone),
        id_type=document.id_type, document_sealed=pii.seal(document.number),
        document_index=pii.blind_index(document.duplicate_key, "identity"),
        document_masked=pii.mask_document_number(document.number), nationality=document.nationality,
        under_18=checked.under_18, guardian_name=fields.guardian_name or None if checked.under_18 else None,
        guardian_phone_sealed=pii.seal(checked.guardian_phone) if checked.under_18 else None,
        school_or_employer=fields.school_or_employer, languages=fields.languages, skills=sorted(fields.skills),
        availability=fields.availability, shirt_size=fields.shirt_size, emergency_name=fields.emergency_name,
        emergency_phone_sealed=pii.seal(checked.emergency_phone), first_time=fields.first_time,
        locale=fields.locale, token_hash=pii.token_hash(token),
    )
    db.session.add(volunteer)
    try:
        db.session.flush()
    except IntegrityError as error:  # the same document applied a moment ago
        db.session.rollback()
        raise VolunteerError(DUPLICATE_MESSAGE, "id_number") from error
    for kind, version in fields.consents.items():
        if kind in ("privacy_notice", "identity_document") or (kind == "photo" and fields.photo) or (
                kind == "guardian" and checked.under_18):
            volunteer.consents.append(VolunteerConsent(kind=kind, notice_version=version))
    if fields.photo:
        store_photo(volunteer, fields.photo)
    audit.record("volunteer.apply", volunteer, detail={"under_18": checked.under_18})
    _tell(volunteer, "volunteers/apply/mail/received.txt", link=status_url(edition, token))
    return volunteer, token


def store_photo(volunteer: Volunteer, data: bytes) -> None:
    """The checked copy (upright, small, without EXIF) kept with the application until it is accepted."""
    photo = people.check_photo(data)
    stored = people.photo_dir() / f"{secrets.token_hex(16)}.jpg"
    stored.write_bytes(photo.jpeg)
    from conference.core import jobs

    jobs.after_rollback(stored.unlink, True)
    volunteer.photo_file = stored.name


# The applicant's own link --------------------------------------------------------------------


def status_url(edition: Edition, token: str) -> str:
    return public_url("volunteers_apply.status", year=edition.year, token=token)


def find_by_token(edition: Edition, token: str) -> Volunteer | None:
    if not token or len(token) > 100:
        return None
    return db.session.execute(select(Volunteer).where(Volunteer.edition_id == edition.id,
                                                      Volunteer.token_hash == pii.token_hash(token))).scalar()


def withdraw(volunteer: Volunteer, now: datetime, actor=None) -> Volunteer:
    """The applicant withdraws. An accepted volunteer gives up every place on a shift that has
    not begun (begun ones stay as the record of what was worked) and their badge stops opening gates."""
    hold_rows(Volunteer.status, [volunteer.id])
    db.session.refresh(volunteer)
    if volunteer.status == "withdrawn":
        return volunteer
    was = volunteer.status
    if was == "accepted":
        _step_down(volunteer, now, _l("Volunteer withdrew"), actor)
    volunteer.status = "withdrawn"
    audit.record("volunteer.withdraw", volunteer, detail={"was": was}, actor=actor)
    _tell(volunteer, "volunteers/apply/mail/withdrawn.txt")
    return volunteer


def _step_down(volunteer: Volunteer, now: datetime, reason, actor) -> None:
    """An accepted volunteer no longer volunteers: their places on shifts and their seats on
    trainings to come go back, and their badge is revoked."""
    places = db.session.execute(select(ShiftPlace).join(Shift).where(
        ShiftPlace.volunteer_id == volunteer.id, ShiftPlace.status == "signed_up", Shift.starts_at > now)).scalars()
    for place in list(places):
        give_up(place, now, actor)
    groups.give_back_seats(volunteer, now, actor)
    badge = badges.badge_of(volunteer.person) if volunteer.person is not None else None
    if badge is not None and badge.status == "active":
        with force_locale(DEFAULT_LOCALE):  # the gate's volunteers read the reason
            badges.revoke(badge, str(reason), actor=actor)


# Screening -----------------------------------------------------------------------------------


@dataclass
class ApplicationFilters:
    status: str | None = None
    language: str | None = None
    skill: str | None = None
    day: str | None = None  # "2023-07-18"
    query: str = ""

    def as_args(self) -> dict:
        given = {"status": self.status, "language": self.language, "skill": self.skill, "day": self.day, "q": self.query}
        return {key: value for key, value in given.items() if value}


def name_matches(volunteer: Volunteer, query: str) -> bool:
    """people.services.name_matches' semantics on an application, which is not a Person yet: the
    name as written, its pinyin from the start, its initials, the Latin name without diacritics."""
    query = query.strip()
    if not query:
        return True
    key = search_key(query)
    pinyin, initials = name_search_keys(volunteer.family_name, volunteer.given_name)
    written = (volunteer.family_name + volunteer.given_name, volunteer.given_name + volunteer.family_name)
    return (any(query in text for text in written) or query in (volunteer.name_latin or "")
            or (bool(volunteer.name_latin) and key in search_key(volunteer.name_latin))
            or (bool(key) and (pinyin.startswith(key) or initials == key)))


def search_applications(edition: Edition, filters: ApplicationFilters) -> list[Volunteer]:
    """The applications the screening list shows, oldest first. Languages, skills and days are
    JSON lists, read here rather than in SQL so both databases answer alike."""
    query = select(Volunteer).where(Volunteer.edition_id == edition.id).order_by(Volunteer.created_at, Volunteer.id)
    if filters.status in APPLICATION_STATUSES:
        query = query.where(Volunteer.status == filters.status)
    found = []
    for volunteer in db.session.execute(query).scalars():
        if filters.language and not volunteer.speaks(filters.language):
            continue
        if filters.skill and filters.skill not in (volunteer.skills or []):
            continue
        if filters.day and not any(e.get("day") == filters.day for e in volunteer.availability or []):
            continue
        if filters.query and not name_matches(volunteer, filters.query):
            continue
        found.append(volunteer)
    return found


def counts_by_status(edition: Edition) -> dict[str, int]:
    rows = db.session.execute(select(Volunteer.status, func.count(Volunteer.id))
                              .where(Volunteer.edition_id == edition.id).group_by(Volunteer.status)).all()
    found = dict.fromkeys(APPLICATION_STATUSES, 0)
    found.update(dict(rows))
    return found


def applications_by_ids(edition: Edition, ids: list[int]) -> list[Volunteer]:
    return list(db.session.execute(select(Volunteer).where(Volunteer.edition_id == edition.id, Volunteer.id.in_(ids))
                                   .order_by(Volunteer.id)).scalars())


def reveal(volunteer: Volunteer, reason: str, actor) -> dict[str, str | None]:
    """The full document number and phones, each read written to the audit log with its reason."""
    return {name: pii.reveal(volunteer, name, reason, actor=actor) if getattr(volunteer, name) else None
            for name in ("document_sealed", "phone_sealed", "emergency_phone_sealed", "guardian_phone_sealed")}


def set_screening(volunteer: Volunteer, note: str, interview_at: datetime | None, interview_place: str, actor) -> Volunteer:
    """The screeners' note and the interview slot; a new or moved slot is mailed to the applicant."""
    note, interview_place = clean(note or "").strip(), clean(interview_place or "").strip()
    if len(note) > 5000:
        raise VolunteerError(_l("At most %(n)d characters.", n=5000), "note")
    if len(interview_place) > 200:
        raise VolunteerError(_l("At most %(n)d characters.", n=200), "interview_place")
    if interview_at is not None and not interview_place:
        raise VolunteerError(_l("Say where the interview takes place."), "interview_place")
    moved = interview_at is not None and (interview_at != volunteer.interview_at or interview_place != volunteer.interview_place)
    volunteer.note, volunteer.interview_at = note, interview_at
    volunteer.interview_place = interview_place if interview_at is not None else ""
    audit.record("volunteer.screening", volunteer, detail={
        "interview_at": interview_at.isoformat() if interview_at else None, "interview_place": volunteer.interview_place},
        actor=actor)
    if moved and volunteer.status in ("applied", "waitlisted"):
        _tell(volunteer, "volunteers/apply/mail/interview.txt")
    return volunteer


def check_decision(decision: str, reason: str) -> str:
    """The status a decision gives; a rejection says why (the applicant reads it)."""
    status = DECISIONS.get(decision)
    if status is None:
        raise VolunteerError(_l("Choose accept, reject or waiting list."), "decision")
    if status == "rejected" and not clean(reason or "").strip():
        raise VolunteerError(_l("Give the reason for rejecting; the applicant will read it."), "reason")
    if len(reason or "") > 1000:
        raise VolunteerError(_l("At most %(n)d characters.", n=1000), "reason")
    return status


def changes(volunteer: Volunteer, status: str) -> bool:
    """Whether a decision changes this application: a withdrawn one stays withdrawn, and an
    accepted volunteer is rejected, not put back on the waiting list."""
    if volunteer.status in (status, "withdrawn"):
        return False
    return not (volunteer.status == "accepted" and status == "waitlisted")


def decide(volunteers: list[Volunteer], decision: str, reason: str, actor, now: datetime,
           group: WorkingGroup | None = None) -> int:
    """Accept, reject or waitlist one application or many, each audited and mailed to the
    applicant in their language. Returns how many changed."""
    status = check_decision(decision, reason)
    reason = clean(reason or "").strip()
    changed = 0
    if status == "accepted":
        _one_acceptance_at_a_time({v.edition_id for v in volunteers})
    hold_rows(Volunteer.status, [v.id for v in volunteers])  # two screeners deciding at once go one after the other
    for volunteer in volunteers:
        db.session.refresh(volunteer)
        if not changes(volunteer, status):
            continue
        was = volunteer.status
        if status == "accepted":
            accept(volunteer, actor, group)
        elif was == "accepted":
            _step_down(volunteer, now, _l("Volunteer no longer accepted"), actor)
        volunteer.status = status
        volunteer.decision_reason = reason
        volunteer.decided_at, volunteer.decided_by = utcnow(), actor.email if actor else "cli"
        audit.record(f"volunteer.{status}", volunteer, detail={"was": was, "reason": reason}, actor=actor)
        if status != "accepted":
            _tell(volunteer, f"volunteers/apply/mail/{status}.txt")
        changed += 1
    return changed


def _one_acceptance_at_a_time(edition_ids: set[int]) -> None:
    """Acceptances in an edition go one after the other (the edition's volunteering settings
    held until the commit): two screeners accepting different applications of one person (one
    email) at once would each create the account, and the edition's first badge its keys."""
    held = db.session.execute(select(VolunteerSettings.id).where(VolunteerSettings.edition_id.in_(edition_ids))).scalars()
    hold_rows(VolunteerSettings.notice_version, list(held))


def accept(volunteer: Volunteer, actor, group: WorkingGroup | None = None) -> Volunteer:
    """The applicant becomes a volunteer: a Person of category volunteer (names, email, phone and
    photo copied), their working group, a badge, and an account with the role volunteer linked to
    that Person, invited by mail to set its own password. An account with the same email is
    linked, not duplicated, and keeps its role."""
    edition = volunteer.edition
    group = group or volunteer.group or screening_group(edition)
    if group is None or group.edition_id != edition.id:
        raise VolunteerError(_l("Choose the working group the volunteer joins."), "group")
    person = volunteer.person
    if person is None:
        person = people.create_person(edition, PersonFields(
            family_name=volunteer.family_name, given_name=volunteer.given_name, category="volunteer",
            name_latin=volunteer.name_latin or "", organisation=volunteer.school_or_employer, email=volunteer.email),
            phone=pii.unseal(volunteer.phone_sealed), actor=actor)
        db.session.flush()
        if volunteer.photo_file:
            path = people.photo_dir() / volunteer.photo_file
            if path.exists():
                people.store_photo(person, path.read_bytes(), actor=actor)
        volunteer.person_id = person.id
    volunteer.group_id = group.id
    badge = badges.badge_of(person)
    if badge is not None and badge.status != "active":
        with force_locale(DEFAULT_LOCALE):
            badges.reissue(badge, str(_l("Volunteer accepted again")), actor=actor)
    else:
        badges.issue(person, actor=actor)  # the same service registration's approval calls
    user, token = _account_for(volunteer, person, actor)
    invitation = invitations.welcome_url(token) if token else None
    _tell(volunteer, "volunteers/apply/mail/accepted.txt", account=user, invitation=invitation,
          hours=invitations.VALID_HOURS, group=group)
    return volunteer


def _account_for(volunteer: Volunteer, person, actor):
    """The volunteer's account and, for a new one, the invitation's token (None for an
    account that already has a password of its holder's choosing)."""
    user = accounts.find_by_email(volunteer.email)
    token = None
    if user is None:
        # A password nobody knows until the volunteer sets their own through the invitation.
        user = accounts.create_user(volunteer.email, secrets.token_urlsafe(32), "volunteer",
                                    display_name=person.name[:120], actor=actor)
        db.session.flush()
        token = invitations.make_token(user)
        audit.record("user.invite", user, detail={"volunteer": volunteer.id}, actor=actor)
    linked = db.session.execute(select(AccountPerson).where(AccountPerson.user_id == user.id,
                                                            AccountPerson.edition_id == volunteer.edition_id)).scalar()
    if linked is None:
        db.session.add(AccountPerson(user_id=user.id, edition_id=volunteer.edition_id, person_id=person.id))
    elif linked.person_id != person.id:
        raise VolunteerError(_l("The account %(email)s already belongs to another person of this edition.",
                                email=user.email), "email")
    return user, token


def invite_again(volunteer: Volunteer, actor) -> None:
    """A fresh invitation to the accepted volunteer's account (the first one expired or got
    lost): a link to choose their password, sent to the account's address."""
    link = db.session.execute(select(AccountPerson).where(AccountPerson.person_id == volunteer.person_id)).scalar() \
        if volunteer.status == "accepted" and volunteer.person_id else None
    if link is None:
        raise VolunteerError(_l("Only an accepted volunteer with an account can be invited."), "status")
    if link.user.role != "volunteer":
        raise VolunteerError(_l("%(email)s is an account of its own, not made for the volunteer: its holder signs in "
                                "with their own password.", email=link.user.email), "status")
    audit.record("user.invite", link.user, detail={"volunteer": volunteer.id, "again": True}, actor=actor)
    _tell(volunteer, "volunteers/apply/mail/invitation.txt", to=link.user.email, account=link.user,
          invitation=invitations.welcome_url(invitations.make_token(link.user)), hours=invitations.VALID_HOURS)


# Messages ------------------------------------------------------------------------------------


def _tell(volunteer: Volunteer, template: str, to: str | None = None, **context) -> None:
    """Rendered in the applicant's language now, sent after the commit to the applicant's
    address (or `to`: an account's own, for a link into that account)."""
    with force_locale(volunteer.locale or DEFAULT_LOCALE):
        text = render_template(template, volunteer=volunteer, edition=volunteer.edition, **context)
        subject, _, body = text.strip().partition("\n")
        queue_mail(to or volunteer.email, subject.strip(), body.strip() + "\n")


# The retention purge's part of applications (core/retention.py) -------------------------------


def purge_photos(edition_id: int, dry_run: bool) -> int:
    return people.delete_photo_files(Volunteer, edition_id, dry_run)


def purge_names(edition_id: int, dry_run: bool) -> int:
    """Applications stay, for the statistics of groups and hours, under the applicant's initials."""
    changed = 0
    for volunteer in db.session.execute(select(Volunteer).where(Volunteer.edition_id == edition_id)).scalars():
        family, given = people.initials(volunteer.family_name, volunteer.given_name)
        if (volunteer.family_name, volunteer.given_name, volunteer.name_latin) != (family, given, None):
            changed += 1
            if not dry_run:
                volunteer.family_name, volunteer.given_name, volunteer.name_latin = family, given, None
    db.session.flush()
    return changed
