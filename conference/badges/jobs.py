from flask import url_for
from flask_babel import lazy_gettext as _l

from conference.badges import services
from conference.core.jobs import JobKind, app_context, job_kind, run
from conference.editions.services import year_of
from conference.extensions import huey

job_kind(services.BATCH_KIND, JobKind(
    permission="badges.print", title=_l("Badge batch"), download=_l("Download the PDF"), suffix=".pdf",
    file_name=lambda job: f"badges-{year_of(job.edition_id)}-{job.id}.pdf",
    back=lambda job: (_l("Badges"), url_for("badges.index", year=year_of(job.edition_id))),
    skipped=_l("Revoked badges skipped: %(n)d."),
))


@huey.task()
def render_batch(job_id: int) -> None:
    with app_context():
        run(job_id, services.run_batch)
