"""Rules for the 2023 entrances, and a morning of scans so the occupancy page has a story."""

import random
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from conference.badges import services as badges
from conference.badges.models import Badge
from conference.checkin import services
from conference.checkin.models import CheckpointRule
from conference.editions.services import get_edition
from conference.extensions import db
from conference.venues.services import checkpoint_by_code

# code: categories, zones, mode, re-entry, checks out of other halls
RULES = {
    "GT-MAIN": ([], ["A"], "both", True, False),
    "GT-VIP": (["guest", "staff"], [], "entry", True, False),
    "GT-AUD": ([], ["A"], "both", True, True),
    "GT-BACK": ([], ["D"], "both", True, False),
    "CC-G1": ([], ["B"], "both", True, False),
    "CC-G2": ([], ["B"], "both", True, False),
    "CC-PRESS": ([], ["C"], "entry", True, False),
    "CC-HALLA": ([], ["B"], "both", True, True),
    # The rehearsal desk: every category, any time, entries only (a second entry is already_inside).
    "DEMO-DESK": ([], [], "entry", True, False),
}
MORNING = datetime(2023, 7, 18, 0, 0, tzinfo=UTC)  # 08:00 in Xiamen, the opening day


def load_checkin() -> list[str]:
    edition = get_edition(2023)
    desk = checkpoint_by_code(edition, "DEMO-DESK") if edition else None
    if desk is None:
        return []
    if db.session.execute(select(CheckpointRule.id).where(CheckpointRule.checkpoint_id == desk.id)).first():
        return ["Check-in of 2023 already there."]
    for code, (categories, zones, mode, reentry, checks_out) in RULES.items():
        services.save_rule(checkpoint_by_code(edition, code), categories, zones, None, None, None, mode, reentry, checks_out)
    db.session.flush()
    return [f"Check-in of 2023: rules for {len(RULES)} checkpoints, {_morning_of_scans(edition)} demo scans."]


def _morning_of_scans(edition) -> int:
    """Guests and the audience arrive at the theatre between 08:00 and 09:30 and take their
    seats; a few try the backstage door."""
    rng = random.Random(2023)
    key, zones = badges.private_key(edition), badges.zones_of(edition)
    main, hall, backstage = (checkpoint_by_code(edition, code) for code in ("GT-MAIN", "GT-AUD", "GT-BACK"))
    arriving = db.session.execute(select(Badge).where(Badge.edition_id == edition.id).order_by(Badge.id).limit(600)).scalars().all()
    count = 0
    for index, badge in enumerate(arriving):
        payload = badges.payload(badge, key, zones)
        at = MORNING + timedelta(seconds=rng.randint(0, 90 * 60))
        steps = [(main, at), (hall, at + timedelta(minutes=rng.randint(3, 15)))]
        if index % 40 == 0:
            steps.append((backstage, at + timedelta(minutes=2)))
        if index % 7 == 0:
            steps.append((main, at + timedelta(seconds=20)))  # scanned twice at the door
        for checkpoint, moment in steps:
            count += 1
            services.scan(payload, checkpoint, None, f"demo-{count}", moment, "entry")
    return count


def scanner_note() -> list[str]:
    return ["Try the scanner: flask checkin pair-device --edition 2023 --checkpoint DEMO-DESK, "
            "then open /scan/ and paste the token, or pair a phone from Check-in → Devices.",
            "A volunteer on a checkpoint shift who signs in and opens /scan/ gets a token for the shift's checkpoint, "
            "from half an hour before the shift to half an hour after (serve the demo at that time with CONFERENCE_NOW, "
            "e.g. 2023-07-18T08:00:00+08:00); \"Shift check-in\" on the scanner checks volunteers in and out by badge."]
