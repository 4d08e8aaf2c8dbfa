"""The Huey consumer's entry point: `huey_consumer conference.jobs.huey`.

Declaring the domains imports their task modules, which registers the tasks with the queue:
the same domains as the app's, read from the same DOMAINS setting.
"""

from conference import domain_packages
from conference.core.domains import declared
from conference.extensions import huey
from config import config_from_environment

DOMAINS = declared(domain_packages(config_from_environment().DOMAINS))

__all__ = ["huey"]
