"""Volunteers and the scanner: the scanning rights a volunteer's shift gives their own phone,
the scanner's shift mode (a badge scan checks a volunteer in to or out of their shift), and what
a volunteer's phone may read of their own shifts.

Rights from a shift are a ScannerDevice of their own: named after the volunteer, at the post's
checkpoint, with `user_id` and a window from AROUND_SHIFT before the shift to AROUND_SHIFT after
it, outside which every API path refuses its token. One device per volunteer and shift:
opening the scanner page again during the shift (another phone, a cleared browser) gives the
same device a new token, and the old token stops working, so the device list shows one phone
per volunteer on shift and the volunteer scans on one phone at a time. The page keeps its token
and asks for a new one only when it holds none, so reloading it replaces nothing.
"""

import secrets
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from conference.accounts.models import User
from conference.badges.models import Badge
from conference.checkin import services
from conference.checkin.models import ScannerDevice
from conference.checkin.services import PairedDevice, ScanError
from conference.core import audit, clock, pii
from conference.editions.localtime import local
from conference.editions.models import Edition
from conference.extensions import db
from conference.volunteers import scanning
from conference.volunteers import services as volunteers
from conference.volunteers.models import AccountPerson, Post, ShiftPlace, Volunteer
from conference.volunteers.services import AROUND_SHIFT, VolunteerError


class NoScanningRights(ScanError):
    """A signed-in account that gets no token now, and when its next shift begins (if any)."""

    def __init__(self, message, next_place: ShiftPlace | None = None):
        super().__init__(message)
        self.next_place = next_place


@dataclass
class ShiftRights:
    device: ScannerDevice
    token: str
    place: ShiftPlace
    replaced: bool  # the device existed: its previous token no longer works


def volunteers_of(user: User) -> list[Volunteer]:
    """The accepted volunteers an account holder is, one per edition."""
    return list(db.session.execute(
        select(Volunteer).join(AccountPerson, AccountPerson.person_id == Volunteer.person_id)
        .where(AccountPerson.user_id == user.id, Volunteer.status == "accepted")).scalars())


def when(place: ShiftPlace) -> str:
    """A shift's day and times in the edition's zone: 07-18 08:00–12:00."""
    edition = db.session.get(Edition, place.shift.edition_id)
    start, end = local(edition, place.shift.starts_at), local(edition, place.shift.ends_at)
    return f"{start:%m-%d %H:%M}–{end:%H:%M}"


def where(post: Post) -> str:
    """Where a post is, in words: its checkpoint, its hall, or the place it names."""
    if post.checkpoint is not None:
        return post.checkpoint.name
    if post.hall is not None:
        return post.hall.name
    return post.place_text


def rights_for(user: User, at: datetime) -> ShiftRights:
    """A token for the phone of a volunteer whose shift at a checkpoint is on at `at`, valid
    from AROUND_SHIFT before the shift to AROUND_SHIFT after it; refused, with their next
    shift, outside their shifts."""
    found = volunteers_of(user)
    if not found:
        raise NoScanningRights(_l("Scanning rights come from a volunteer's shift, and this account holds none."))
    around = [place for volunteer in found for place in scanning.places_around(volunteer, at)]
    if not around:
        upcoming = [place for volunteer in found if (place := volunteers.next_place(volunteer, at)) is not None]
        if not upcoming:
            raise NoScanningRights(_l("No shift now, and no shift ahead: this phone may not scan."))
        soonest = min(upcoming, key=lambda place: place.shift.starts_at)
        raise NoScanningRights(_l("No shift now. Your next shift: %(when)s, %(post)s; this phone may scan from half an hour before it.",
                                  when=when(soonest), post=soonest.shift.post.name), soonest)
    place = next((p for p in around if p.shift.post.checkpoint_id is not None), None)
    if place is None:
        raise NoScanningRights(_l("Your shift now (%(post)s) is not at a checkpoint, so it gives no scanning rights.",
                                  post=around[0].shift.post.name))
    return _mint(user, place)


def _mint(user: User, place: ShiftPlace) -> ShiftRights:
    shift, post = place.shift, place.shift.post
    valid_from, valid_until = shift.starts_at - AROUND_SHIFT, shift.ends_at + AROUND_SHIFT
    device = db.session.execute(select(ScannerDevice).where(
        ScannerDevice.user_id == user.id, ScannerDevice.checkpoint_id == post.checkpoint_id,
        ScannerDevice.valid_from == valid_from, ScannerDevice.valid_until == valid_until,
        ScannerDevice.revoked_at.is_(None))).scalar()
    replaced = device is not None
    if device is None:
        device = ScannerDevice(edition_id=shift.edition_id, checkpoint_id=post.checkpoint_id, user_id=user.id,
                               valid_from=valid_from, valid_until=valid_until,
                               name=f"{place.volunteer.name} · {when(place)}"[:80])
        db.session.add(device)
    token = "cd_" + secrets.token_urlsafe(32)
    device.token_hash, device.pairing_hash, device.paired_at = pii.token_hash(token), None, clock.now()
    services.forget_devices()  # the token it replaces is refused in this worker at once
    audit.record("device.shift_token", device, detail={
        "name": device.name, "checkpoint": post.checkpoint.code, "shift": shift.id, "volunteer": place.volunteer_id,
        "valid_from": valid_from.isoformat(), "valid_until": valid_until.isoformat(), "replaced": replaced}, actor=user)
    return ShiftRights(device, token, place, replaced)


def withdraw_on_place_given_up(place: ShiftPlace, actor=None) -> None:
    """A place given up takes its scanning rights with it: the phone's token for that shift is
    withdrawn (the scans it made before still count, as for any unpaired device)."""
    shift = place.shift
    users = select(AccountPerson.user_id).where(AccountPerson.person_id == place.volunteer.person_id)
    devices = list(db.session.execute(select(ScannerDevice).where(
        ScannerDevice.user_id.in_(users), ScannerDevice.checkpoint_id == shift.post.checkpoint_id,
        ScannerDevice.valid_from == shift.starts_at - AROUND_SHIFT, ScannerDevice.valid_until == shift.ends_at + AROUND_SHIFT,
        ScannerDevice.revoked_at.is_(None))).scalars())
    for device in devices:
        device.revoked_at = clock.now()
        audit.record("device.unpair", device, detail={"name": device.name, "why": "shift place given up"}, actor=actor)
    if devices:
        services.forget_devices()


# The scanner's shift mode ---------------------------------------------------------------------

SHIFT_RESULTS = ("checked_in", "checked_out", "already_checked_in", "already_checked_out", "no_shift",
                 "not_a_volunteer", "own_badge", "invalid", "wrong_edition", "superseded", "revoked")


def _clock(edition: Edition, moment: datetime) -> str:
    return local(edition, moment).strftime("%H:%M")


def _duration(minutes: int) -> str:
    return _("%(hours)d h %(minutes)02d min", hours=minutes // 60, minutes=minutes % 60)


def shift_json(place: ShiftPlace) -> dict:
    """A place on a shift as the API shows it: times with the edition's offset."""
    shift, post = place.shift, place.shift.post
    edition = db.session.get(Edition, shift.edition_id)
    moment = lambda value: local(edition, value).isoformat() if value else None  # noqa: E731
    return {"shift_id": shift.id, "post": {"code": post.code, "name": post.name}, "place": where(post),
            "checkpoint": post.checkpoint.code if post.checkpoint is not None else None,
            "starts_at": moment(shift.starts_at), "ends_at": moment(shift.ends_at),
            "checked_in_at": moment(place.checked_in_at), "checked_out_at": moment(place.checked_out_at),
            "minutes": volunteers.worked_minutes(place)}


def shift_scan(device: PairedDevice, payload: str, at: datetime) -> dict:
    """A badge scanned in shift mode, decided online only: the badge checked as any scan checks
    it; a volunteer of the device's edition with a shift on now is checked in, or out if they
    were in. The answer names who, which shift and what happened, or why nothing did."""
    badge = services.check_badge(payload, device.checkpoint_id, at)
    if badge.result != "admitted":
        return _shift_answer(badge.result, badge.reason, badge.person)
    person_id = db.session.execute(select(Badge.person_id).where(Badge.id == badge.badge_id)).scalar_one()
    volunteer = scanning.volunteer_of_person(person_id)
    if volunteer is None or volunteer.edition_id != device.edition_id:
        return _shift_answer("not_a_volunteer", _("This badge is not an accepted volunteer's."), badge.person)
    if device.user_id is not None and _holder_of(device.user_id, person_id):
        # A phone's own holder would check in from anywhere: the desk sees them come and go.
        return _shift_answer("own_badge", _("A phone cannot check in its own holder: have your badge scanned at "
                                            "your group's desk."), badge.person)
    edition = db.session.get(Edition, device.edition_id)
    try:
        done = scanning.shift_scan(volunteer, at)
    except VolunteerError:
        coming = volunteers.next_place(volunteer, at)
        reason = _("No shift now. Next shift: %(when)s, %(post)s.", when=when(coming), post=coming.shift.post.name) \
            if coming is not None else _("No shift now, and none ahead.")
        return _shift_answer("no_shift", reason, badge.person)
    place = done.place
    reason = {
        "checked_in": lambda: _("Checked in %(time)s", time=_clock(edition, place.checked_in_at)),
        "checked_out": lambda: _("Checked out, %(worked)s", worked=_duration(volunteers.worked_minutes(place))),
        "already_checked_in": lambda: _("Checked in already at %(time)s.", time=_clock(edition, place.checked_in_at)),
        "already_checked_out": lambda: _("Checked out already at %(time)s (%(worked)s); a lead can correct the hours.",
                                         time=_clock(edition, place.checked_out_at),
                                         worked=_duration(volunteers.worked_minutes(place))),
    }[done.action]()
    if done.action in ("checked_in", "checked_out"):
        audit.record("shift.scan", place, detail={"action": done.action, "device": device.name, "device_id": device.id})
    return _shift_answer(done.action, reason, badge.person, place)


def _holder_of(user_id: int, person_id: int) -> bool:
    return db.session.execute(select(AccountPerson.id).where(AccountPerson.user_id == user_id,
                                                             AccountPerson.person_id == person_id)).first() is not None


def _shift_answer(result: str, reason, person: dict | None, place: ShiftPlace | None = None) -> dict:
    return {"result": result, "reason": str(reason), "person": person,
            "shift": {**shift_json(place), "label": f"{place.shift.post.name} · {when(place)}"} if place else None}
