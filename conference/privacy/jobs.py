"""The daily retention purge, run by the Huey consumer: every edition past its period, and the
backups older than the shortest period."""

from huey import crontab

from conference.core.database import committed
from conference.core.jobs import app_context
from conference.extensions import huey
from conference.privacy import retention


def purge_everything_due() -> dict:
    purged = committed(retention.purge_due_editions)
    committed(retention.delete_old_backups)
    return purged


@huey.periodic_task(crontab(hour="19", minute="17"))  # 03:17 in Beijing: Huey reads crontabs in UTC
def daily_purge() -> None:
    with app_context():
        purge_everything_due()
