"""The QR payload: compact, signed, no personal data.

    "C1" + base32( year-2000 [1] | badge id [3] | version [1] | zones bitmask [2] | Ed25519 signature [64] )

Base32 keeps to the QR alphanumeric alphabet, so 116 characters fit a version-7 code at error
correction Q (badges get bent and scratched). Scanners verify offline with the edition's
public key; a forged, truncated, altered or other-edition payload fails with its reason.
"""

import base64
import binascii
import re
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

PREFIX = "C1"
ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
BODY_LENGTH = 7
SIGNATURE_LENGTH = 64
# The code after the prefix: exactly the characters of (BODY_LENGTH + SIGNATURE_LENGTH) bytes in
# the alphabet, no padding. Anything else (a padding sign, a digit 0, 1, 8 or 9, a letter that
# only becomes one in upper case) is malformed before any decoding.
CODE_CHARACTERS = -(-(BODY_LENGTH + SIGNATURE_LENGTH) * 8 // 5)
CODE = re.compile(f"[{ALPHABET}]{{{CODE_CHARACTERS}}}")


class InvalidPayload(ValueError):
    """`reason`: not_a_badge, malformed, wrong_edition, bad_signature."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Claim:
    year: int
    badge_id: int
    version: int
    zones: int  # bitmask


def _b32decode(text: str) -> bytes:
    return base64.b32decode(text + "=" * (-len(text) % 8))


def body(year: int, badge_id: int, version: int, zones: int) -> bytes:
    if not (2000 <= year <= 2255 and 0 < badge_id < 2**24 and 0 < version < 256 and 0 <= zones < 2**16):
        raise ValueError("badge fields out of range for the payload")
    return bytes([year - 2000]) + badge_id.to_bytes(3, "big") + bytes([version]) + zones.to_bytes(2, "big")


def signed(private_key: Ed25519PrivateKey, claim: Claim) -> bytes:
    """The code's bytes: the claim's message and its signature."""
    message = body(claim.year, claim.badge_id, claim.version, claim.zones)
    return message + private_key.sign(message)


def encode(code: bytes) -> str:
    return PREFIX + base64.b32encode(code).decode("ascii").rstrip("=")


def sign(private_key: Ed25519PrivateKey, claim: Claim) -> str:
    return encode(signed(private_key, claim))


def read(payload: str) -> tuple[Claim, bytes, bytes]:
    """The claim, message and signature, before any signature check. Any text at all is either
    read or refused with its reason (not_a_badge, malformed)."""
    payload = (payload or "").strip()
    if payload[:len(PREFIX)].upper() != PREFIX:
        raise InvalidPayload("not_a_badge")
    text = payload[len(PREFIX):]
    # ASCII first: str.upper() turns "ı" into "I", and a badge has one spelling.
    text = text.upper() if text.isascii() else text
    if not CODE.fullmatch(text):
        raise InvalidPayload("malformed")
    try:
        raw = _b32decode(text)
    except (binascii.Error, ValueError) as error:
        raise InvalidPayload("malformed") from error
    if len(raw) != BODY_LENGTH + SIGNATURE_LENGTH:
        raise InvalidPayload("malformed")
    # One spelling per badge: the unused bits of the last character must be zero.
    unused = len(text) * 5 - len(raw) * 8
    if ALPHABET.index(text[-1]) & ((1 << unused) - 1):
        raise InvalidPayload("malformed")
    message, signature = raw[:BODY_LENGTH], raw[BODY_LENGTH:]
    claim = Claim(
        year=2000 + message[0], badge_id=int.from_bytes(message[1:4], "big"),
        version=message[4], zones=int.from_bytes(message[5:7], "big"),
    )
    return claim, message, signature


def verify(payload: str, year: int, public_key: Ed25519PublicKey) -> Claim:
    claim, message, signature = read(payload)
    if claim.year != year:
        raise InvalidPayload("wrong_edition")
    try:
        public_key.verify(signature, message)
    except InvalidSignature as error:
        raise InvalidPayload("bad_signature") from error
    return claim


def new_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


def raw_public(key: Ed25519PrivateKey) -> bytes:
    return key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def raw_private(key: Ed25519PrivateKey) -> bytes:
    return key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption())
