"""How fast the public programme answers, server side, for the demo edition.

    .venv/bin/python benchmarks/programme.py [--requests 200] [--database-url URL]

Builds a fresh database (SQLite in a temporary folder, or the empty database that
--database-url names, which it leaves filled), loads
the demo 2023 edition (16 sessions, ~120 speakers), then times requests through the WSGI app
in this process: the whole request, routing to response body, without network or browser.
Prints a table, then one JSON line with `programme_page_ms` and `programme_api_ms` (medians).
"""

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import flask_migrate  # noqa: E402

from conference import create_app  # noqa: E402
from conference.core.demo import database_is_empty, load_demo  # noqa: E402
from conference.extensions import db  # noqa: E402
from conference.programme import api as programme_api  # noqa: E402

# (figure, path, headers, build the body afresh each time). The API keeps built bodies by ETag;
# the uncached figures are what the first reader after every change waits for.
API = "/api/v1/editions/2023/programme?lang=zh_Hans"
TARGETS = [
    ("programme_page_ms", "/programme/2023/", {"Accept-Language": "zh-CN"}, False),
    ("programme_page_hant_ms", "/programme/2023/", {"Accept-Language": "zh-TW"}, False),
    ("programme_api_ms", API, {}, True),
    ("programme_api_cached_ms", API, {}, False),
    ("programme_api_304_ms", API, {"If-None-Match": None}, False),
    ("programme_ics_ms", "/api/v1/editions/2023/programme.ics?lang=zh_Hans", {}, True),
    ("schedule_xml_ms", "/api/v1/editions/2023/schedule.xml?lang=en", {}, True),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"))
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite:///{folder}/bench.db"
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "INSTANCE_DIR": folder,
                          "RATELIMIT_ENABLED": False, "TESTING": False})
        with app.app_context():
            flask_migrate.upgrade()
            if not database_is_empty():
                sys.exit("The benchmark needs an empty database; it loads the demo edition itself.")
            load_demo()
            db.session.commit()
        client = app.test_client()
        etag = client.get(API).headers["ETag"]

        results = {}
        print(f"{'what':<24}{'median ms':>10}{'p95 ms':>10}{'max ms':>10}{'bytes':>10}")
        for name, path, headers, uncached in TARGETS:
            headers = {k: (etag if v is None else v) for k, v in headers.items()}
            for _ in range(10):  # warm caches, compiled templates, connection pool
                client.get(path, headers=headers)
            timings, size = [], 0
            for _ in range(args.requests):
                if uncached:
                    programme_api._bodies.clear()
                started = time.perf_counter()
                response = client.get(path, headers=headers)
                body = response.get_data()
                timings.append((time.perf_counter() - started) * 1000)
                assert response.status_code in (200, 304), (path, response.status_code)
                size = len(body)
            timings.sort()
            median = statistics.median(timings)
            p95 = timings[int(len(timings) * 0.95) - 1]
            results[name] = round(median, 2)
            print(f"{name:<24}{median:>10.2f}{p95:>10.2f}{timings[-1]:>10.2f}{size:>10}")
        with app.app_context():
            db.session.remove()
        print(f"database: {url.split('@')[-1].split('?')[0]}, {args.requests} requests each")
        print(json.dumps(results))


if __name__ == "__main__":
    main()
