"""The group's certificates as a background job: one PDF of all its volunteers' certificates."""

from flask import url_for
from flask_babel import lazy_gettext as _l

from conference.core.jobs import JobKind, app_context, job_kind, run
from conference.editions.models import Edition
from conference.extensions import db, huey
from conference.volunteers import records


def _year(job) -> int:
    return db.session.get(Edition, job.edition_id).year


def _back(job) -> tuple:
    group = records.batch_group(job)
    return (_l("Service record certificates"),
            url_for("volunteers_records.group_certificates", year=_year(job), group_id=group.id))


job_kind(records.BATCH_KIND, JobKind(
    # Scoped to the batch's group: a lead sees the batches of the groups they lead, no other.
    permission="volunteers.manage", subject=records.batch_group, audit_download="service_record.batch_download",
    title=_l("Service record certificates"), download=_l("Download the PDF"), suffix=".pdf",
    file_name=lambda job: f"certificates-{_year(job)}-{records.batch_group(job).code}-{job.id}.pdf",
    back=_back, skipped=_l("Volunteers without recorded hours skipped: %(n)d."),
))


@huey.task()
def render_certificates(job_id: int) -> None:
    with app_context():
        run(job_id, records.run_batch)
