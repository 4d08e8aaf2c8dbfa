"""The gate's rule, without a database: what a checkpoint answers a badge, given what is known.

The server calls `decide` with facts read from the database; the scanner page runs the same rule
in JavaScript (`static/js/checkin-decide.js`) on the snapshot it holds while offline. Both are
checked against one file of cases, `tests/checkin/vectors.json`, so they cannot drift apart.

Order of the checks: the code itself (signature, edition), the badge (known, current version,
not revoked), the entrance (category, zone, invitation-only session, hours), then where the
person is (inside already, re-entry; for an exit, whether they were inside at all).
"""

from dataclasses import dataclass
from datetime import datetime

# What the payload check says → what the gate answers.
CODE_RESULTS = {"not_a_badge": "invalid", "malformed": "invalid", "bad_signature": "invalid",
                "wrong_edition": "wrong_edition"}


@dataclass(frozen=True)
class Rule:
    categories: tuple[str, ...] = ()
    zone_mask: int = 0  # bits of the zones that open this entrance; 0 = any badge
    session_id: int | None = None
    opens_at: datetime | None = None
    closes_at: datetime | None = None
    mode: str = "entry"  # entry, exit, both
    reentry: bool = True


@dataclass(frozen=True)
class BadgeFacts:
    version: int
    status: str  # active, revoked
    category: str
    holds_session: bool = False  # a confirmed seat in the rule's session


@dataclass(frozen=True)
class Decision:
    result: str  # admitted, already_inside, not_allowed_here, outside_hours, revoked, superseded, wrong_edition, invalid, left
    why: str  # the reason's key: not_a_badge … reentry, not_inside, or "" when nothing needs explaining
    kind: str  # the kind after the entrance's mode: an exit-only door turns entries into exits
    counts: bool = False  # the person goes in (entry) or out (exit): presence changes


def effective_kind(kind: str, rule: Rule) -> str:
    return "exit" if kind == "entry" and rule.mode == "exit" else kind


def refusal(rule: Rule, badge: BadgeFacts, zones: int, at: datetime) -> str | None:
    """Which rule of the entrance, if any, keeps this badge out at this moment."""
    if rule.categories and badge.category not in rule.categories:
        return "category"
    if rule.zone_mask and not zones & rule.zone_mask:
        return "zone"
    if rule.session_id is not None and not badge.holds_session:
        return "session"
    if (rule.opens_at and at < rule.opens_at) or (rule.closes_at and at > rule.closes_at):
        return "hours"
    return None


def decide(code_problem: str | None, badge: BadgeFacts | None, claim_version: int, zones: int,
           rule: Rule, at: datetime, kind: str) -> Decision:
    """Everything up to the person's presence. An entry that passes answers `admitted` with
    counts=True; `settle_entry` (or the database's conditional update) then says whether they
    were inside already. An exit that passes answers `left`; `settle_exit` then says whether
    they had been inside."""
    kind = effective_kind(kind, rule)
    if code_problem:
        return Decision(CODE_RESULTS.get(code_problem, "invalid"), code_problem, kind)
    if badge is None:
        return Decision("invalid", "unknown", kind)
    if claim_version < badge.version:
        return Decision("superseded", "superseded", kind)
    if badge.status == "revoked":
        return Decision("revoked", "revoked", kind)
    why = refusal(rule, badge, zones, at)
    if why:
        return Decision("outside_hours" if why == "hours" else "not_allowed_here", why, kind)
    if kind in ("print", "lookup"):
        return Decision("admitted", "", kind)  # may pass; nothing is counted
    if kind == "exit":
        return Decision("left", "", kind, counts=True)
    return Decision("admitted", "", kind, counts=True)


def settle_entry(inside: bool, entered_before: bool, reentry: bool) -> tuple[str, str]:
    """The last step of an entry, from where the person is. The server does the same in one
    conditional UPDATE, so two doors cannot both admit one badge."""
    if inside:
        return "already_inside", ""
    if entered_before and not reentry:
        return "not_allowed_here", "reentry"
    return "admitted", ""


def settle_exit(inside: bool) -> tuple[str, str]:
    """The last step of an exit. The person goes out either way; an exit of someone this area
    never saw enter (or saw leave already) says so, for the volunteer and the scan log."""
    return ("left", "") if inside else ("left", "not_inside")
