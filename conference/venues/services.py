"""Venues, halls, checkpoints and the standard hall checklist."""

import re
from dataclasses import dataclass
from pathlib import Path

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.orm import selectinload

from conference.core import audit, deletion, images
from conference.core.deletion import Dependent, depends_on
from conference.core.errors import Refusal
from conference.core.images import CheckedImage
from conference.core.models import utcnow
from conference.editions.models import Edition
from conference.extensions import db
from conference.venues.models import (
    CHECKLIST_AREAS,
    HALL_LAYOUTS,
    ChecklistTemplateItem,
    Checkpoint,
    Hall,
    HallChecklistItem,
    Venue,
)

MAX_HALL_CAPACITY = 20_000


class VenueError(Refusal):
    pass


@dataclass
class NameFields:
    zh: str
    en: str = ""
    zh_hant: str = ""


@dataclass
class HallFields:
    name: NameFields
    capacity: int
    floor: str = ""
    layout: str = "theatre"
    interpretation_booth: bool = False
    step_free: bool = True
    position: int = 0


def venues_of(edition: Edition) -> list[Venue]:
    return list(
        db.session.execute(
            select(Venue)
            .where(Venue.edition_id == edition.id)
            .options(selectinload(Venue.halls), selectinload(Venue.checkpoints))
            .order_by(Venue.position, Venue.id)
        ).scalars()
    )


def halls_of(edition: Edition) -> list[Hall]:
    """Every hall of the edition in venue order then hall order, as the schedule shows them."""
    return list(
        db.session.execute(
            select(Hall)
            .join(Venue)
            .where(Venue.edition_id == edition.id)
            .options(selectinload(Hall.venue))
            .order_by(Venue.position, Venue.id, Hall.position, Hall.id)
        ).scalars()
    )


def get_venue(edition: Edition, venue_id: int) -> Venue | None:
    return db.session.execute(
        select(Venue).where(Venue.id == venue_id, Venue.edition_id == edition.id)
    ).scalar_one_or_none()


def get_hall(edition: Edition, hall_id: int) -> Hall | None:
    return db.session.execute(
        select(Hall).join(Venue).where(Hall.id == hall_id, Venue.edition_id == edition.id)
    ).scalar_one_or_none()


def _names(obj, name: NameFields, field_prefix: str = "name") -> None:
    if not name.zh.strip():
        raise VenueError(_l("Enter the Chinese name."), f"{field_prefix}_zh")
    obj.name_zh = name.zh.strip()
    obj.name_en = name.en.strip()
    obj.name_zh_hant = name.zh_hant.strip() or None


def save_venue(
    edition: Edition,
    name: NameFields,
    address_zh: str = "",
    address_en: str = "",
    position: int = 0,
    venue: Venue | None = None,
    actor=None,
) -> Venue:
    venue = venue or Venue(edition=edition)
    _names(venue, name)
    venue.address_zh = address_zh.strip()
    venue.address_en = address_en.strip()
    venue.position = position
    db.session.add(venue)
    audit.record("venue.save", venue, actor=actor)
    return venue


def save_hall(venue: Venue, fields: HallFields, hall: Hall | None = None, actor=None) -> Hall:
    if not 0 <= fields.capacity <= MAX_HALL_CAPACITY:
        raise VenueError(
            _l("Enter a capacity between 0 and %(n)d.", n=MAX_HALL_CAPACITY), "capacity"
        )
    if fields.layout not in HALL_LAYOUTS:
        raise VenueError(_l("Choose a seating layout."), "layout")
    hall = hall or Hall(venue=venue)
    _names(hall, fields.name)
    hall.capacity = fields.capacity
    hall.floor = fields.floor.strip()
    hall.layout = fields.layout
    hall.interpretation_booth = fields.interpretation_booth
    hall.step_free = fields.step_free
    hall.position = fields.position
    db.session.add(hall)
    audit.record("hall.save", hall, detail={"capacity": hall.capacity}, actor=actor)
    return hall


CHECKPOINT_CODE = re.compile(r"^[A-Z0-9][A-Z0-9-]{0,23}$")


def checkpoint_by_code(edition: Edition, code: str) -> Checkpoint | None:
    return db.session.execute(
        select(Checkpoint).join(Venue).where(Venue.edition_id == edition.id, Checkpoint.code == code.strip().upper())
    ).scalar_one_or_none()


def save_checkpoint(
    venue: Venue, name: NameFields, code: str, hall: Hall | None = None, position: int = 0,
    checkpoint: Checkpoint | None = None, actor=None,
) -> Checkpoint:
    if hall is not None and hall.venue_id != venue.id:
        raise VenueError(_l("The hall must be in the same venue."), "hall_id")
    code = (code or "").strip().upper()
    if not CHECKPOINT_CODE.match(code):
        raise VenueError(_l("Use up to 24 capital letters, digits and hyphens, such as GT-MAIN."), "code")
    holder = checkpoint_by_code(db.session.get(Edition, venue.edition_id), code)
    if holder is not None and holder is not checkpoint:
        raise VenueError(_l("Another checkpoint of this edition already has this code."), "code")
    checkpoint = checkpoint or Checkpoint(venue=venue)
    _names(checkpoint, name)
    checkpoint.code = code
    checkpoint.hall = hall
    checkpoint.position = position
    db.session.add(checkpoint)
    audit.record("checkpoint.save", checkpoint, actor=actor)
    return checkpoint


def delete_checkpoint(checkpoint: Checkpoint, actor=None) -> None:
    deletion.remove(checkpoint, "checkpoint.delete", detail={"name": checkpoint.name_zh}, actor=actor)
    db.session.expire(checkpoint.venue, ["checkpoints"])


@depends_on("halls")
def _hall_checkpoints(hall: Hall) -> list[Dependent]:
    checkpoints = db.session.execute(select(func.count(Checkpoint.id)).where(Checkpoint.hall_id == hall.id)).scalar_one()
    if not checkpoints:
        return []
    return [Dependent(_l("%(n)d checkpoints are at this hall's doors; delete them first.", n=checkpoints), blocks=True)]


def delete_hall(hall: Hall, actor=None) -> None:
    plan = hall.plan_file
    deletion.remove(hall, "hall.delete", detail={"name": hall.name_zh}, actor=actor)
    PLANS.discard(plan)  # once the delete is committed
    db.session.expire(hall.venue, ["halls"])


@depends_on("venues")
def _venue_parts(venue: Venue) -> list[Dependent]:
    found = []
    if venue.halls:
        found.append(Dependent(_l("%(n)d halls are in this venue; delete them first.", n=len(venue.halls)), blocks=True))
    if venue.checkpoints:
        found.append(Dependent(_l("%(n)d checkpoints are at this venue; delete them first.", n=len(venue.checkpoints)), blocks=True))
    return found


def delete_venue(venue: Venue, actor=None) -> None:
    plan = venue.plan_file
    deletion.remove(venue, "venue.delete", detail={"name": venue.name_zh}, actor=actor)
    PLANS.discard(plan)


# Floor plans --------------------------------------------------------------------------------
# A plan image per venue and per hall, for the venue pages, the public programme and the
# handbook. Plans show rooms, not people: no personal data.

PLAN_MAX_BYTES = 10 * 2**20
PLANS = images.KeptImages(
    folder="floor-plans", field="plan_image",
    edge=3000,  # an A4 page at 250 dpi: room names stay legible in print
    max_pixels=40_000_000,
    too_large=_l("The plan is larger than %(mb)d MB. Please send a smaller one."),
    too_many_pixels=_l("The plan has more than %(mp)d million pixels. Please send a smaller one."),
    wrong_format=_l("The plan must be a PNG, JPEG or WebP image."),
    unreadable=_l("This file is not an image we can read."),
)


def _plan_action(place: Venue | Hall) -> str:
    return "venue.plan" if isinstance(place, Venue) else "hall.plan"


def check_plan(data: bytes) -> CheckedImage:
    return PLANS.check(data, PLAN_MAX_BYTES)


def _swap_plan(place: Venue | Hall, new: str | None) -> str | None:
    """Name `new` as the place's plan in place of the one read, in one conditional statement:
    of two organizers changing the same plan at once, one wins and the other is told, so that
    no file is left that no row names. Returns the old file's name."""
    db.session.flush()  # a new venue or hall gets its id
    model, old = type(place), place.plan_file
    read = model.plan_file.is_(None) if old is None else model.plan_file == old
    if db.session.execute(update(model).where(model.id == place.id, read).values(plan_file=new)).rowcount != 1:
        raise VenueError(_l("Someone changed this floor plan a moment ago. Look at it again, then send yours."),
                         "plan_image")
    PLANS.discard(old)
    return old


def set_plan(place: Venue | Hall, checked: CheckedImage, actor=None) -> None:
    """Keep a plan check_plan passed in place of the old one, whose file goes once this is
    committed; the new file goes if the transaction fails."""
    old = _swap_plan(place, PLANS.store(checked))
    audit.record(_plan_action(place), place, detail={"plan": "replaced" if old else "added"}, actor=actor)


def remove_plan(place: Venue | Hall, actor=None) -> None:
    if place.plan_file:
        _swap_plan(place, None)
        audit.record(_plan_action(place), place, detail={"plan": "removed"}, actor=actor)


def plan_path(place: Venue | Hall) -> Path | None:
    """The file of the venue's or hall's floor plan, if it has one (the handbook prints it)."""
    path = PLANS.path(place.plan_file)
    return path if path is not None and path.is_file() else None


def plan_mimetype(place: Venue | Hall) -> str:
    return images.mimetype(place.plan_file)


def plan_folder() -> Path:
    """Where the plans are, for a PDF that may read them (core/pdf reads only folders it is given)."""
    return PLANS.directory()


# The standard configuration (拎包开会) ------------------------------------------------------


def checklist_template(edition: Edition) -> list[ChecklistTemplateItem]:
    return list(
        db.session.execute(
            select(ChecklistTemplateItem)
            .where(ChecklistTemplateItem.edition_id == edition.id)
            .order_by(ChecklistTemplateItem.area, ChecklistTemplateItem.position, ChecklistTemplateItem.id)
        ).scalars()
    )


def add_template_item(edition: Edition, area: str, label: NameFields, actor=None) -> ChecklistTemplateItem:
    if area not in CHECKLIST_AREAS:
        raise VenueError(_l("Choose inside or outside the hall."), "area")
    if not label.zh.strip():
        raise VenueError(_l("Enter the Chinese name."), "label_zh")
    last = db.session.execute(
        select(func.max(ChecklistTemplateItem.position)).where(
            ChecklistTemplateItem.edition_id == edition.id
        )
    ).scalar()
    item = ChecklistTemplateItem(
        edition_id=edition.id,
        area=area,
        label_zh=label.zh.strip(),
        label_en=label.en.strip(),
        label_zh_hant=label.zh_hant.strip() or None,
        position=(last or 0) + 1,
    )
    db.session.add(item)
    audit.record("checklist.template_add", item, actor=actor)
    return item


def remove_template_item(item: ChecklistTemplateItem, actor=None) -> None:
    audit.record("checklist.template_remove", item, detail={"label": item.label_zh}, actor=actor)
    db.session.delete(item)


def get_template_item(edition: Edition, item_id: int) -> ChecklistTemplateItem | None:
    return db.session.execute(
        select(ChecklistTemplateItem).where(
            ChecklistTemplateItem.id == item_id, ChecklistTemplateItem.edition_id == edition.id
        )
    ).scalar_one_or_none()


def tick(hall: Hall, template_item: ChecklistTemplateItem, done: bool, note: str, who: str, actor=None) -> HallChecklistItem:
    """Record a hall's state for one checklist line; the latest tick wins."""
    entry = db.session.execute(
        select(HallChecklistItem).where(
            HallChecklistItem.hall_id == hall.id,
            HallChecklistItem.template_item_id == template_item.id,
        )
    ).scalar_one_or_none()
    if entry is None:
        entry = HallChecklistItem(hall=hall, template_item=template_item)
        db.session.add(entry)
    entry.done = done
    entry.note = note.strip()
    entry.checked_by = who
    entry.checked_at = utcnow()
    audit.record(
        "checklist.tick", hall, detail={"item": template_item.id, "done": done}, actor=actor
    )
    return entry


@dataclass
class HallProgress:
    hall: Hall
    done: int
    total: int
    open_notes: int

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 100


def checklist_progress(edition: Edition) -> list[HallProgress]:
    """Every hall's progress against the template, in two queries whatever the size."""
    halls = halls_of(edition)
    total = len(checklist_template(edition))
    rows = db.session.execute(
        select(
            HallChecklistItem.hall_id,
            func.count().filter(HallChecklistItem.done.is_(True)),
            func.count().filter(HallChecklistItem.note != ""),
        )
        .join(Hall)
        .join(Venue)
        .where(Venue.edition_id == edition.id)
        .group_by(HallChecklistItem.hall_id)
    ).all()
    counts = {hall_id: (done, notes) for hall_id, done, notes in rows}
    return [
        HallProgress(hall, counts.get(hall.id, (0, 0))[0], total, counts.get(hall.id, (0, 0))[1])
        for hall in halls
    ]


def hall_checklist(hall: Hall) -> list[tuple[ChecklistTemplateItem, HallChecklistItem | None]]:
    entries = {entry.template_item_id: entry for entry in hall.checklist}
    return [(item, entries.get(item.id)) for item in checklist_template(hall.venue.edition)]


# Cloning --------------------------------------------------------------------------------------


def clone_venues(source: Edition, target: Edition, required: dict) -> dict:
    hall_map: dict[int, Hall] = {}
    checkpoint_map: dict[int, Checkpoint] = {}
    for venue in venues_of(source):
        copy = Venue(
            edition=target,
            name_zh=venue.name_zh, name_zh_hant=venue.name_zh_hant, name_en=venue.name_en,
            address_zh=venue.address_zh, address_en=venue.address_en, position=venue.position,
            plan_file=PLANS.copy(venue.plan_file),  # each edition deletes its own files
        )
        db.session.add(copy)
        for hall in venue.halls:
            hall_copy = Hall(
                venue=copy,
                name_zh=hall.name_zh, name_zh_hant=hall.name_zh_hant, name_en=hall.name_en,
                capacity=hall.capacity, floor=hall.floor, layout=hall.layout,
                interpretation_booth=hall.interpretation_booth, step_free=hall.step_free,
                position=hall.position, plan_file=PLANS.copy(hall.plan_file),
            )
            db.session.add(hall_copy)  # SQLAlchemy 2 does not cascade along the backref
            hall_map[hall.id] = hall_copy
        for checkpoint in venue.checkpoints:
            checkpoint_map[checkpoint.id] = Checkpoint(
                venue=copy,
                hall=hall_map.get(checkpoint.hall_id) if checkpoint.hall_id else None,
                name_zh=checkpoint.name_zh, name_zh_hant=checkpoint.name_zh_hant,
                name_en=checkpoint.name_en, code=checkpoint.code, position=checkpoint.position,
            )
            db.session.add(checkpoint_map[checkpoint.id])
    db.session.flush()
    return {
        "halls": {old: new.id for old, new in hall_map.items()},
        "checkpoints": {old: new.id for old, new in checkpoint_map.items()},
    }


def clone_checklist(source: Edition, target: Edition, required: dict) -> dict:
    for item in checklist_template(source):
        db.session.add(
            ChecklistTemplateItem(
                edition_id=target.id, area=item.area, position=item.position,
                label_zh=item.label_zh, label_zh_hant=item.label_zh_hant, label_en=item.label_en,
            )
        )
    return {}
