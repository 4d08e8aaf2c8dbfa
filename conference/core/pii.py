"""Personal data at rest: AES-GCM sealing, keyed hashes for exact look-ups, masking.

Identity numbers and phones are stored sealed. A list shows them masked; the clear value
comes only from reveal(), which writes the read to the audit log.
"""

import base64
import hashlib
import hmac
import os
import re
import secrets
from pathlib import Path

import phonenumbers
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import Flask, current_app

from conference.core import audit
from conference.core.encoding import b64url_decode, b64url_encode

_VERSION = "v1"


class PersonalDataKeys:
    """Two keys derived from PII_KEY: one to seal values, one for keyed hashes."""

    def __init__(self, master: bytes):
        if len(master) < 32:
            raise ValueError("PII_KEY must decode to at least 32 bytes")
        self.sealing = self._derive(master, b"conference pii sealing")
        self.hashing = self._derive(master, b"conference pii blind index")

    @staticmethod
    def _derive(master: bytes, info: bytes) -> bytes:
        return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(master)


def init_app(app: Flask) -> None:
    """Load PII_KEY, or in development create one under instance/ once and keep it."""
    configured = app.config.get("PII_KEY")
    if configured:
        master = b64url_decode(configured)
    else:
        key_file = Path(app.config["INSTANCE_DIR"]) / "pii.key"
        if not key_file.exists():
            key_file.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as handle:
                handle.write(base64.urlsafe_b64encode(secrets.token_bytes(32)).decode())
        master = b64url_decode(key_file.read_text())
    app.extensions["pii_keys"] = PersonalDataKeys(master)


def _keys() -> PersonalDataKeys:
    return current_app.extensions["pii_keys"]


def seal(value: str | None) -> str | None:
    """Encrypt a value for storage: 'v1:' + base64(nonce + ciphertext + tag)."""
    if value is None:
        return None
    nonce = secrets.token_bytes(12)
    sealed = AESGCM(_keys().sealing).encrypt(nonce, value.encode("utf-8"), _VERSION.encode())
    return f"{_VERSION}:" + base64.urlsafe_b64encode(nonce + sealed).decode("ascii")


def unseal(token: str | None) -> str | None:
    if token is None:
        return None
    version, _, body = token.partition(":")
    if version != _VERSION:
        raise ValueError("unknown sealing version")
    raw = b64url_decode(body)
    return AESGCM(_keys().sealing).decrypt(raw[:12], raw[12:], _VERSION.encode()).decode("utf-8")


def seal_bytes(data: bytes) -> str:
    """A secret that is bytes (a private key), sealed for storage."""
    return seal(b64url_encode(data))


def unseal_bytes(token: str) -> bytes:
    return b64url_decode(unseal(token))


def token_hash(token: str) -> str:
    """How a random token (a private link, a device's) is looked up without being stored.
    Tokens are 256 random bits: a plain hash suffices, unkeyed, and costs microseconds a scan."""
    return hashlib.sha256(token.encode()).hexdigest()


def blind_index(value: str, purpose: str) -> str:
    """A keyed hash of a normalised value: finds duplicates without storing the value."""
    message = f"{purpose}\x00{value}".encode()
    return hmac.new(_keys().hashing, message, hashlib.sha256).hexdigest()


def reveal(target, field: str, reason: str, actor=None) -> str | None:
    """The clear value of a sealed field; the read and its reason go to the audit log."""
    if not reason or not reason.strip():
        raise ValueError("a reason is required to reveal personal data")
    audit.record(
        "pii.reveal", target, detail={"field": field, "reason": reason.strip()}, actor=actor
    )
    return unseal(getattr(target, field))


def mask_document_number(number: str | None) -> str:
    """3502**********1234 for an 18-digit number; shorter documents keep less."""
    if not number:
        return ""
    number = number.strip()
    n = len(number)
    if n >= 12:
        keep_head, keep_tail = 4, 4
    elif n >= 8:
        keep_head, keep_tail = 1, 3
    else:
        keep_head, keep_tail = 0, min(2, n // 2)
    return number[:keep_head] + "*" * (n - keep_head - keep_tail) + number[n - keep_tail :]


_PHONE_PREFIX = re.compile(r"^(\+\d{1,3})[\s-]?")


def mask_phone(phone: str | None) -> str:
    """138****5678; an international prefix is kept: +852 91****67."""
    if not phone:
        return ""
    phone = phone.strip()
    prefix = ""
    try:  # +8613812345678: the country code is +86, not +861
        parsed = phonenumbers.parse(phone, None)
        prefix, digits = f"+{parsed.country_code} ", str(parsed.national_number)
    except phonenumbers.NumberParseException:
        match = _PHONE_PREFIX.match(phone)
        if match:
            prefix = match.group(1) + " "
            phone = phone[match.end() :]
        digits = re.sub(r"\D", "", phone)
    if len(digits) >= 11:
        head, tail = 3, 4
    elif len(digits) >= 6:
        head, tail = 2, 2
    else:
        head, tail = 0, min(2, len(digits) // 2)
    return prefix + digits[:head] + "*" * (len(digits) - head - tail) + digits[len(digits) - tail :]
