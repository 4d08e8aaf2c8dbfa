"""Text as people type it, made safe to store: control characters out (PostgreSQL refuses NUL,
and none of them belongs in a name or an address)."""

import re

# The control characters, for a regular expression's character class: tab, line feed and
# carriage return are text.
CONTROL = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f"
_CONTROL = re.compile(f"[{CONTROL}]")


def clean(value):
    """Control characters removed; anything that is not text is returned as it is."""
    return _CONTROL.sub("", value) if isinstance(value, str) else value
