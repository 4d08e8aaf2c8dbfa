"""What a badge scan does for a volunteer: checking in and out of the shift on now at the
group's desk (the scanner's shift mode), and attendance at a training taken at its checkpoint.

Check-in (above this domain) reads the badge, checks its signature and revocation, and calls
these with the badge holder's Person; nothing here knows about scanners or tokens.
"""

import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from conference.core import audit
from conference.extensions import db
from conference.volunteers.models import ShiftPlace, Training, TrainingPlace, Volunteer
from conference.volunteers.services import (
    AROUND_SHIFT,
    VolunteerError,
    check_in,
    check_out,
    places_of,
)

# A second scan this soon after checking in is the same badge read twice (a retried request,
# a handheld scanner's repeat), not the volunteer leaving: it changes nothing.
SAME_VISIT = timedelta(minutes=2)
# When each checkpoint takes attendance at a training, held this long per process: the badge
# scan asks at every admission, and a training added or moved meanwhile counts within this.
TRAINING_CHECKPOINTS_SECONDS = 30.0
_training_windows: list = [0.0, {}]  # [read again after, {checkpoint id: ((from, until), …)}]


def volunteer_of_person(person_id: int) -> Volunteer | None:
    """The accepted volunteer a badge's holder is (a Person belongs to one edition)."""
    return db.session.execute(select(Volunteer).where(Volunteer.person_id == person_id,
                                                      Volunteer.status == "accepted")).scalar()


def places_around(volunteer: Volunteer, at: datetime) -> list[ShiftPlace]:
    """The volunteer's places whose shift is on at `at` (within AROUND_SHIFT of its times)."""
    return [p for p in places_of(volunteer) if p.shift.starts_at - AROUND_SHIFT <= at <= p.shift.ends_at + AROUND_SHIFT]


@dataclass
class ShiftScan:
    """What a scan in shift mode did: `action` is checked_in, checked_out, already_checked_in or
    already_checked_out."""

    place: ShiftPlace
    action: str


def shift_scan(volunteer: Volunteer, at: datetime) -> ShiftScan:
    """The first scan checks the volunteer in to the shift on now, the next one checks them out.
    Of two shifts on at once (the end of one, the start of the next), the earlier one not yet
    left. Refuses when no shift of theirs is on now."""
    around = places_around(volunteer, at)
    if not around:
        raise VolunteerError(_l("%(name)s has no shift now.", name=volunteer.name), "shift")
    place = next((p for p in around if p.checked_out_at is None), around[-1])
    if place.checked_in_at is None:
        return ShiftScan(check_in(place, at), "checked_in")
    if place.checked_out_at is not None:
        return ShiftScan(place, "already_checked_out")
    if at - place.checked_in_at < SAME_VISIT:
        return ShiftScan(place, "already_checked_in")
    return ShiftScan(check_out(place, at), "checked_out")


# Trainings ------------------------------------------------------------------------------------


def training_windows() -> dict[int, tuple[tuple[datetime, datetime], ...]]:
    """For each checkpoint a training takes attendance at, the times it does (each training's
    times with AROUND_SHIFT either side), read at most every TRAINING_CHECKPOINTS_SECONDS per
    process."""
    if _training_windows[0] > time.monotonic():
        return _training_windows[1]
    found: dict[int, list] = {}
    for checkpoint_id, starts_at, ends_at in db.session.execute(
            select(Training.checkpoint_id, Training.starts_at, Training.ends_at).where(Training.checkpoint_id.is_not(None))):
        found.setdefault(checkpoint_id, []).append((starts_at - AROUND_SHIFT, ends_at + AROUND_SHIFT))
    _training_windows[:] = [time.monotonic() + TRAINING_CHECKPOINTS_SECONDS, {k: tuple(v) for k, v in found.items()}]
    return _training_windows[1]


def training_on(checkpoint_id: int, at: datetime) -> bool:
    """Whether a training takes attendance at this checkpoint at `at`: the scan's cheap question
    before it asks attend_training."""
    return any(start <= at <= end for start, end in training_windows().get(checkpoint_id, ()))


def forget_training_windows() -> None:
    _training_windows[:] = [0.0, {}]


def attend_training(person_id: int, checkpoint_id: int, at: datetime) -> Training | None:
    """A badge admitted at a training's checkpoint while the training is on (within
    AROUND_SHIFT of its times): the holder's booked place is marked attended, once. Returns the
    training they attend (also when it was marked before), or None."""
    volunteer = volunteer_of_person(person_id)
    if volunteer is None:
        return None
    place = db.session.execute(
        select(TrainingPlace).join(Training, Training.id == TrainingPlace.training_id)
        .where(TrainingPlace.volunteer_id == volunteer.id, Training.checkpoint_id == checkpoint_id,
               Training.starts_at <= at + AROUND_SHIFT, Training.ends_at >= at - AROUND_SHIFT)
        .order_by(Training.starts_at)).scalars().first()
    if place is None:
        return None
    if place.attended_at is None:
        place.attended_at = at
        audit.record("training.attend", place, detail={"training": place.training_id, "volunteer": volunteer.id,
                                                       "at": at.isoformat()})
    return place.training
