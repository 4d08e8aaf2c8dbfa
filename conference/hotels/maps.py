"""A hotel's map image, kept the way core/images keeps an organizer's upload."""

from pathlib import Path

from flask_babel import lazy_gettext as _l

from conference.core import audit, images
from conference.core.images import CheckedImage
from conference.hotels.models import Hotel

MAP_MAX_BYTES = 5 * 2**20
MAPS = images.KeptImages(
    folder="hotel-maps", field="map_image",
    edge=2400,  # enough to read street names on a phone, small enough to load on one
    max_pixels=40_000_000,
    too_large=_l("The map is larger than %(mb)d MB. Please send a smaller one."),
    too_many_pixels=_l("The map has more than %(mp)d million pixels. Please send a smaller one."),
    wrong_format=_l("The map must be a PNG, JPEG or WebP image."),
    unreadable=_l("This file is not an image we can read."),
)


def map_dir() -> Path:
    return MAPS.directory()


def map_path(hotel: Hotel) -> Path | None:
    return MAPS.path(hotel.map_file)


def map_mimetype(hotel: Hotel) -> str:
    return images.mimetype(hotel.map_file)


def check_map(data: bytes) -> CheckedImage:
    return MAPS.check(data, MAP_MAX_BYTES)


def store_map(hotel: Hotel, checked: CheckedImage, actor=None) -> None:
    """Keep a map check_map passed; the old file goes once the new one is committed, and the
    new one goes if the transaction fails."""
    forget_map(hotel)
    hotel.map_file = MAPS.store(checked)
    audit.record("hotel.map", hotel, detail={"code": hotel.code, "map": True}, actor=actor)


def forget_map(hotel: Hotel, actor=None) -> None:
    """The hotel has no map any more: its file goes once that is committed."""
    if hotel.map_file:
        MAPS.discard(hotel.map_file)
        hotel.map_file = None
        audit.record("hotel.map", hotel, detail={"code": hotel.code, "map": False}, actor=actor)


def copy_map(name: str | None) -> str | None:
    """A copy of a map file for a cloned hotel (each edition deletes its own files)."""
    return MAPS.copy(name)
