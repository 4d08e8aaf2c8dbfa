"""How fast registration is, server side, with the demo's 3,000 people already registered.

    .venv/bin/python benchmarks/registration.py [--registrations 500] [--clients 8] [--database-url URL]

1. Time to register: 500 POSTs of the registration form, one after another, through the WSGI
   app in this process (median, p95): the server's own time, without network.
2. Throughput: gunicorn serves the app as in production (gunicorn.conf.py: 2 × cores + 1
   workers of 4 threads, mail queued for Huey) and 8 HTTP clients register at once, racing for the seats of
   one session; afterwards the seats taken must equal the confirmed bookings.
3. Time to render the organizers' registration list (50 rows of 3,000+, filtered and not).
The last line is JSON with register_p50_ms, register_p95_ms, register_per_s, list_page_ms.
"""

import argparse
import http.cookiejar
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
# The job queue lives beside the benchmark's database, not in the project's instance folder.
FOLDER = tempfile.mkdtemp(prefix="bench-registration-")
os.environ["INSTANCE_PATH"] = FOLDER

import flask_migrate  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from benchmarks.common import form  # noqa: E402
from conference import create_app  # noqa: E402
from conference.core.demo import database_is_empty, load_demo  # noqa: E402
from conference.extensions import db  # noqa: E402
from conference.programme.models import Session  # noqa: E402
from conference.registration.models import SeatBooking, SessionQuota  # noqa: E402


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def race_over_http(database_url: str, clients: int, per_client: int, session_id: int) -> tuple[float, list]:
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": database_url, "RATELIMIT_ENABLED": "false", "HUEY_IMMEDIATE": "false",
           "CONFERENCE_ENV": "development", "INSTANCE_PATH": FOLDER}
    server = subprocess.Popen(
        [str(Path(sys.executable).with_name("gunicorn")), "-c", str(ROOT / "gunicorn.conf.py"), "-b", f"127.0.0.1:{port}",
         "--log-level", "warning", "--access-logfile", "/dev/null", "wsgi:app"], cwd=ROOT, env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):  # wait for the workers, at most 30 s
            try:
                urllib.request.urlopen(base + "/healthz", timeout=5)  # noqa: S310  loopback only
                break
            except (urllib.error.URLError, OSError):
                time.sleep(0.1)
        failures: list = []
        openers = []
        for _ in range(clients):
            jar = http.cookiejar.CookieJar()
            opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), _NoRedirect())
            page = opener.open(base + "/register/2023/", timeout=30).read().decode()
            token = re.search(r'name="csrf_token"[^>]*?value="([^"]+)"', page).group(1)
            openers.append((opener, token))

        def run_client(index: int) -> None:
            opener, token = openers[index]
            for n in range(per_client):
                data = {**form(100000 + index * per_client + n, session_id), "csrf_token": token}
                try:
                    opener.open(base + "/register/2023/", urllib.parse.urlencode(data).encode(), timeout=60)
                    failures.append("no redirect")
                except urllib.error.HTTPError as answer:
                    if answer.code != 302:
                        failures.append(answer.code)

        threads = [threading.Thread(target=run_client, args=(i,)) for i in range(clients)]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return clients * per_client / (time.perf_counter() - started), failures
    finally:
        server.terminate()
        server.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--registrations", type=int, default=500)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"))
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(dir=FOLDER) as folder:
        url = args.database_url or f"sqlite:///{folder}/bench.db"
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "INSTANCE_DIR": folder, "RATELIMIT_ENABLED": False,
                          "TESTING": False, "WTF_CSRF_ENABLED": False, "MAIL_BACKEND": "file",
                          # As in production: mail is queued for the Huey consumer, not sent in the request.
                          "HUEY_IMMEDIATE": False})
        with app.app_context():
            flask_migrate.upgrade()
            if not database_is_empty():
                sys.exit("The benchmark needs an empty database; it loads the demo edition itself.")
            load_demo()
            db.session.commit()
            present = db.session.execute(select(func.count()).select_from(SeatBooking)).scalar_one()
            race_session = db.session.execute(select(Session.id).where(Session.number == 11)).scalar_one()
            db.session.execute(SessionQuota.__table__.update().where(SessionQuota.session_id == race_session).values(seats=SessionQuota.taken + 20))
            db.session.commit()
        client = app.test_client()

        timings = []
        for serial in range(args.registrations):
            started = time.perf_counter()
            response = client.post("/register/2023/", data=form(serial, None))
            timings.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 302, response.get_data(as_text=True)[:500]
        timings.sort()
        p50, p95 = statistics.median(timings), timings[int(len(timings) * 0.95) - 1]

        per_client = max(1, args.registrations // args.clients)
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        per_second, failures = race_over_http(url, args.clients, per_client, race_session)
        with app.app_context():
            confirmed = db.session.execute(select(func.count()).select_from(SeatBooking).where(
                SeatBooking.session_id == race_session, SeatBooking.status == "confirmed")).scalar_one()
            quota = db.session.execute(select(SessionQuota).where(SessionQuota.session_id == race_session)).scalar_one()
            assert quota.taken <= quota.seats and confirmed == quota.taken, (confirmed, quota.taken, quota.seats)

        organizer = app.test_client()
        organizer.post("/login", data={"email": "organizer@example.org", "password": app.config["DEMO_PASSWORD"]})
        list_timings = {}
        for name, query in [("list_page_ms", ""), ("list_search_ms", "?q=zw"), ("list_filter_ms", "?category=media&status=pending")]:
            for _ in range(5):
                organizer.get("/editions/2023/registrations/" + query)
            samples = []
            for _ in range(40):
                started = time.perf_counter()
                response = organizer.get("/editions/2023/registrations/" + query)
                samples.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200
            list_timings[name] = statistics.median(samples)

        with app.app_context():
            total = db.session.execute(select(func.count()).select_from(db.metadata.tables["registrations"])).scalar_one()
        print(f"database: {url.split('@')[-1]}; {present} seat bookings and 3,000 registrations before; {total} after")
        print(f"{'what':<34}{'value':>12}")
        print(f"{'register, median (ms)':<34}{p50:>12.2f}")
        print(f"{'register, p95 (ms)':<34}{p95:>12.2f}")
        print(f"{f'registrations/s, {args.clients} HTTP clients racing':<34}{per_second:>12.1f}")
        print(f"{'failed concurrent registrations':<34}{len(failures):>12}")
        print(f"{'seats taken / seats of the session':<34}{f'{quota.taken}/{quota.seats}':>12}")
        for name, value in list_timings.items():
            print(f"{name + ' (median)':<34}{value:>12.2f}")
        print(json.dumps({
            "register_p50_ms": round(p50, 2), "register_p95_ms": round(p95, 2),
            "register_per_s": round(per_second, 1), "list_page_ms": round(list_timings["list_page_ms"], 2),
            "list_search_ms": round(list_timings["list_search_ms"], 2),
        }))


if __name__ == "__main__":
    main()
