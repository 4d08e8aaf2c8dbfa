"""Images organizers upload to be kept as files (a hotel's map, a venue's floor plan): checked by
their content, never their name; re-encoded in their own format (PNG, JPEG or WebP), at most a
given size and without metadata; stored under the instance folder, following the transaction
that names them. People's photos have their own rules (people.services: always a small JPEG)."""

import io
import secrets
import shutil
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from PIL import Image, UnidentifiedImageError

from conference.core import jobs
from conference.core.errors import Refusal

# The instance subfolder of every kind of kept image, for what copies the stored files (backups).
KEPT_FOLDERS: list[str] = []

FORMATS = {"PNG": ("png", "image/png"), "JPEG": ("jpg", "image/jpeg"), "WEBP": ("webp", "image/webp")}


class ImageRefusal(Refusal):
    """Why an upload is not an image that is kept; shown beside the upload field."""


@dataclass(frozen=True)
class CheckedImage:
    data: bytes  # re-encoded, without metadata
    extension: str


@dataclass(frozen=True)
class KeptImages:
    """One kind of kept image: its folder, its limits, and what a refusal says in the words of
    that kind ("the map", "the plan"); the messages are lazy strings with %(mb)d and %(mp)d."""

    folder: str  # under the instance folder
    field: str  # the upload field a refusal is shown beside
    edge: int  # pixels kept on the long edge
    max_pixels: int  # refused from the header, before anything is decoded
    too_large: object
    too_many_pixels: object
    wrong_format: object
    unreadable: object

    def __post_init__(self):
        KEPT_FOLDERS.append(self.folder)

    def directory(self) -> Path:
        path = Path(current_app.config["INSTANCE_DIR"]) / self.folder
        path.mkdir(parents=True, exist_ok=True)
        return path

    def path(self, name: str | None) -> Path | None:
        return self.directory() / name if name else None

    def _refuse(self, message) -> ImageRefusal:
        return ImageRefusal(message, self.field)

    def check(self, data: bytes, max_bytes: int) -> CheckedImage:
        """The upload re-encoded in its own format, at most `edge` pixels a side, or a refusal."""
        if len(data) > max_bytes:
            raise self._refuse(self.too_large % {"mb": max_bytes // 2**20})
        too_many = self._refuse(self.too_many_pixels % {"mp": self.max_pixels // 1_000_000})
        try:
            probe = Image.open(io.BytesIO(data))  # the header only
            if probe.format not in FORMATS:
                raise self._refuse(self.wrong_format)
            if probe.width * probe.height > self.max_pixels:
                raise too_many
            image_format = probe.format
            probe.verify()  # a PNG's checksums and its end, without decompressing
            image = Image.open(io.BytesIO(data))
            image.thumbnail((self.edge, self.edge))
            if image_format == "JPEG" or image.mode not in ("RGB", "RGBA"):
                image = image.convert("RGB" if image_format == "JPEG" else "RGBA")
            buffer = io.BytesIO()
            image.save(buffer, image_format)  # no exif= or pnginfo=: the metadata stays behind
        except ImageRefusal:
            raise
        except Image.DecompressionBombError as error:  # Pillow's own limit
            raise too_many from error
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
            raise self._refuse(self.unreadable) from error
        return CheckedImage(buffer.getvalue(), FORMATS[image_format][0])

    def store(self, checked: CheckedImage) -> str:
        """Write a checked image under a new random name, removed again if the transaction fails."""
        stored = self.directory() / f"{secrets.token_hex(16)}.{checked.extension}"
        stored.write_bytes(checked.data)
        jobs.after_rollback(stored.unlink, True)
        return stored.name

    def discard(self, name: str | None) -> None:
        """The file goes once the transaction that stops naming it is committed."""
        if name:
            jobs.after_commit(self.directory().joinpath(name).unlink, True)

    def copy(self, name: str | None) -> str | None:
        """A copy under a new name, for a row cloned into another edition (each deletes its own)."""
        source = self.path(name)
        if source is None or not source.exists():
            return None
        copy = self.directory() / f"{secrets.token_hex(16)}{source.suffix}"
        shutil.copyfile(source, copy)
        jobs.after_rollback(copy.unlink, True)
        return copy.name


def mimetype(name: str | None) -> str:
    suffix = Path(name or "").suffix.lstrip(".")
    return next((mime for extension, mime in FORMATS.values() if extension == suffix), "application/octet-stream")
