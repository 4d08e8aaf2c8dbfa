from flask import url_for
from flask_babel import lazy_gettext as _l

from conference.core.jobs import JobKind, app_context, job_kind, run
from conference.editions.services import year_of
from conference.extensions import huey
from conference.handbook import services

job_kind(services.BUILD_KIND, JobKind(
    permission="handbook.manage", title=_l("Conference handbook"), download=_l("Download the PDF"), suffix=".pdf",
    file_name=lambda job: f"handbook-{year_of(job.edition_id)}-{job.params['language']}-{job.params['size']}.pdf",
    back=lambda job: (_l("Conference handbook"), url_for("handbook.index", year=year_of(job.edition_id))),
))


@huey.task()
def build_handbook(job_id: int) -> None:
    with app_context():
        run(job_id, services.run_build)
