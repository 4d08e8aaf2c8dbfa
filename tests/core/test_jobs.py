"""The generic job: progress committed on its own, the result file shown only to those its kind
lets see it, a failure kept with its message; one progress page and its JSON."""

import pytest
from flask_babel import lazy_gettext as _l
from sqlalchemy import create_engine, select

from conference.core import jobs
from conference.core.errors import Refusal
from conference.core.models import Job
from conference.extensions import db
from tests.conftest import login, make_user

KIND = "tests.report"


@pytest.fixture(autouse=True)
def kind():
    """A kind of job only administrators may see (the audit log's permission)."""
    jobs.job_kind(KIND, jobs.JobKind(
        permission="audit.view", title=_l("Badge batch"), download=_l("Download the PDF"), suffix=".pdf",
        file_name=lambda job: f"report-{job.id}.pdf", back=lambda job: ("Home", "/"),
        skipped=_l("Revoked badges skipped: %(n)d.")))
    yield
    del jobs.KINDS[KIND]


def _job(app, work=None) -> int:
    with app.app_context():
        job = jobs.start(KIND, {"what": "all"})
        db.session.commit()
        if work is not None:
            jobs.run(job.id, work)
        return job.id


def _write_report(job, target, report):
    report(1, 2)
    target.write_bytes(b"%PDF-1.7 the report")
    report(2, 2)
    job.skipped = 3


def test_a_job_commits_its_progress_on_its_own_while_the_work_goes_on(app):
    seen = []

    def work(job, target, report):
        report(3, 10)
        with create_engine(db.engine.url).connect() as other:  # another process's view
            seen.append(other.execute(select(Job.status, Job.done, Job.total).where(Job.id == job.id)).one())
        target.write_bytes(b"%PDF-1.7")

    job_id = _job(app, work)
    assert seen == [("running", 3, 10)]
    with app.app_context():
        job = db.session.get(Job, job_id)
        assert (job.status, job.done, job.total) == ("done", 3, 10)
        assert job.started_at <= job.finished_at and jobs.result_path(job).read_bytes() == b"%PDF-1.7"


def test_a_failing_job_keeps_its_message_and_nothing_of_its_work(app):
    def work(job, target, report):
        report(1, 4)
        job.params = {"changed": True}
        target.write_bytes(b"half a file")
        raise Refusal("没有符合条件的证件。")

    with app.app_context():
        files = set(jobs.result_folder().iterdir())
    with pytest.raises(Refusal):
        _job(app, work)
    with app.app_context():
        job = db.session.execute(select(Job)).scalar_one()
        assert (job.status, job.error, job.done, job.total) == ("failed", "没有符合条件的证件。", 1, 4)
        assert job.params == {"what": "all"} and job.file_path is None and job.finished_at is not None
        assert set(jobs.result_folder().iterdir()) == files


def test_only_those_the_kind_names_see_the_progress_and_the_file(app, client):
    job_id = _job(app, _write_report)
    urls = (f"/jobs/{job_id}", f"/jobs/{job_id}.json", f"/jobs/{job_id}.pdf")
    assert [client.get(url).status_code for url in urls] == [302, 302, 302]  # to the login page
    login(client, make_user(app, "organizer"))
    assert [client.get(url).status_code for url in urls] == [403, 403, 403]
    admin = app.test_client()
    login(admin, make_user(app, "admin", "admin@test.example"))
    assert admin.get(f"/jobs/{job_id}.json").get_json() == {
        "id": job_id, "kind": KIND, "status": "done", "done": 2, "total": 2, "skipped": 3, "error": "",
        "file": f"/jobs/{job_id}.pdf"}
    download = admin.get(f"/jobs/{job_id}.pdf")
    assert download.data == b"%PDF-1.7 the report" and f"report-{job_id}.pdf" in download.headers["Content-Disposition"]
    assert admin.get(f"/jobs/{job_id}.xlsx").status_code == 404
    assert admin.get(f"/jobs/{job_id + 1}").status_code == 404


@pytest.mark.parametrize(("language", "words"), [
    ("en", ["Badge batch", "2/2", "Revoked badges skipped: 3.", "Download the PDF"]),
    ("zh-CN", ["批量制证", "已跳过已注销的证件：3 张。", "下载 PDF"]),
    ("zh-TW", ["批次制證", "已跳過已註銷的證件：3 張。", "下載 PDF"]),
])
def test_the_progress_page_in_three_languages(app, client, language, words):
    job_id = _job(app, _write_report)
    login(client, make_user(app, "admin"))
    page = client.get(f"/jobs/{job_id}", headers={"Accept-Language": language}).get_data(as_text=True)
    assert all(word in page for word in words), page
    assert f'href="/jobs/{job_id}.pdf"' in page and 'http-equiv="refresh"' not in page


@pytest.mark.parametrize(("language", "words"), [("en", "The job failed:"), ("zh-CN", "任务失败："), ("zh-TW", "任務失敗：")])
def test_a_running_page_refreshes_itself_and_a_failed_one_says_why(app, client, language, words):
    with app.app_context():
        running = jobs.start(KIND, {})
        db.session.commit()
        running_id = running.id
    login(client, make_user(app, "admin"))
    page = client.get(f"/jobs/{running_id}", headers={"Accept-Language": language}).get_data(as_text=True)
    assert 'http-equiv="refresh"' in page and ".pdf" not in page

    def work(job, target, report):
        raise Refusal("坏了")

    with pytest.raises(Refusal):
        _job(app, work)
    failed = client.get(f"/jobs/{running_id + 1}", headers={"Accept-Language": language}).get_data(as_text=True)
    assert words in failed and "坏了" in failed and 'http-equiv="refresh"' not in failed
