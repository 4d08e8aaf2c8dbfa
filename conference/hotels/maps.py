"""A hotel's map image: checked by its content (never its name), stored re-encoded under the
instance folder, and following the transaction that names it."""

import io
import secrets
import shutil
from pathlib import Path

from flask import current_app
from flask_babel import lazy_gettext as _l
from PIL import Image, UnidentifiedImageError

from conference.core import audit, jobs
from conference.core.errors import Refusal
from conference.hotels.models import Hotel

MAP_FORMATS = {"PNG": ("png", "image/png"), "JPEG": ("jpg", "image/jpeg"), "WEBP": ("webp", "image/webp")}
MAP_MAX_BYTES = 5 * 2**20
MAP_MAX_PIXELS = 40_000_000
MAP_EDGE = 2400  # enough to read street names on a phone, small enough to load on one


class MapError(Refusal):
    """Why an upload is not a map image we keep; shown beside the upload field."""

    def __init__(self, message):
        super().__init__(message, "map_image")


def map_dir() -> Path:
    path = Path(current_app.config["INSTANCE_DIR"]) / "hotel-maps"
    path.mkdir(parents=True, exist_ok=True)
    return path


def map_path(hotel: Hotel) -> Path | None:
    return map_dir() / hotel.map_file if hotel.map_file else None


def map_mimetype(hotel: Hotel) -> str:
    suffix = Path(hotel.map_file or "").suffix.lstrip(".")
    return next((mime for extension, mime in MAP_FORMATS.values() if extension == suffix), "application/octet-stream")


def check_map(data: bytes) -> tuple[bytes, str]:
    """The upload re-encoded in its own format (PNG, JPEG or WebP), at most MAP_EDGE pixels a
    side and without metadata, with its file extension; anything else is refused."""
    if len(data) > MAP_MAX_BYTES:
        raise MapError(_l("The map is larger than %(mb)d MB. Please send a smaller one.", mb=MAP_MAX_BYTES // 2**20))
    try:
        probe = Image.open(io.BytesIO(data))  # the header only
        if probe.format not in MAP_FORMATS:
            raise MapError(_l("The map must be a PNG, JPEG or WebP image."))
        if probe.width * probe.height > MAP_MAX_PIXELS:
            raise MapError(_l("The map has more than %(mp)d million pixels. Please send a smaller one.",
                              mp=MAP_MAX_PIXELS // 1_000_000))
        image_format = probe.format
        probe.verify()
        image = Image.open(io.BytesIO(data))
        image.thumbnail((MAP_EDGE, MAP_EDGE))
        if image_format == "JPEG" or image.mode not in ("RGB", "RGBA"):
            image = image.convert("RGB" if image_format == "JPEG" else "RGBA")
        buffer = io.BytesIO()
        image.save(buffer, image_format)
    except MapError:
        raise
    except Image.DecompressionBombError as error:
        raise MapError(_l("The map has more than %(mp)d million pixels. Please send a smaller one.",
                          mp=MAP_MAX_PIXELS // 1_000_000)) from error
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise MapError(_l("This file is not an image we can read.")) from error
    return buffer.getvalue(), MAP_FORMATS[image_format][0]


def store_map(hotel: Hotel, checked: tuple[bytes, str], actor=None) -> None:
    """Keep a map check_map passed; the old file goes once the new one is committed, and the
    new one goes if the transaction fails."""
    image, extension = checked
    stored = map_dir() / f"{secrets.token_hex(16)}.{extension}"
    stored.write_bytes(image)
    jobs.after_rollback(stored.unlink, True)
    forget_map(hotel)
    hotel.map_file = stored.name
    audit.record("hotel.map", hotel, detail={"code": hotel.code, "map": True}, actor=actor)


def forget_map(hotel: Hotel, actor=None) -> None:
    """The hotel has no map any more: its file goes once that is committed."""
    old = map_path(hotel)
    hotel.map_file = None
    if old is not None:
        jobs.after_commit(old.unlink, True)
        audit.record("hotel.map", hotel, detail={"code": hotel.code, "map": False}, actor=actor)


def copy_map(name: str | None) -> str | None:
    """A copy of a map file for a cloned hotel (each edition deletes its own files)."""
    source = map_dir() / name if name else None
    if source is None or not source.exists():
        return None
    copy = map_dir() / f"{secrets.token_hex(16)}{source.suffix}"
    shutil.copyfile(source, copy)
    jobs.after_rollback(copy.unlink, True)
    return copy.name
