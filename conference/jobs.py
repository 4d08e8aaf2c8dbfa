"""The Huey consumer's entry point: `huey_consumer conference.jobs.huey`.

Declaring the domains imports their task modules, which registers the tasks with the queue:
the same domains as the app's, read from the same DOMAINS setting.
"""

from conference import domain_packages
from conference.core import logs
from conference.core.domains import declared
from conference.extensions import huey
from config import config_from_environment

CONFIG = config_from_environment()
DOMAINS = declared(domain_packages(CONFIG.DOMAINS))
# The consumer's lines for a job name the request that queued it, in the app's log format.
logs.set_up_handler(CONFIG.LOG_FORMAT)
logs.follow_jobs(huey)

__all__ = ["huey"]
