"""How long one badge PDF takes, server side, and a batch per badge.

    .venv/bin/python benchmarks/badges.py [--requests 30]

Loads the demo edition (≈2,700 badges), then times the organizer's single-badge download
through the WSGI app (the attendee's own download is the same service) and a 40-badge batch.
The last line is JSON with single_badge_ms (median) and batch_ms_per_badge.
"""

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
FOLDER = tempfile.mkdtemp(prefix="bench-badges-")
os.environ["INSTANCE_PATH"] = FOLDER

import flask_migrate  # noqa: E402
from sqlalchemy import select  # noqa: E402

from conference import create_app  # noqa: E402
from conference.badges import services  # noqa: E402
from conference.badges.models import Badge  # noqa: E402
from conference.core import pdf  # noqa: E402
from conference.core.demo import load_demo  # noqa: E402
from conference.editions.services import get_edition  # noqa: E402
from conference.extensions import db  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=30)
    args = parser.parse_args()
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{FOLDER}/bench.db", "INSTANCE_DIR": FOLDER,
                      "RATELIMIT_ENABLED": False, "TESTING": False, "WTF_CSRF_ENABLED": False})
    with app.app_context():
        flask_migrate.upgrade()
        load_demo()
        db.session.commit()
        ids = db.session.execute(select(Badge.id).order_by(Badge.id).limit(args.requests + 3)).scalars().all()
    client = app.test_client()
    client.post("/login", data={"email": "organizer@example.org", "password": app.config["DEMO_PASSWORD"]})
    client.get(f"/editions/2023/badges/{ids[-1]}.pdf")  # fonts loaded once per process
    timings = []
    for badge_id in ids[: args.requests]:
        started = time.perf_counter()
        response = client.get(f"/editions/2023/badges/{badge_id}.pdf?again=1")
        timings.append((time.perf_counter() - started) * 1000)
        assert response.mimetype == "application/pdf", response.status_code
    with app.test_request_context():
        edition = get_edition(2023)
        badges = services.select_badges(edition, limit=40)
        started = time.perf_counter()
        pdf.join([pdf.document(services.badges_html(badges))])
        batch_ms = (time.perf_counter() - started) * 1000
    timings.sort()
    single = statistics.median(timings)
    print(f"{'what':<28}{'ms':>10}")
    print(f"{'single badge, median':<28}{single:>10.1f}")
    print(f"{'single badge, p95':<28}{timings[int(len(timings) * 0.95) - 1]:>10.1f}")
    print(f"{'batch of 40, per badge':<28}{batch_ms / 40:>10.1f}")
    print(json.dumps({"single_badge_ms": round(single, 1), "batch_ms_per_badge": round(batch_ms / 40, 1)}))


if __name__ == "__main__":
    main()
