"""A lead's view of who came: the moment a lead records a check-in or check-out by hand, and the
no-shows of today across the groups a lead sees. Checking in and out, the correction and the
no-show rule themselves are services.check_in / check_out / correct_minutes / no_show."""

from dataclasses import dataclass
from datetime import datetime, time

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from conference.core.database import hold_rows
from conference.core.i18n import time_label
from conference.editions.localtime import at_local, local_day
from conference.editions.models import Edition
from conference.extensions import db
from conference.volunteers import services
from conference.volunteers.models import Post, Shift, ShiftPlace
from conference.volunteers.services import AROUND_SHIFT, VolunteerError


def recorded_moment(shift: Shift, typed: time | None, now: datetime) -> datetime:
    """When a lead says a volunteer came or left: now, or a time they type on the host city's
    clock (a check-in noted after the fact). It lies in the shift's window (AROUND_SHIFT either
    side, as a scan's must) and has already come."""
    edition = db.session.get(Edition, shift.edition_id)
    opens, closes = shift.starts_at - AROUND_SHIFT, shift.ends_at + AROUND_SHIFT
    if typed is None:
        moment = now
    else:
        days = sorted({local_day(edition, opens), local_day(edition, closes)})
        # A shift past midnight: the typed time is on whichever of its days puts it in the window.
        candidates = [at_local(edition, day, typed) for day in days]
        moment = next((c for c in candidates if opens <= c <= closes), candidates[0])
    if not opens <= moment <= closes:
        raise VolunteerError(_l("Give a time between %(start)s and %(end)s.", start=time_label(opens, edition.timezone),
                                end=time_label(closes, edition.timezone)), "at")
    if moment > now:
        raise VolunteerError(_l("That time has not come yet."), "at")
    return moment


def record_by_hand(place: ShiftPlace, action, typed: time | None, now: datetime, actor) -> ShiftPlace:
    """A lead checks a volunteer in or out (`action`: services.check_in or check_out) at the
    moment they say. The place is held and read again first, so two leads pressing at once
    record one check-in, not the later over the earlier."""
    hold_rows(ShiftPlace.status, [place.id])
    db.session.refresh(place)
    return action(place, recorded_moment(place.shift, typed, now), actor=actor)


@dataclass
class NoShow:
    place: ShiftPlace
    late_minutes: int


def no_shows(edition: Edition, group_ids: set[int] | None, now: datetime) -> list[NoShow]:
    """Places on shifts running now (begun today, on the host city's clock) whose volunteer has
    not checked in though the shift began more than the edition's grace ago: someone to call or
    replace. In the groups given (None: every group)."""
    settings = services.settings_of(edition)
    query = (select(ShiftPlace).join(Shift, Shift.id == ShiftPlace.shift_id).join(Post, Post.id == Shift.post_id)
             .where(Shift.edition_id == edition.id, ShiftPlace.status == "signed_up", ShiftPlace.checked_in_at.is_(None),
                    Shift.starts_at <= now, Shift.ends_at > now)
             .options(selectinload(ShiftPlace.volunteer),
                      selectinload(ShiftPlace.shift).selectinload(Shift.post).selectinload(Post.group))
             .order_by(Shift.starts_at, Post.code, ShiftPlace.id))
    if group_ids is not None:
        query = query.where(Post.group_id.in_(group_ids))
    today = local_day(edition, now)
    return [NoShow(place, int((now - place.shift.starts_at).total_seconds() // 60))
            for place in db.session.execute(query).scalars()
            if local_day(edition, place.shift.starts_at) == today and services.no_show(place, now, settings)]
