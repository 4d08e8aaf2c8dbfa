"""The Huey consumer's entry point: `huey_consumer conference.jobs.huey`.

Importing the app registers every domain's tasks with the queue.
"""

from conference.badges import jobs as badges_jobs  # noqa: F401  registers render_batch
from conference.core import mail  # noqa: F401  registers send_mail
from conference.extensions import huey

__all__ = ["huey"]
