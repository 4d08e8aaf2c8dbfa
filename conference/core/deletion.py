"""Deleting a row that others may point at: what depends on it, asked before, in one place.

A domain never imports one above it, so the domain that owns a row cannot know what higher
domains keep about it (a session's seat bookings, a checkpoint's scans). Each domain declares
instead, for the tables of lower domains that its rows point at:

- `@depends_on("sessions")` a function that, given the row, says what of its own points at
  it: each `Dependent` a count in the reader's language, and whether it refuses the delete
  (scans are records of what happened: a checkpoint with scans is never deleted) or is
  settled by it (bookings are cancelled, seats given back, attendees told);
- `@settles("sessions")` the function that settles those before the row goes.

`remove(row)` asks them all and refuses with every reason at once, or settles and deletes. The
database's foreign keys (RESTRICT wherever a record must not vanish) stand behind it.
"""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from flask import flash, redirect, render_template, request
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from conference.core import audit
from conference.core.database import committed
from conference.core.errors import Refusal
from conference.extensions import db


@dataclass(frozen=True)
class Dependent:
    text: object  # what depends on the row, with its count, in the reader's language
    blocks: bool  # True: the delete is refused while it is there; False: the delete settles it


_counters: dict[str, list[Callable]] = defaultdict(list)
_settlers: dict[str, list[Callable]] = defaultdict(list)


def depends_on(table: str):
    def register(counter: Callable) -> Callable:
        _counters[table].append(counter)
        return counter

    return register


def settles(table: str):
    def register(settler: Callable) -> Callable:
        _settlers[table].append(settler)
        return settler

    return register


class StillUsed(Refusal):
    """The delete is refused: `reasons` says what still depends on the row."""

    def __init__(self, reasons: list[Dependent]):
        super().__init__(_l("This cannot be deleted while something depends on it."))
        self.reasons = reasons


def dependents(row) -> list[Dependent]:
    """Everything that depends on `row`, refusing first."""
    found = [dependent for counter in _counters[row.__tablename__] for dependent in counter(row)]
    return sorted(found, key=lambda dependent: not dependent.blocks)


def remove(row, action: str, detail: dict | None = None, actor=None) -> None:
    """Delete `row` after settling what depends on it, or refuse (StillUsed) saying why."""
    found = dependents(row)
    refusing = [dependent for dependent in found if dependent.blocks]
    if refusing:
        raise StillUsed(refusing)
    for settle in _settlers[row.__tablename__]:
        settle(row, actor)
    audit.record(action, row, detail={**(detail or {}), "settled": [str(d.text) for d in found]}, actor=actor)
    db.session.delete(row)
    db.session.flush()


def confirm_page(row, *, edition, title: str, back_url: str, delete: Callable[[], None], done_url: str, done_message: str):
    """The one delete flow of every organizer's page: GET shows what will happen (or why it
    cannot), POST (with its CSRF token, checked by Flask-WTF) deletes and goes on to done_url."""
    if request.method == "POST":
        try:
            committed(delete)
        except StillUsed as refusal:
            return _refused(edition, title, back_url, refusal.reasons)
        except IntegrityError:  # something came to depend on it between the count and the delete
            return _refused(edition, title, back_url, [d for d in dependents(row) if d.blocks])
        flash(done_message, "success")
        return redirect(done_url)
    found = dependents(row)
    return render_template("confirm_delete.html", edition=edition, title=title, back_url=back_url,
                           refusing=[d for d in found if d.blocks], settled=[d for d in found if not d.blocks])


def _refused(edition, title: str, back_url: str, reasons: list[Dependent]):
    reasons = reasons or [Dependent(_l("Something came to depend on it meanwhile; it was not deleted."), blocks=True)]
    return render_template("confirm_delete.html", edition=edition, title=title, back_url=back_url,
                           refusing=reasons, settled=[]), 409
