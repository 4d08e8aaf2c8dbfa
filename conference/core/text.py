"""Text as people type it, made safe to store: control characters out (PostgreSQL refuses NUL,
and none of them belongs in a name or an address)."""

import re

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean(value):
    """Control characters removed; anything that is not text is returned as it is."""
    return _CONTROL.sub("", value) if isinstance(value, str) else value
