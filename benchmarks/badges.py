"""Badges at print-shop speed: the whole demo's batch, a naive render to compare, one badge.

    .venv/bin/python benchmarks/badges.py [--requests 30] [--naive 500]

Loads the demo edition (2,662 badges), then, through the WSGI app as an organizer would:
- the batch: every badge, one 100 × 140 mm badge a page, asked for on the badges page and made by
  the batch job (at once, HUEY_IMMEDIATE): the wall clock from the request to the joined file,
  the PDF's size, and the largest resident set of any process of the batch (the app's process,
  the pool's workers, qpdf), sampled from /proc during the batch and read from getrusage after;
- the naive render: the batch's first `--naive` badges as one WeasyPrint document with default
  settings and the QR codes inline as SVG (qrcode choosing the best mask, as it does by default),
  timed from making the HTML to the written file; laid out in a process of its own, so that its
  memory is apart from the batch's;
- single_badge_ms: the median of `--requests` downloads of one badge (the organizer's print).
A table, then the last line: JSON with badges_per_s, naive_badges_per_s, peak_mb, pdf_mb,
single_badge_ms. Goals: badges_per_s >= 60 and >= 3 x naive_badges_per_s, peak_mb < 600,
pdf_mb < 12, single_badge_ms < 300.
"""

import argparse
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def naive(html_file: str, pdf_file: str) -> None:
    """The naive render, in a process of its own: one document, WeasyPrint's defaults."""
    from weasyprint import HTML

    started = time.perf_counter()
    HTML(filename=html_file, base_url=str(ROOT / "static")).write_pdf(pdf_file)
    print(json.dumps({"seconds": time.perf_counter() - started,
                      "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))


class PeakMemory(threading.Thread):
    """The largest resident set of this process and of each of its descendants, sampled."""

    def __init__(self):
        super().__init__(daemon=True)
        self.peak_kb, self.stopped = 0, threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(0.05):
            for pid in [os.getpid(), *self.descendants(os.getpid())]:
                self.peak_kb = max(self.peak_kb, self.rss_kb(pid))

    @staticmethod
    def rss_kb(pid: int) -> int:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        except OSError:
            pass
        return 0

    @classmethod
    def descendants(cls, pid: int) -> list[int]:
        found = []
        for task in Path(f"/proc/{pid}/task").glob("*"):
            try:
                children = [int(child) for child in (task / "children").read_text().split()]
            except OSError:
                continue
            for child in children:
                found += [child, *cls.descendants(child)]
        return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--naive", type=int, default=500)
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="bench-badges-")
    os.environ["INSTANCE_PATH"] = folder
    sys.path.insert(0, str(ROOT))

    import flask_migrate
    from sqlalchemy import func, select

    from conference import create_app
    from conference.badges import services
    from conference.badges.models import Badge
    from conference.core import jobs
    from conference.core.demo import load_demo
    from conference.core.models import Job
    from conference.core.pdf import workers
    from conference.editions.services import get_edition
    from conference.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.db", "INSTANCE_DIR": folder,
                      "RATELIMIT_ENABLED": False, "TESTING": False, "WTF_CSRF_ENABLED": False, "HUEY_IMMEDIATE": True})
    with app.app_context():
        flask_migrate.upgrade()
        load_demo()
        db.session.commit()
        count = db.session.execute(select(func.count(Badge.id)).where(Badge.status == "active")).scalar_one()
        ids = db.session.execute(select(Badge.id).order_by(Badge.id).limit(args.requests + 1)).scalars().all()
    client = app.test_client()
    client.post("/login", data={"email": "organizer@example.org", "password": app.config["DEMO_PASSWORD"]})

    def print_one(badge_id: int):
        return client.post(f"/editions/2023/badges/{badge_id}.pdf", data={"version": 1, "layout": "single", "again": "1"})

    print_one(ids[-1])  # fonts loaded once per process
    timings = []
    for badge_id in ids[: args.requests]:
        started = time.perf_counter()
        response = print_one(badge_id)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.mimetype == "application/pdf", response.status_code

    sampler = PeakMemory()
    sampler.start()
    started = time.perf_counter()
    answer = client.post("/editions/2023/badges/", data={"category": "", "organisation": "", "sort": "pinyin",
                                                          "layout": "single", "limit": ""})
    batch_s = time.perf_counter() - started
    sampler.stopped.set()
    sampler.join()
    children_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # the largest worker's, exactly
    assert answer.status_code == 302, answer.status_code
    with app.app_context():
        job = db.session.get(Job, int(answer.headers["Location"].rsplit("/", 1)[1]))
        assert job.status == "done" and job.done == count, (job.status, job.done, count, job.error)
        pdf_mb = jobs.result_path(job).stat().st_size / 1e6
    peak_mb = max(sampler.peak_kb, children_kb) / 1024

    with app.test_request_context():
        badges = services.select_badges(get_edition(2023), limit=args.naive)
        started = time.perf_counter()
        plain, services.qr_png = services.qr_png, lambda text: f"qr:{text}"
        try:
            html = services.badges_html(badges)
        finally:
            services.qr_png = plain
        html = re.sub(r'<img src="qr:([^"]+)" alt="">', lambda code: services.qr_svg(code.group(1)), html)
        html = html.replace(".qr img {", ".qr svg {")
        naive_html_s = time.perf_counter() - started
    html_file, naive_pdf = Path(folder) / "naive.html", Path(folder) / "naive.pdf"
    html_file.write_text(html, encoding="utf-8")
    answer = subprocess.run([sys.executable, __file__, "naive", str(html_file), str(naive_pdf)],
                            capture_output=True, text=True, check=True)
    naive_run = json.loads(answer.stdout.strip().splitlines()[-1])
    naive_s = naive_html_s + naive_run["seconds"]

    single = statistics.median(timings)
    figures = {
        "badges_per_s": round(count / batch_s, 1),
        "naive_badges_per_s": round(len(badges) / naive_s, 1),
        "peak_mb": round(peak_mb, 1),
        "pdf_mb": round(pdf_mb, 2),
        "single_badge_ms": round(single, 1),
    }
    rows = [
        (f"batch: {count} badges, {workers()} workers", f"{batch_s:.1f} s", f"{figures['badges_per_s']} badges/s"),
        ("batch: largest process", f"{peak_mb:.0f} MB", f"PDF {pdf_mb:.1f} MB"),
        (f"naive: first {len(badges)}, one document", f"{naive_s:.1f} s", f"{figures['naive_badges_per_s']} badges/s"),
        ("naive: its process", f"{naive_run['peak_mb']:.0f} MB", f"PDF {naive_pdf.stat().st_size / 1e6:.1f} MB"),
        (f"single badge, median of {len(timings)}", f"{single:.1f} ms", f"p95 {sorted(timings)[int(len(timings) * 0.95) - 1]:.1f} ms"),
    ]
    for row in rows:
        print(f"{row[0]:<40}{row[1]:>12}{row[2]:>22}")
    print(json.dumps(figures))


if __name__ == "__main__":
    if sys.argv[1:2] == ["naive"]:
        naive(*sys.argv[2:4])
    else:
        main()
