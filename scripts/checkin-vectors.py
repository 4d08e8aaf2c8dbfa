"""Write tests/checkin/vectors.json: cases of (payload, snapshot, kind, time) → expected answer.

The server (`conference/checkin/decision.py` through `services.scan`) and the scanner page's
offline rule (`static/js/checkin-decide.js`) are both tested against this one file. The
expected answers are written here by hand, from the issue's rules, not computed by either side.

    .venv/bin/python scripts/checkin-vectors.py
"""

import base64
import json
import sys
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from conference.badges import signing  # noqa: E402
from conference.badges.signing import Claim  # noqa: E402

KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))  # fixed: the file must not change between runs
OTHER_KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32, 64)))
YEAR = 2023
ZONES = {"A": 0, "B": 1, "C": 2, "D": 3, "E": 4}
NOON = "2023-07-18T04:00:00Z"  # 12:00 in Xiamen


def payload(badge_id: int, version: int = 1, zones: str = "AB", key=KEY, year: int = YEAR) -> str:
    mask = sum(1 << ZONES[z] for z in zones)
    return signing.sign(key, Claim(year, badge_id, version, mask))


def mask(zones: str) -> int:
    return sum(1 << ZONES[z] for z in zones)


def rule(**changes) -> dict:
    base = {"categories": [], "zone_mask": 0, "session": False, "opens_at": None, "closes_at": None,
            "mode": "entry", "reentry": True}
    return {**base, **changes}


def badge(version=1, status="active", category="guest", holds=False, name="林晓梅", reason=None) -> dict:
    entry = {"v": version, "s": status, "c": category, "h": holds, "n": name}
    if reason:
        entry["r"] = reason
    return entry


def snapshot(rules=None, badges=None, inside=(), entered=()) -> dict:
    public = base64.urlsafe_b64encode(signing.raw_public(KEY)).decode().rstrip("=")
    return {"edition": YEAR, "public_key": public, "rule": rules or rule(),
            "badges": {str(k): v for k, v in (badges or {7: badge()}).items()},
            "inside": list(inside), "entered": list(entered)}


def case(name, expect, why="", code=None, kind="entry", at=NOON, **state) -> dict:
    return {"name": name, "payload": code if code is not None else payload(7), "kind": kind, "at": at,
            "snapshot": snapshot(**state), "expect": {"result": expect, "why": why}}


def altered(text: str, index: int) -> str:
    swap = "A" if text[index] != "A" else "B"
    return text[:index] + swap + text[index + 1:]


GOOD = payload(7)
ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"  # the last character's lowest bit is padding
CASES = [
    case("a current badge at an open entrance", "admitted"),
    case("the same badge while inside", "already_inside", inside=[7], entered=[7]),
    case("back after leaving, re-entry allowed", "admitted", entered=[7]),
    case("back after leaving, no re-entry", "not_allowed_here", "reentry", entered=[7], rules=rule(reentry=False)),
    case("an exit", "left", kind="exit", inside=[7], entered=[7]),
    case("an exit-only door turns an entry into an exit", "left", rules=rule(mode="exit"), inside=[7], entered=[7]),
    case("an exit without an entry", "left", "not_inside", kind="exit"),
    case("an exit after leaving already", "left", "not_inside", kind="exit", entered=[7]),
    case("an exit-only door, never entered", "left", "not_inside", rules=rule(mode="exit")),
    case("entry and exit door, entry", "admitted", rules=rule(mode="both")),
    case("a print never counts", "admitted", kind="print", inside=[7], entered=[7]),
    case("a look-up never counts", "admitted", kind="lookup", inside=[7], entered=[7]),
    case("a category that may not pass", "not_allowed_here", "category", rules=rule(categories=["media", "staff"])),
    case("a category that may pass", "admitted", rules=rule(categories=["guest"])),
    case("a zone the badge does not open", "not_allowed_here", "zone", rules=rule(zone_mask=mask("D"))),
    case("one of the zones suffices", "admitted", rules=rule(zone_mask=mask("DB"))),
    case("zones that no longer exist", "not_allowed_here", "zone", rules=rule(zone_mask=1 << 16)),
    case("invitation only, holds a seat", "admitted", rules=rule(session=True), badges={7: badge(holds=True)}),
    case("invitation only, no seat", "not_allowed_here", "session", rules=rule(session=True)),
    case("before the entrance opens", "outside_hours", "hours", rules=rule(opens_at="2023-07-18T05:00:00Z")),
    case("after it closes", "outside_hours", "hours", rules=rule(closes_at="2023-07-18T03:59:59Z")),
    case("within the opening hours", "admitted", rules=rule(opens_at="2023-07-18T03:00:00Z", closes_at="2023-07-18T05:00:00Z")),
    case("the opening minute itself", "admitted", rules=rule(opens_at=NOON)),
    case("an exit outside hours", "outside_hours", "hours", kind="exit", rules=rule(closes_at="2023-07-18T03:00:00Z")),
    case("a revoked badge", "revoked", "revoked", badges={7: badge(status="revoked", reason="冒用")}),
    case("revoked comes before the entrance's rules", "revoked", "revoked",
         badges={7: badge(status="revoked", category="media")}, rules=rule(categories=["guest"])),
    case("an older version of a reissued badge", "superseded", "superseded", badges={7: badge(version=2)}),
    case("superseded comes before revoked", "superseded", "superseded", badges={7: badge(version=2, status="revoked")}),
    case("the current version of a reissued badge", "admitted", code=payload(7, version=2), badges={7: badge(version=2)}),
    case("a badge the scanner does not know", "invalid", "unknown", code=payload(99)),
    case("another edition's badge", "wrong_edition", "wrong_edition", code=payload(7, year=2024)),
    case("signed with another key", "invalid", "bad_signature", code=payload(7, key=OTHER_KEY)),
    case("one character of the signature changed", "invalid", "bad_signature", code=altered(GOOD, 60)),
    case("one character of the badge number changed", "invalid", "bad_signature", code=altered(GOOD, 5)),
    case("truncated", "invalid", "malformed", code=GOOD[:-4]),
    case("one character too many", "invalid", "malformed", code=GOOD + "A"),
    case("not base32", "invalid", "malformed", code=GOOD[:10] + "1" + GOOD[11:]),
    case("a second spelling of the same bits", "invalid", "malformed", code=GOOD[:-1] + ALPHABET[ALPHABET.index(GOOD[-1]) ^ 1]),
    case("not a badge at all", "invalid", "not_a_badge", code="https://example.org/"),
    case("an empty scan", "invalid", "not_a_badge", code=""),
    case("typed in lower case with spaces by a scanner", "admitted", code="  " + GOOD.lower() + "\n"),
    case("category checked before hours", "not_allowed_here", "category",
         rules=rule(categories=["staff"], opens_at="2023-07-18T05:00:00Z")),
    case("hours checked before presence", "outside_hours", "hours", inside=[7], entered=[7],
         rules=rule(opens_at="2023-07-18T05:00:00Z")),
]


def main() -> None:
    data = {
        "about": "Shared by tests/checkin/test_vectors.py (server) and tests/browser/test_scanner.py (the page's "
                 "offline rule). Made by scripts/checkin-vectors.py; expected answers are written by hand there.",
        # The key that signed the cases, a test key known to all: the server checks a badge by
        # signing it again, an offline phone by verifying with the public key.
        "private_key": base64.urlsafe_b64encode(signing.raw_private(KEY)).decode().rstrip("="),
        "cases": CASES,
    }
    target = ROOT / "tests" / "checkin" / "vectors.json"
    target.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"{len(CASES)} cases written to {target.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
