"""How many badge scans the check-in API answers, measured against the app's cheapest endpoint.

    .venv/bin/python benchmarks/checkin.py [--requests 3000] [--clients 32] [--rounds 3]
                                           [--pg-url URL | --no-pg]

For each database (SQLite, then PostgreSQL when one is reachable):

1. A fresh database is migrated and the demo edition loaded (≈3,000 people with badges); a
   scanner is paired with the rehearsal desk DEMO-DESK (entries, everyone, re-entry allowed).
2. gunicorn serves the app with exactly 2 sync workers (CONFERENCE_ENV=production, rate limits
   off). A load generator in this process keeps 32 requests in flight over loopback. A sync
   worker closes the connection after each answer, so each client opens the next one at once:
   the load is the same for both endpoints, and the generator's own CPU time is printed.
3. Three back-to-back pairs of bounded rounds: POST /api/v1/checkin/scans with every badge once
   (distinct badges in a shuffled order, a fresh client_scan_id each; the desk's presences are
   cleared before each round, so every scan is an admission), then as many GET /api/v1/hello.
   Throughputs and their ratio are the medians of the three pairs; p50/p99 latency is over all
   scans of the three rounds, from connecting to the last byte of the answer. Any answer that
   is not 2xx (or a refused connection), warm-up included, is counted; there must be none.
   "client CPU" is the load generator's CPU time as a share of one core (scan round/hello round).
4. Who is inside, in process: scans are added until 100,000 are recorded and every badge gets a
   presence in every area (inside or not); then `services.inside_now` of the desk's area is timed.

PostgreSQL: --pg-url, BENCH_DATABASE_URL or TEST_DATABASE_URL (an empty database); otherwise
this script runs itself again under scripts/with-postgres.sh (local cluster, throwaway database).
Goal: scans ≥ 0.5 × hello on SQLite, ≥ 0.3 × on PostgreSQL, p99 < 50 ms, no non-2xx answers.
The last line is JSON with scan_per_s, hello_per_s, ratio, pg_ratio, p50_ms, p99_ms,
inside_count_ms (SQLite) and the same measures for PostgreSQL prefixed pg_ (null when absent).
"""

import argparse
import base64
import errno
import gc
import json
import os
import random
import secrets
import selectors
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
# The job queue and the personal-data key live beside the benchmark's database.
FOLDER = tempfile.mkdtemp(prefix="bench-checkin-")
os.environ["INSTANCE_PATH"] = FOLDER
# One key for this process and the gunicorn workers: the badges' signing key is sealed with it.
PII_KEY = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()

import flask_migrate  # noqa: E402
from sqlalchemy import delete, func, insert, select  # noqa: E402
from sqlalchemy.dialects import postgresql, sqlite  # noqa: E402
from sqlalchemy.exc import SQLAlchemyError  # noqa: E402
from sqlalchemy.orm import selectinload  # noqa: E402

from benchmarks.common import percentile, top_up_badges  # noqa: E402
from conference import create_app  # noqa: E402
from conference.badges import services as badges  # noqa: E402
from conference.badges.models import Badge  # noqa: E402
from conference.checkin import services  # noqa: E402
from conference.checkin.models import Presence, Scan  # noqa: E402
from conference.core.demo import database_is_empty, load_demo  # noqa: E402
from conference.editions.services import get_edition  # noqa: E402
from conference.extensions import db  # noqa: E402
from conference.venues.models import Checkpoint, Venue  # noqa: E402
from conference.venues.services import checkpoint_by_code  # noqa: E402

BADGES = 3000
SCANS_RECORDED = 100_000
HELLO = "/api/v1/hello"
SCANS = "/api/v1/checkin/scans"


# The load generator ---------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _request(port: int, method: str, path: str, body: bytes = b"", headers: dict | None = None) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{port}", "Connection: close", "Accept: application/json"]
    lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
    if method == "POST":
        lines += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def drive(port: int, requests: list[bytes], clients: int) -> dict:
    """Send every request, `clients` at a time, from one thread with non-blocking sockets (cheaper
    for the 2 cores the server also needs than 32 threads). An answer ends when the server closes
    the connection, as a sync worker does; the next request then goes out on a new connection."""
    selector = selectors.DefaultSelector()
    pending = iter(enumerate(requests))
    answers: list[bytes | None] = [None] * len(requests)
    latencies = [0.0] * len(requests)
    errors = Counter()
    in_flight = 0

    def start() -> None:
        nonlocal in_flight
        item = next(pending, None)
        if item is None:
            return
        index, data = item
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setblocking(False)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        began = time.perf_counter()
        code = sock.connect_ex(("127.0.0.1", port))
        if code not in (0, errno.EINPROGRESS):
            errors[errno.errorcode.get(code, str(code))] += 1
            sock.close()
            answers[index] = b""
            start()
            return
        selector.register(sock, selectors.EVENT_WRITE, [index, data, began, []])
        in_flight += 1

    def finish(sock, state, failure: str | None = None) -> None:
        nonlocal in_flight
        index, _data, began, chunks = state
        latencies[index] = time.perf_counter() - began
        answers[index] = b"".join(chunks)
        if failure:
            errors[failure] += 1
        selector.unregister(sock)
        sock.close()
        in_flight -= 1
        start()

    cpu, wall = time.process_time(), time.perf_counter()
    for _ in range(clients):
        start()
    while in_flight:
        events = selector.select(timeout=60)
        if not events:
            raise RuntimeError("no answer for 60 s")
        for key, mask in events:
            sock, state = key.fileobj, key.data
            try:
                if mask & selectors.EVENT_WRITE:
                    failure = sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                    if failure:
                        finish(sock, state, errno.errorcode.get(failure, str(failure)))
                        continue
                    sock.sendall(state[1])  # well under one socket buffer
                    selector.modify(sock, selectors.EVENT_READ, state)
                else:
                    chunk = sock.recv(65536)
                    if chunk:
                        state[3].append(chunk)
                    else:
                        finish(sock, state)
            except OSError as error:
                finish(sock, state, errno.errorcode.get(error.errno or 0, type(error).__name__))
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    selector.close()
    statuses = Counter()
    for answer in answers:
        status = answer.split(b" ", 2)[1].decode() if answer and answer.startswith(b"HTTP/") else "none"
        statuses[status] += 1
    bad = sum(count for status, count in statuses.items() if not status.startswith("2"))
    return {"per_s": len(requests) / wall, "wall": wall, "client_cpu": cpu / wall, "latencies": latencies,
            "statuses": statuses, "bad": bad, "errors": errors, "answers": answers}


def _results(answers: list[bytes]) -> Counter:
    found = Counter()
    for answer in answers:
        _head, _blank, body = answer.partition(b"\r\n\r\n")
        try:
            found[json.loads(body).get("result", "?")] += 1
        except ValueError:
            found["unreadable"] += 1
    return found


# The server -----------------------------------------------------------------------------------


class Server:
    """gunicorn with 2 sync workers, configured as in production."""

    def __init__(self, database_url: str):
        self.port = _free_port()
        # Production's sync worker (conference/core/server.py) with gunicorn's other defaults, not
        # the project's gunicorn.conf.py (which gunicorn reads from the working folder by itself):
        # its worker count is the machine's, and it replaces workers in the middle of rounds.
        settings = Path(FOLDER) / "gunicorn_bench.py"
        settings.write_text("# gunicorn's defaults: no access log\n")
        env = {**os.environ, "CONFERENCE_ENV": "production", "DATABASE_URL": database_url, "INSTANCE_PATH": FOLDER,
               "SECRET_KEY": secrets.token_hex(32), "PII_KEY": PII_KEY, "RATELIMIT_ENABLED": "false",
               "MAIL_BACKEND": "file", "PUBLIC_URL": f"http://127.0.0.1:{self.port}"}
        self.process = subprocess.Popen(
            [str(Path(sys.executable).with_name("gunicorn")), "-c", str(settings), "-w", "2",
             "-k", "conference.core.server.SyncWorker", "-b", f"127.0.0.1:{self.port}", "--log-level", "warning",
             "wsgi:app"], cwd=ROOT, env=env,
        )

    def __enter__(self) -> "Server":
        for _ in range(300):  # the workers, at most 30 s
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


# One database ---------------------------------------------------------------------------------


def _clear_desk(app, area: str) -> None:
    with app.app_context():
        db.session.execute(delete(Presence).where(Presence.area == area))
        db.session.commit()
        db.session.remove()


def _record_history(edition, badge_ids: list[int], rng: random.Random) -> tuple[int, int]:
    """Scans until SCANS_RECORDED are recorded, and a presence of every badge in every area."""
    checkpoints = list(db.session.execute(select(Checkpoint).join(Venue).where(Venue.edition_id == edition.id)).scalars())
    areas = sorted({services.area_of(checkpoint) for checkpoint in checkpoints})
    missing = SCANS_RECORDED - db.session.execute(select(func.count(Scan.id))).scalar_one()
    start = datetime(2023, 7, 18, 0, 0, tzinfo=UTC)
    results = ["admitted"] * 80 + ["already_inside"] * 12 + ["not_allowed_here"] * 5 + ["invalid"] * 2 + ["revoked"]
    rows = []
    for serial in range(missing):
        at = start + timedelta(seconds=rng.randint(0, 3 * 24 * 3600))
        checkpoint = rng.choice(checkpoints)
        result = rng.choice(results)
        rows.append({"edition_id": edition.id, "checkpoint_id": checkpoint.id, "client_scan_id": f"history-{serial}",
                     "device": "bench", "kind": "entry", "badge_id": None if result == "invalid" else rng.choice(badge_ids),
                     "result": result, "why": "" if result in ("admitted", "already_inside") else "zone",
                     "reason": "", "scanned_at": at, "received_at": at + timedelta(seconds=rng.randint(0, 5)),
                     "conflict": False})
        if len(rows) == 5000:
            db.session.execute(insert(Scan.__table__), rows)
            rows = []
    if rows:
        db.session.execute(insert(Scan.__table__), rows)
    table = Presence.__table__
    dialect_insert = postgresql.insert if db.engine.dialect.name == "postgresql" else sqlite.insert
    statement = dialect_insert(table)
    statement = statement.on_conflict_do_update(index_elements=[table.c.badge_id, table.c.area],
                                                set_={"inside": statement.excluded.inside})
    now = datetime.now(UTC)
    for area in areas:
        db.session.execute(statement, [{"badge_id": badge_id, "area": area, "inside": rng.random() < 0.6,
                                        "entries": 1, "changed_at": now} for badge_id in badge_ids])
    db.session.commit()
    return db.session.execute(select(func.count(Scan.id))).scalar_one(), len(areas)


def measure(database_url: str, label: str, requests: int, clients: int, rounds: int) -> dict:
    rng = random.Random(2023)
    services.forget_gates()
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "INSTANCE_DIR": FOLDER, "PII_KEY": PII_KEY,
                      "RATELIMIT_ENABLED": False, "TESTING": False, "MAIL_BACKEND": "file", "HUEY_IMMEDIATE": False})
    started = time.perf_counter()
    with app.app_context():
        flask_migrate.upgrade()
        if not database_is_empty():
            raise RuntimeError("the benchmark needs an empty database; it loads the demo edition itself")
        load_demo()
        db.session.commit()
        edition = get_edition(2023)
        desk = checkpoint_by_code(edition, "DEMO-DESK")
        area = services.area_of(desk)
        top_up_badges(edition, BADGES)
        _device, token = services.pair_now(desk, "bench")
        db.session.commit()
        key, zones = badges.private_key(edition), badges.zones_of(edition)
        found = db.session.execute(select(Badge).options(selectinload(Badge.person))
                                   .where(Badge.edition_id == edition.id).order_by(Badge.id)).scalars().all()
        payloads = [badges.payload(badge, key, zones) for badge in found]
        badges.record_printing(found)  # the badges scanned are printed ones
        db.session.commit()
        badge_ids = [badge.id for badge in found]
        db.session.remove()
        db.engine.dispose()
    prepared = time.perf_counter() - started
    requests = min(requests, len(payloads))

    runs = []
    # The load generator's own full collections would stall every answer in flight, and the
    # demo loaded above left it hundreds of thousands of objects to walk: what is made so far
    # stays out of its collector, so that latency is the server's.
    gc.collect()
    gc.freeze()
    load = os.getloadavg()[0]  # other work on the machine skews every number below
    with Server(database_url) as server:
        hello = _request(server.port, "GET", HELLO)
        auth = {"Authorization": f"Bearer {token}"}

        def scan_requests(tag: str, count: int) -> list[bytes]:
            order = rng.sample(range(len(payloads)), count)
            moment = datetime.now(UTC).isoformat()
            return [_request(server.port, "POST", SCANS, json.dumps({
                "payload": payloads[index], "client_scan_id": f"bench-{tag}-{serial}", "scanned_at": moment,
                "kind": "entry"}).encode(), auth) for serial, index in enumerate(order)]

        warm = [drive(server.port, scan_requests("warm", 200), clients), drive(server.port, [hello] * 200, clients)]
        for number in range(1, rounds + 1):
            batch = scan_requests(f"r{number}", requests)
            _clear_desk(app, area)
            scan = drive(server.port, batch, clients)
            runs.append((scan, drive(server.port, [hello] * requests, clients)))
            with app.app_context():
                scan["inside"] = services.inside_now(area)
                db.session.remove()
    with app.app_context():
        recorded, areas = _record_history(get_edition(2023), badge_ids, rng)
        for _ in range(3):
            services.inside_now(area)
        samples = []
        for _ in range(20):
            began = time.perf_counter()
            inside = services.inside_now(area)
            samples.append((time.perf_counter() - began) * 1000)
        db.session.remove()
        db.engine.dispose()

    latencies = sorted(latency * 1000 for scan, _hello in runs for latency in scan["latencies"])
    return {
        "label": label, "database": database_url.split("@")[-1], "badges": len(payloads), "prepared_s": prepared,
        "requests": requests, "clients": clients, "runs": runs, "load": load, "warm": warm,
        "scan_per_s": statistics.median(scan["per_s"] for scan, _hello in runs),
        "hello_per_s": statistics.median(hello["per_s"] for _scan, hello in runs),
        "ratio": statistics.median(scan["per_s"] / hello["per_s"] for scan, hello in runs),
        "p50_ms": statistics.median(latencies), "p99_ms": percentile(latencies, 0.99), "max_ms": latencies[-1],
        "non_2xx": sum(scan["bad"] + hello["bad"] for scan, hello in runs) + sum(run["bad"] for run in warm),
        "inside_count_ms": statistics.median(samples), "inside": inside, "scans_recorded": recorded, "areas": areas,
    }


def report(found: dict) -> None:
    goal = 0.5 if found["label"] == "SQLite" else 0.3
    print(f"{found['label']}: {found['database']}; {found['badges']} badges; demo loaded in {found['prepared_s']:.1f} s; "
          f"gunicorn -w 2, the project's sync worker; {found['clients']} clients; {found['requests']} requests a round; "
          f"load average before {found['load']:.2f} on {os.cpu_count()} cores")
    print(f"{'round':<8}{'scans/s':>10}{'hello/s':>10}{'ratio':>8}{'p50 ms':>9}{'p99 ms':>9}{'non-2xx':>9}"
          f"{'client CPU':>12}  scan results")
    for number, (scan, hello) in enumerate(found["runs"], 1):
        ordered = sorted(latency * 1000 for latency in scan["latencies"])
        results = ", ".join(f"{name} {count}" for name, count in _results(scan["answers"]).most_common())
        print(f"{number:<8}{scan['per_s']:>10.1f}{hello['per_s']:>10.1f}{scan['per_s'] / hello['per_s']:>8.3f}"
              f"{statistics.median(ordered):>9.2f}{percentile(ordered, 0.99):>9.2f}{scan['bad'] + hello['bad']:>9}"
              f"{scan['client_cpu']:>6.0%}/{hello['client_cpu']:<5.0%}  {results}; {scan['inside']} inside")
        for name, run in (("scan", scan), ("hello", hello), *(("warm-up", run) for run in found["warm"] if number == 1)):
            if run["bad"] or run["errors"]:
                print(f"        {name}: statuses {dict(run['statuses'])}, connection errors {dict(run['errors'])}")
    print(f"{'median':<8}{found['scan_per_s']:>10.1f}{found['hello_per_s']:>10.1f}{found['ratio']:>8.3f}"
          f"{found['p50_ms']:>9.2f}{found['p99_ms']:>9.2f}{found['non_2xx']:>9}   (latency over all scan rounds; max "
          f"{found['max_ms']:.1f} ms)")
    verdict = "met" if found["ratio"] >= goal and found["p99_ms"] < 50 and found["non_2xx"] == 0 else "NOT met"
    print(f"goal (ratio ≥ {goal}, p99 < 50 ms, no non-2xx): {verdict}")
    print(f"who is inside ({found['inside']} of {found['badges']}; {found['scans_recorded']:,} scans recorded, "
          f"presences in {found['areas']} areas): {found['inside_count_ms']:.2f} ms (median of 20)")
    print()


def _summary(found: dict | None) -> dict:
    keys = ("scan_per_s", "hello_per_s", "ratio", "p50_ms", "p99_ms", "inside_count_ms", "non_2xx")
    if found is None:
        return dict.fromkeys(keys)
    return {key: round(found[key], 3 if key == "ratio" else 2) for key in keys}


def _postgres_elsewhere(args) -> dict | None:
    """Run the PostgreSQL half under scripts/with-postgres.sh; None when that cannot work."""
    script = ROOT / "scripts" / "with-postgres.sh"
    if not script.exists() or not shutil.which("pg_lsclusters"):
        print("PostgreSQL: not reachable (no --pg-url, BENCH_DATABASE_URL, TEST_DATABASE_URL or local cluster); "
              "pg_ratio is null\n")
        return None
    command = ["bash", str(script), sys.executable, str(Path(__file__).resolve()), "--pg-only",
               "--requests", str(args.requests), "--clients", str(args.clients), "--rounds", str(args.rounds)]
    child = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600, check=False)
    lines = child.stdout.strip().splitlines()
    ours = next((index for index, line in enumerate(lines) if line.startswith("PostgreSQL:")), len(lines))
    print("\n".join(lines[ours:-1]))  # without the cluster's own messages, nor the child's JSON
    try:
        return json.loads(lines[-1]) if child.returncode == 0 and lines else None
    except ValueError:
        return None
    finally:
        if child.returncode != 0:
            print(f"PostgreSQL: scripts/with-postgres.sh failed ({child.stderr.strip()[-300:]}); pg_ratio is null\n")


def _postgres_here(args) -> dict | None:
    try:
        found = measure(args.pg_url, "PostgreSQL", args.requests, args.clients, args.rounds)
    except (RuntimeError, OSError, SQLAlchemyError) as error:
        print(f"PostgreSQL: {args.pg_url.split('@')[-1]}: {str(error).splitlines()[0]}; pg_ratio is null\n")
        return None
    report(found)
    return _summary(found)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=BADGES, help="requests a round (at most one per badge)")
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=3)
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
                sqlite = measure(f"sqlite:///{folder}/bench.db", "SQLite", args.requests, args.clients, args.rounds)
            report(sqlite)
        if args.pg_url and not args.no_pg:
            postgres = _postgres_here(args)
        elif not args.no_pg and not args.pg_only:
            postgres = _postgres_elsewhere(args)
        elif args.no_pg:
            print("PostgreSQL: skipped (--no-pg); pg_ratio is null\n")
    finally:
        shutil.rmtree(FOLDER, ignore_errors=True)
    if args.pg_only:
        print(json.dumps(postgres))
        return
    print(f"total run time: {time.perf_counter() - began:.0f} s")
    result = _summary(sqlite)
    pg = postgres or _summary(None)
    result |= {"pg_ratio": pg["ratio"]} | {f"pg_{key}": value for key, value in pg.items() if key != "ratio"}
    print(json.dumps(result))


if __name__ == "__main__":
    main()
