"""How long an edition keeps personal data, and the purge once that is over (PIPL art. 19, 47).

The period is the one the edition's privacy notice states (`retention_days`, the one source),
counted from the edition's last day: the purge may run from the day after the period ends.
What goes is what the domains declare (core/retention.py)."""

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import select

from conference.core import audit, clock
from conference.core import retention as erasure
from conference.core.domains import installed
from conference.editions.models import Edition
from conference.extensions import db
from conference.registration.services import current_notice


@dataclass(frozen=True)
class Outcome:
    """What a purge did or, in a dry run, would do: (kind, count) pairs, and the day from which
    it may run (None: the edition has no privacy notice, so no period and no purge)."""

    purge_from: date | None
    due: bool
    counts: list[tuple[str, int]]
    dry_run: bool


def retention_days(edition: Edition) -> int | None:
    notice = current_notice(edition)
    return notice.retention_days if notice else None


def purge_from(edition: Edition) -> date | None:
    """The first day on which the edition's personal data may no longer be kept."""
    days = retention_days(edition)
    return edition.ends_on + timedelta(days=days + 1) if days is not None else None


def is_due(edition: Edition, today: date | None = None) -> bool:
    first = purge_from(edition)
    return first is not None and (today or clock.today(edition.timezone)) >= first


def purge_edition(edition: Edition, dry_run: bool = False, actor=None) -> Outcome:
    """Erase the edition's personal data if its period is over (nothing before); a dry run
    counts what would go and changes nothing. The caller commits."""
    due = is_due(edition)
    with force_locale("en"):  # the kinds as the command prints them and the audit entry keeps them, in any request
        counts = erasure.purge(edition.id, installed().domains, dry_run) if due else []
    if counts and not dry_run:  # the daily run over editions purged long ago writes nothing
        db.session.expire_all()  # the purge's bulk updates went round the session's copies
        audit.record("privacy.purge", edition, detail={"erased": dict(counts)}, actor=actor)
    return Outcome(purge_from(edition), due, counts, dry_run)


def purge_due_editions(actor=None) -> dict[int, Outcome]:
    """Every edition whose period is over, purged (again: what a restore brought back goes too)."""
    editions = db.session.execute(select(Edition).order_by(Edition.year)).scalars().all()
    return {edition.year: purge_edition(edition, actor=actor) for edition in editions if is_due(edition)}


def backup_folder() -> Path | None:
    folder = current_app.config.get("BACKUP_DIR")
    return Path(folder) if folder else None


def old_backups() -> list[Path]:
    """Backups in the configured folder older than the shortest period of any edition: they hold
    data that may have been purged since (a restore purges it again, but the file must go too)."""
    folder = backup_folder()
    periods = [days for days in (retention_days(edition) for edition in
                                 db.session.execute(select(Edition)).scalars()) if days is not None]
    if folder is None or not folder.is_dir() or not periods:
        return []
    oldest = clock.now().timestamp() - min(periods) * 86400
    return sorted(path for path in folder.glob("*.tar.gz") if path.stat().st_mtime < oldest)


def delete_old_backups() -> list[Path]:
    gone = old_backups()
    for path in gone:
        path.unlink(missing_ok=True)
    if gone:
        audit.record("privacy.backups_deleted", detail={"files": [path.name for path in gone]})
    return gone
