"""Volunteers' shifts with the demo loaded: a sign-up through the page, the coverage page of the
busiest day, the ranked candidates of an understaffed shift, and the last places of a shift
raced for by 50 volunteers against gunicorn.

    .venv/bin/python benchmarks/volunteers.py [--signups 200] [--pg-url URL | --no-pg]

For each database (SQLite, then PostgreSQL when one is reachable):

1. A fresh database is migrated and the demo edition loaded (300 accepted volunteers with
   accounts, 12 posts, ≈290 shifts). The app's clock stands a week before the conference
   (CONFERENCE_NOW below), so every shift of 17–19 July is still to come.
2. coverage_page_ms: GET /editions/2023/volunteers/coverage?day=<the busiest day> as the demo
   organizer, through the Flask test client in this process; the median of 5 after one warm-up.
3. candidates_ms: conference.volunteers.staffing.candidates() of the understaffed shift with the
   most candidates (every accepted volunteer checked against every rule), in process, with an
   empty session each time (nothing already loaded); the median of 5 after one warm-up.
4. burst_exact: gunicorn with 2 sync workers serves the same database (CONFERENCE_ENV
   development, so the clock can stand where this process's does; rate limits off). The shift
   with the most candidates gets exactly 10 free places (needed = taken + 10); 50 of its
   candidates sign in over loopback beforehand and open their sign-up page (the CSRF token);
   then 50 threads, each on a connection already open, send their POST at the same instant.
   True when exactly 10 answers are 303 (on the shift), the other 40 are 409 saying "This shift
   is full.", and the shift's taken equals its needed.
5. signup_p95_ms: `--signups` sign-ups one at a time through the page (POST
   /volunteer/2023/me/shifts/<id>/sign-up with the CSRF token), each by a volunteer signed in
   through the login form of the test client, on a shift the page offers them with no rule
   broken; every rule is checked again by the sign-up itself. Timed around the test client's
   call, which runs the whole WSGI app in this process; the page shown after the redirect is
   timed apart (open_page_ms, not a goal).

PostgreSQL: --pg-url, BENCH_DATABASE_URL or TEST_DATABASE_URL (an empty database); otherwise
this script runs itself again under scripts/with-postgres.sh. Goals on both databases:
signup_p95_ms ≤ 100, coverage_page_ms ≤ 300, candidates_ms ≤ 200, burst_exact true. The last
line is JSON with those four and the same prefixed pg_ (null when absent).
"""

import argparse
import base64
import gc
import http.cookiejar
import json
import os
import re
import secrets
import shutil
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
from collections import Counter
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
FOLDER = tempfile.mkdtemp(prefix="bench-volunteers-")
os.environ["INSTANCE_PATH"] = FOLDER
PII_KEY = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()
SECRET_KEY = secrets.token_hex(32)
NOW = "2023-07-11T10:00:00+08:00"  # a week before the conference: every shift still to come

import flask_migrate  # noqa: E402
from sqlalchemy import select  # noqa: E402
from sqlalchemy.exc import SQLAlchemyError  # noqa: E402

from conference import create_app  # noqa: E402
from conference.accounts.models import User  # noqa: E402
from conference.core import clock  # noqa: E402
from conference.core.demo import database_is_empty, load_demo  # noqa: E402
from conference.editions.services import get_edition  # noqa: E402
from conference.extensions import db  # noqa: E402
from conference.volunteers import staffing  # noqa: E402
from conference.volunteers.models import AccountPerson, Post, Shift, Volunteer  # noqa: E402

CSRF = re.compile(r'name="csrf_token"[^>]*?value="([^"]+)"')
BURST, FREE = 50, 10
FULL = "This shift is full."


def _token(page: str) -> str:
    match = CSRF.search(page)
    if not match:
        raise RuntimeError("no CSRF token on the page")
    return match.group(1)


def _median_ms(run, times: int = 5) -> float:
    run()  # warm-up
    samples = []
    for _ in range(times):
        began = time.perf_counter()
        run()
        samples.append((time.perf_counter() - began) * 1000)
    return statistics.median(samples)


def _emails(volunteer_ids: list[int]) -> dict[int, str]:
    rows = db.session.execute(
        select(Volunteer.id, User.email).join(AccountPerson, AccountPerson.person_id == Volunteer.person_id)
        .join(User, User.id == AccountPerson.user_id).where(Volunteer.id.in_(volunteer_ids))).all()
    return dict(rows)


# The burst against gunicorn ---------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """gunicorn with 2 sync workers on the benchmark's database, its clock where ours stands."""

    def __init__(self, database_url: str):
        self.port = _free_port()
        settings = Path(FOLDER) / "gunicorn_bench.py"
        settings.write_text("# gunicorn's defaults: no access log\n")
        env = {**os.environ, "CONFERENCE_ENV": "development", "CONFERENCE_NOW": NOW, "DATABASE_URL": database_url,
               "INSTANCE_PATH": FOLDER, "SECRET_KEY": SECRET_KEY, "PII_KEY": PII_KEY, "RATELIMIT_ENABLED": "false",
               "MAIL_BACKEND": "file", "HUEY_IMMEDIATE": "false", "PUBLIC_URL": f"http://127.0.0.1:{self.port}"}
        self.process = subprocess.Popen(
            [str(Path(sys.executable).with_name("gunicorn")), "-c", str(settings), "-w", "2", "-k", "conference.core.server.SyncWorker",
             "-b", f"127.0.0.1:{self.port}", "--backlog", "256", "--log-level", "warning", "wsgi:app"], cwd=ROOT, env=env)

    def __enter__(self) -> "Server":
        for _ in range(300):
            if self.process.poll() is not None:
                raise RuntimeError("gunicorn stopped")
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=5)  # noqa: S310  loopback only
                return self
            except (urllib.error.URLError, OSError):
                time.sleep(0.1)
        raise RuntimeError("gunicorn did not answer /healthz within 30 s")

    def __exit__(self, *_exc) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


class _Stay(urllib.request.HTTPRedirectHandler):
    """Redirects are not followed: signing in leads to a page a volunteer may not open."""

    def redirect_request(self, *args, **kwargs):
        return None


def _signed_in(port: int, email: str, password: str) -> tuple[str, str]:
    """Sign in through the login form; (the session cookie, the sign-up page's CSRF token)."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), _Stay())
    base = f"http://127.0.0.1:{port}"
    login = opener.open(f"{base}/login", timeout=30).read().decode()
    form = urllib.parse.urlencode({"email": email, "password": password, "csrf_token": _token(login)}).encode()
    try:
        opener.open(f"{base}/login", data=form, timeout=30).read()
    except urllib.error.HTTPError as answer:  # the redirect after signing in, not followed
        if answer.code != 302:
            raise RuntimeError(f"signing in {email} answered {answer.code}") from answer
    page = opener.open(f"{base}/volunteer/2023/me/shifts/open", timeout=30).read().decode()
    cookie = "; ".join(f"{c.name}={c.value}" for c in jar)
    return cookie, _token(page)


def _burst(port: int, shift_id: int, sessions: list[tuple[str, str]]) -> list[tuple[int, str]]:
    """Every session's POST sent at the same instant, each on a connection opened beforehand."""
    path = f"/volunteer/2023/me/shifts/{shift_id}/sign-up?lang=en"
    barrier = threading.Barrier(len(sessions))
    answers: list[tuple[int, str]] = [(0, "")] * len(sessions)

    def run(index: int, cookie: str, token: str) -> None:
        body = urllib.parse.urlencode({"csrf_token": token}).encode()
        request = (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\nCookie: {cookie}\r\n"
                   f"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {len(body)}\r\n\r\n").encode() + body
        with socket.create_connection(("127.0.0.1", port), timeout=120) as sock:
            barrier.wait()
            sock.sendall(request)
            chunks = []
            while chunk := sock.recv(65536):
                chunks.append(chunk)
        answer = b"".join(chunks).decode(errors="replace")
        status = int(answer.split(" ", 2)[1]) if answer.startswith("HTTP/") else 0
        answers[index] = (status, answer.partition("\r\n\r\n")[2])

    threads = [threading.Thread(target=run, args=(i, *session)) for i, session in enumerate(sessions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


# One database ---------------------------------------------------------------------------------


def _most_candidates(edition) -> tuple[Shift, list]:
    """Of the self sign-up shifts still to come, the one with the most candidates."""
    shifts = db.session.execute(select(Shift).join(Post, Post.id == Shift.post_id).where(
        Shift.edition_id == edition.id, Post.self_signup.is_(True), Shift.starts_at > clock.now())).scalars().all()
    best = None
    for shift in shifts:
        found = staffing.candidates(shift, limit=1000)
        if best is None or len(found) > len(best[1]):
            best = (shift, found)
    return best


def _signups(app, people: dict[int, str], skip_shift: int, signups: int, password: str):
    """Sign-ups one at a time through the page by volunteers signed in through the login form,
    a few each, on shifts their page offers with no rule broken; (timings, pages after, answers)."""
    timings, open_timings, answers_seen = [], [], Counter()
    for volunteer_id, email in sorted(people.items()):
        if len(timings) >= signups:
            break
        client = app.test_client()
        page = client.get("/login").get_data(as_text=True)
        client.post("/login", data={"email": email, "password": password, "csrf_token": _token(page)})
        token = None
        for _ in range(4):  # a few each: their own shifts make the next choice narrower
            if len(timings) >= signups:
                break
            with app.app_context():
                offered = [o.shift.id for o in staffing.open_shifts(db.session.get(Volunteer, volunteer_id), clock.now())
                           if not o.conflicts and o.shift.id != skip_shift]
                db.session.remove()
            if not offered:
                break
            if token is None:
                token = _token(client.get("/volunteer/2023/me/shifts/open").get_data(as_text=True))
            url = f"/volunteer/2023/me/shifts/{offered[len(timings) % len(offered)]}/sign-up"
            began = time.perf_counter()
            answer = client.post(url, data={"csrf_token": token})
            timings.append((time.perf_counter() - began) * 1000)
            answers_seen[answer.status_code] += 1
            began = time.perf_counter()
            client.get(answer.headers.get("Location", "/volunteer/2023/me/shifts/open"))
            open_timings.append((time.perf_counter() - began) * 1000)
    return timings, open_timings, answers_seen


def measure(database_url: str, label: str, signups: int) -> dict:
    clock.freeze(datetime.fromisoformat(NOW))
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "INSTANCE_DIR": FOLDER, "PII_KEY": PII_KEY,
                      "SECRET_KEY": SECRET_KEY, "RATELIMIT_ENABLED": False, "TESTING": False, "MAIL_BACKEND": "file",
                      "HUEY_IMMEDIATE": False, "CONFERENCE_NOW": None})
    clock.freeze(datetime.fromisoformat(NOW))  # create_app set the clock from the environment
    password = app.config["DEMO_PASSWORD"]
    started = time.perf_counter()
    with app.app_context():
        flask_migrate.upgrade()
        if not database_is_empty():
            raise RuntimeError("the benchmark needs an empty database; it loads the demo edition itself")
        load_demo()
        db.session.commit()
        edition = get_edition(2023)
        busiest = staffing.busiest_day(edition)
        accepted = db.session.execute(select(Volunteer.id).where(Volunteer.edition_id == edition.id,
                                                                 Volunteer.status == "accepted")).scalars().all()
        shift_count = db.session.execute(select(Shift.id).where(Shift.edition_id == edition.id)).scalars().all()
        db.session.remove()
    prepared = time.perf_counter() - started
    gc.collect()
    gc.freeze()
    load = os.getloadavg()[0]

    # The coverage page of the busiest day, as the organizer.
    organizer = app.test_client()
    page = organizer.get("/login").get_data(as_text=True)
    organizer.post("/login", data={"email": "organizer@example.org", "password": password, "csrf_token": _token(page)})
    coverage_url = f"/editions/2023/volunteers/coverage?day={busiest.isoformat()}"
    if organizer.get(coverage_url).status_code != 200:
        raise RuntimeError("the coverage page did not answer 200")
    coverage_ms = _median_ms(lambda: organizer.get(coverage_url))

    # Ranked candidates of the understaffed shift with the most of them, nothing loaded before.
    with app.app_context():
        edition = get_edition(2023)
        target, ranked = _most_candidates(edition)
        target_id, target_label = target.id, f"{target.post.code} {target.starts_at:%m-%d %H:%M}Z"
        missing = target.needed - target.taken
        db.session.remove()

        def rank():
            db.session.remove()
            shift = db.session.get(Shift, target_id)
            began = time.perf_counter()
            staffing.candidates(shift)
            return (time.perf_counter() - began) * 1000

        rank()
        candidates_ms = statistics.median(rank() for _ in range(5))

        # The burst: the shift gets exactly FREE places left; BURST of its candidates race.
        shift = db.session.get(Shift, target_id)
        racers = [c.volunteer.id for c in staffing.candidates(shift, limit=1000)][:BURST]
        emails = _emails(racers)
        shift.needed = shift.taken + FREE
        needed = shift.needed
        db.session.commit()
        db.session.remove()
    if len(emails) < BURST:
        raise RuntimeError(f"only {len(emails)} candidates with accounts for the burst")
    with Server(database_url) as server:
        sessions = [_signed_in(server.port, emails[v], password) for v in racers]
        answers = _burst(server.port, target_id, sessions)
    statuses = Counter(status for status, _body in answers)
    told_full = sum(1 for status, body in answers if status == 409 and FULL in body)
    with app.app_context():
        taken = db.session.get(Shift, target_id).taken
        db.session.remove()
    burst_exact = statuses[303] == FREE and told_full == BURST - FREE and taken == needed

    # Sign-ups one at a time through the page, each on a shift the page offers with no rule broken.
    with app.app_context():
        people = _emails([v for v in accepted if v not in set(racers)])
        db.session.remove()
    timings, open_timings, answers_seen = _signups(app, people, target_id, signups, password)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    gc.unfreeze()
    ordered = sorted(timings)
    return {
        "label": label, "database": database_url.split("@")[-1], "prepared_s": prepared, "load": load,
        "volunteers": len(accepted), "shifts": len(shift_count), "busiest": busiest.isoformat(),
        "coverage_page_ms": coverage_ms, "candidates_ms": candidates_ms, "target": target_label, "missing": missing,
        "ranked": len(ranked), "burst_statuses": statuses, "told_full": told_full, "taken": taken, "needed": needed,
        "burst_exact": burst_exact, "signups": len(timings), "signup_statuses": answers_seen,
        "signup_p50_ms": statistics.median(ordered) if ordered else None,
        "signup_p95_ms": ordered[max(0, round(0.95 * len(ordered)) - 1)] if ordered else None,
        "signup_max_ms": ordered[-1] if ordered else None,
        "open_page_ms": statistics.median(open_timings) if open_timings else None,
    }


def report(found: dict) -> None:
    print(f"{found['label']}: {found['database']}; demo loaded in {found['prepared_s']:.1f} s; {found['volunteers']} "
          f"accepted volunteers, {found['shifts']} shifts; load average before {found['load']:.2f} on {os.cpu_count()} cores")
    print(f"{'measure':<58}{'value':>10}  goal")
    rows = [
        (f"sign-up through the page, p95 of {found['signups']} (ms)", found["signup_p95_ms"], "≤ 100"),
        ("  p50 (ms)", found["signup_p50_ms"], ""),
        ("  slowest (ms)", found["signup_max_ms"], ""),
        ("  the sign-up page shown after, median (ms)", found["open_page_ms"], ""),
        (f"coverage page of the busiest day {found['busiest']}, median (ms)", found["coverage_page_ms"], "≤ 300"),
        (f"ranked candidates of {found['target']}, median (ms)", found["candidates_ms"], "≤ 200"),
    ]
    for name, value, goal in rows:
        print(f"{name:<58}{'null' if value is None else f'{value:.1f}':>10}  {goal}")
    print(f"  sign-up answers: {dict(found['signup_statuses'])}; {found['ranked']} candidates, {found['missing']} places missing")
    print(f"burst: {BURST} volunteers at once for the last {FREE} places on gunicorn -w 2 (the project's sync worker): answers "
          f"{dict(found['burst_statuses'])}, {found['told_full']} told it is full; taken {found['taken']} of "
          f"{found['needed']}: burst_exact {str(found['burst_exact']).lower()}")
    met = (found["signup_p95_ms"] is not None and found["signup_p95_ms"] <= 100 and found["coverage_page_ms"] <= 300
           and found["candidates_ms"] <= 200 and found["burst_exact"])
    print(f"goals: {'met' if met else 'NOT met'}")
    print()


KEYS = ("signup_p95_ms", "coverage_page_ms", "candidates_ms", "burst_exact")


def _summary(found: dict | None) -> dict:
    if found is None:
        return dict.fromkeys(KEYS)
    return {key: found[key] if key == "burst_exact" or found[key] is None else round(found[key], 1) for key in KEYS}


def _postgres_elsewhere(args) -> dict | None:
    script = ROOT / "scripts" / "with-postgres.sh"
    if not script.exists() or not shutil.which("pg_lsclusters"):
        print("PostgreSQL: not reachable (no --pg-url, BENCH_DATABASE_URL, TEST_DATABASE_URL or local cluster)\n")
        return None
    command = ["bash", str(script), sys.executable, str(Path(__file__).resolve()), "--pg-only", "--signups", str(args.signups)]
    child = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=1800, check=False)
    lines = child.stdout.strip().splitlines()
    ours = next((index for index, line in enumerate(lines) if line.startswith("PostgreSQL:")), len(lines))
    print("\n".join(lines[ours:-1]))
    try:
        return json.loads(lines[-1]) if child.returncode == 0 and lines else None
    except ValueError:
        return None
    finally:
        if child.returncode != 0:
            print(f"PostgreSQL: scripts/with-postgres.sh failed ({child.stderr.strip()[-300:]})\n")


def _postgres_here(args) -> dict | None:
    try:
        found = measure(args.pg_url, "PostgreSQL", args.signups)
    except (RuntimeError, OSError, SQLAlchemyError) as error:
        print(f"PostgreSQL: {args.pg_url.split('@')[-1]}: {str(error).splitlines()[0]}\n")
        return None
    report(found)
    return _summary(found)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--signups", type=int, default=200)
    parser.add_argument("--pg-url", default=os.environ.get("BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL"),
                        help="an empty PostgreSQL database (default: BENCH_DATABASE_URL, TEST_DATABASE_URL)")
    parser.add_argument("--no-pg", action="store_true", help="SQLite only")
    parser.add_argument("--pg-only", action="store_true", help=argparse.SUPPRESS)  # under with-postgres.sh
    args = parser.parse_args()
    began = time.perf_counter()
    sqlite = postgres = None
    try:
        if not args.pg_only:
            with tempfile.TemporaryDirectory(dir=FOLDER) as folder:
                sqlite = measure(f"sqlite:///{folder}/bench.db", "SQLite", args.signups)
            report(sqlite)
        if args.pg_url and not args.no_pg:
            postgres = _postgres_here(args)
        elif not args.no_pg and not args.pg_only:
            postgres = _postgres_elsewhere(args)
        elif args.no_pg:
            print("PostgreSQL: skipped (--no-pg)\n")
    finally:
        shutil.rmtree(FOLDER, ignore_errors=True)
    if args.pg_only:
        print(json.dumps(postgres))
        return
    print(f"total run time: {time.perf_counter() - began:.0f} s")
    pg = postgres or _summary(None)
    print(json.dumps(_summary(sqlite) | {f"pg_{key}": value for key, value in pg.items()}))


if __name__ == "__main__":
    main()
