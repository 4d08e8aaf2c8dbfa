"""Registration opening and check-in at once, through nginx, against the production arrangement
(`make stack`): paced, under faults, and the highest rate each load bears.

    .venv/bin/python benchmarks/stack.py [--registrations 3000] [--registration-rate 50]
                                         [--scans 3000] [--scan-rate 50] [--no-search]

Uses the stack of scripts/stack.sh when it runs (STACK_DIR, instance/stack); otherwise installs
what it needs (scripts/system-packages.sh stack, as `make stack` does), starts one and stops it at
the end. Every request goes over TLS to nginx from a loopback source address of
the run's own pool (127.<run>.x.y, bound before connecting), on a connection the same address
left open if one is idle, otherwise a new one: nginx passes the address on as X-Forwarded-For, so
the app's per-address limits hold (REGISTRATION_RATE_LIMIT, 20 a minute: each address registers
at most 15 times in a run), and a 429 counts as an error. Before each run the stack is given up
to two minutes to finish what the last one left (/readyz answering within half a second).

1. Prepared in this process, on the stack's database: the demo's media category open now, one
   sub-forum with 1,000 free seats (taken + 1,000) before each run so that every run races for
   them, 3,000 printed badges, 20 scanners paired at the rehearsal desk (every category, any
   time), whose presences are cleared before each run so that each scan is an admission.
2. Open loop: 3,000 registrations (POST /api/v1/editions/2023/registrations, the journalist's
   form with the sub-forum) scheduled at 50 a second, dealt round-robin to 50 clients, while
   the 20 scanners send 3,000 scans (POST /api/v1/checkin/scans, each badge once) at 50 a
   second in all. Each request leaves at its scheduled time whatever is still in flight;
   latency runs from that time to the answer's last byte (a retry included). Every request has
   30 s; each run ends at most 60 s after its last scheduled send.
3. The same twice more, clients retrying a failed request (no answer, 5xx) once after 1 s: with
   app node 1 killed (SIGKILL to its gunicorn master and workers, by PID) halfway, nginx sending
   to node 2; then, node 1 started again, with PostgreSQL restarted (`pg_ctl restart -m fast`)
   halfway.
4. Capacity: each load alone, 10 s at a paced rate, from 50 a second up by half each step while
   its p99 stays under the goal with no error, then halfway between the last rate that held and
   the first that did not, twice (at most 8 runs a load).

After each run the answers are compared with the database: lost = registrations answered 201 or
scans answered 200 that are not there; doubled = seats confirmed beyond the sub-forum's seats or
not matching its count of seats taken, identity documents registered twice, badges admitted
twice at the desk in the run. errors = answers that are 5xx or 429, and requests with no answer,
after the retry where there is one.

Goals (both loads at once, through nginx, on a 2-core machine): errors 0, lost 0, doubled 0,
register_p99_ms ≤ 300, scan_p99_ms ≤ 100; with a node killed: fault_lost 0, doubled 0,
fault_errors under 1 % of the requests. The last line is JSON: registrations_per_s,
register_p99_ms, scan_per_s, scan_p99_ms, max_registrations_per_s, max_scans_per_s, errors, lost,
doubled, fault_errors, fault_lost, and the PostgreSQL restart's pg_restart_errors and
pg_restart_lost.
"""

import argparse
import asyncio
import gc
import json
import math
import os
import random
import signal
import ssl
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
STACK = ROOT / "scripts" / "stack.sh"
STACK_DIR = Path(os.environ.get("STACK_DIR", ROOT / "instance" / "stack"))

REGISTER_GOAL_MS, SCAN_GOAL_MS = 300, 100
SEATS = 1000
SCANNERS, CLIENTS = 20, 50
PER_ADDRESS = 15  # registrations from one address in a run: under the 20 a minute allowed
REQUEST_TIMEOUT, RETRY_AFTER, RUN_GRACE = 30.0, 1.0, 60.0
SEARCH_SECONDS, SEARCH_RUNS = 10, 8
FIRST_SERIAL = 200_000  # identity numbers of 1972 on (benchmarks.common.resident_id)
REGISTRATIONS = "/api/v1/editions/2023/registrations"
SCANS = "/api/v1/checkin/scans"


# The stack ---------------------------------------------------------------------------------------


def settings() -> dict[str, str]:
    found = {}
    for line in (STACK_DIR / "stack.env").read_text().splitlines():
        name, _, value = line.partition("=")
        found[name] = value
    return found


def alive(name: str) -> bool:
    pid_file = STACK_DIR / "run" / f"{name}.pid"
    try:
        os.kill(int(pid_file.read_text().split()[0]), 0)
    except (OSError, ValueError):
        return False
    return True


def stack(*command: str) -> None:
    subprocess.run(["/bin/bash", str(STACK), *command], check=True, timeout=600, env={**os.environ, "STACK_DIR": str(STACK_DIR)})


def kill_node(number: int) -> None:
    """SIGKILL to the node's gunicorn master and each of its workers, by PID: the node is gone
    at once, requests in its hands and all."""
    master = int((STACK_DIR / "run" / f"app{number}.pid").read_text().split()[0])
    workers = [int(pid) for task in Path(f"/proc/{master}/task").iterdir()
               for pid in (task / "children").read_text().split()]
    for pid in (master, *workers):
        os.kill(pid, signal.SIGKILL)


# The database, in this process -------------------------------------------------------------------


@dataclass
class Prepared:
    app: object
    session_id: int
    area: str
    tokens: list[str]
    payloads: list[str]
    last_serial: int  # of the registrations earlier runs made (benchmarks.common.form's numbers)


def prepare(found: dict[str, str]) -> Prepared:
    from sqlalchemy import select
    from sqlalchemy.orm import selectinload

    from benchmarks.common import form, top_up_badges
    from conference import create_app
    from conference.badges import services as badges
    from conference.badges.models import Badge
    from conference.checkin import services as checkin
    from conference.editions.services import get_edition
    from conference.extensions import db
    from conference.people.models import Person
    from conference.programme.models import Session
    from conference.registration.models import RegistrationCategory
    from conference.venues.services import checkpoint_by_code

    app = create_app({"SQLALCHEMY_DATABASE_URI": found["DATABASE_URL"], "PII_KEY": found["PII_KEY"],
                      "INSTANCE_DIR": found["INSTANCE_PATH"], "TESTING": False, "HUEY_IMMEDIATE": False,
                      "RATELIMIT_ENABLED": False, "MAIL_BACKEND": "file"})
    with app.app_context():
        edition = get_edition(2023)
        media = db.session.execute(select(RegistrationCategory).where(
            RegistrationCategory.edition_id == edition.id, RegistrationCategory.code == "media")).scalar_one()
        media.opens_at, media.closes_at = datetime.now(UTC) - timedelta(days=1), None
        session_id = db.session.execute(select(Session.id).where(Session.edition_id == edition.id, Session.number == 11)).scalar_one()
        desk = checkpoint_by_code(edition, "DEMO-DESK")
        top_up_badges(edition, SCANNERS * 150)
        tokens = [checkin.pair_now(desk, f"stack-bench-{number}")[1] for number in range(SCANNERS)]
        key, zones = badges.private_key(edition), badges.zones_of(edition)
        found_badges = db.session.execute(select(Badge).options(selectinload(Badge.person))
                                          .where(Badge.edition_id == edition.id).order_by(Badge.id)).scalars().all()
        payloads = [badges.payload(badge, key, zones) for badge in found_badges]
        badges.record_printing(found_badges)
        db.session.commit()
        # form(serial) registers 试<serial> of 基准测试报: the highest there is where this run goes on from.
        serials = db.session.execute(select(Person.given_name).where(
            Person.edition_id == edition.id, Person.organisation == form(0, None)["organisation"])).scalars()
        last_serial = max((int(name.removeprefix("试")) for name in serials), default=FIRST_SERIAL)
        prepared = Prepared(app, session_id, checkin.area_of(desk), tokens, payloads, max(last_serial, FIRST_SERIAL))
        db.session.remove()
    return prepared


def reset(prepared: Prepared) -> None:
    """Before a run: nobody inside at the desk, and SEATS seats free in the sub-forum."""
    from sqlalchemy import delete, update

    from conference.checkin.models import Presence
    from conference.extensions import db
    from conference.registration.models import SessionQuota

    with prepared.app.app_context():
        db.session.execute(delete(Presence).where(Presence.area == prepared.area))
        db.session.execute(update(SessionQuota).where(SessionQuota.session_id == prepared.session_id)
                           .values(seats=SessionQuota.taken + SEATS))
        db.session.commit()
        db.session.remove()


def compare(prepared: Prepared, run: "Run") -> dict[str, int]:
    """What the answers said against what the database holds."""
    from sqlalchemy import func, select

    from conference.checkin.models import Scan
    from conference.extensions import db
    from conference.registration.models import Registration, SeatBooking, SessionQuota

    registered = [answer["id"] for answer in run.acknowledged["register"]]
    scanned = {answer["client_scan_id"] for answer in run.acknowledged["scan"]}
    with prepared.app.app_context():
        found = set()
        for start in range(0, len(registered), 1000):
            found |= set(db.session.execute(select(Registration.id).where(Registration.id.in_(registered[start:start + 1000]))).scalars())
        recorded = set(db.session.execute(select(Scan.client_scan_id).where(Scan.client_scan_id.like(f"{run.tag}-%"))).scalars())
        confirmed = db.session.execute(select(func.count()).select_from(SeatBooking).where(
            SeatBooking.session_id == prepared.session_id, SeatBooking.status == "confirmed")).scalar_one()
        quota = db.session.execute(select(SessionQuota).where(SessionQuota.session_id == prepared.session_id)).scalar_one()
        documents_twice = db.session.execute(select(func.count()).select_from(
            select(Registration.document_index).group_by(Registration.edition_id, Registration.document_index)
            .having(func.count() > 1).subquery())).scalar_one()
        admitted_twice = db.session.execute(select(func.count()).select_from(
            select(Scan.badge_id).where(Scan.client_scan_id.like(f"{run.tag}-%"), Scan.result == "admitted")
            .group_by(Scan.badge_id).having(func.count() > 1).subquery())).scalar_one()
        db.session.remove()
    seats_doubled = max(0, confirmed - quota.seats) + abs(confirmed - quota.taken)
    return {"lost": len(set(registered) - found) + len(scanned - recorded),
            "doubled": seats_doubled + documents_twice + admitted_twice}


# The clients ----------------------------------------------------------------------------------------


@dataclass
class Request:
    load: str  # "register" or "scan"
    at: float  # seconds after the run's start
    source: str  # the loopback address it is sent from
    body: bytes
    token: str | None = None


@dataclass
class Run:
    tag: str
    requests: list[Request]
    retry: bool
    latencies: dict = field(default_factory=lambda: {"register": [], "scan": []})
    statuses: dict = field(default_factory=lambda: {"register": Counter(), "scan": Counter()})
    acknowledged: dict = field(default_factory=lambda: {"register": [], "scan": []})
    retried: Counter = field(default_factory=Counter)
    seconds: float = 0.0

    def errors(self, load: str | None = None) -> int:
        loads = [load] if load else ["register", "scan"]
        return sum(count for name in loads for status, count in self.statuses[name].items()
                   if status == "no answer" or status == 429 or status >= 500)

    def p99(self, load: str) -> float | None:
        from benchmarks.common import percentile

        ordered = sorted(self.latencies[load])
        return percentile(ordered, 0.99) if ordered else None

    def per_s(self, load: str) -> float:
        answered = len(self.latencies[load])
        return answered / self.seconds if self.seconds else 0.0


def addresses(block: int, count: int) -> list[str]:
    """`count` loopback addresses of their own for a run: 127.<block>.x.y."""
    return [f"127.{block}.{index // 250}.{index % 250 + 1}" for index in range(count)]


class Client:
    """HTTP/1.1 over TLS to nginx from given source addresses. A connection left open by an answer
    is kept for the next request from the same address (as a browser or a scanner keeps it); a
    request finding none idle opens another, so requests in flight are never capped."""

    def __init__(self, port: int, certificate: Path):
        self.port = port
        self.context = ssl.create_default_context(cafile=str(certificate))
        self.idle: dict[str, list] = {}

    def forget_connections(self) -> None:
        """After a run: none carried over to the next, which nginx may have closed meanwhile."""
        for connections in self.idle.values():
            for _reader, writer in connections:
                writer.transport.abort()
        self.idle = {}

    async def send(self, request: Request) -> tuple[int | str, bytes]:
        idle = self.idle.setdefault(request.source, [])
        if idle:
            reader, writer = idle.pop()
        else:
            reader, writer = await asyncio.open_connection(
                "127.0.0.1", self.port, ssl=self.context, server_hostname="127.0.0.1", local_addr=(request.source, 0))
        kept = False
        try:
            path = REGISTRATIONS if request.load == "register" else SCANS
            head = [f"POST {path} HTTP/1.1", f"Host: 127.0.0.1:{self.port}", "Content-Type: application/json",
                    "Accept-Language: en", f"Content-Length: {len(request.body)}"]
            if request.token:
                head.append(f"Authorization: Bearer {request.token}")
            writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + request.body)
            await writer.drain()
            header = await reader.readuntil(b"\r\n\r\n")
            status = int(header.split(b" ", 2)[1])
            fields = {name.strip().lower(): value.strip() for name, _, value in
                      (line.partition(b":") for line in header.split(b"\r\n")[1:] if line)}
            if b"content-length" in fields:
                body = await reader.readexactly(int(fields[b"content-length"]))
                kept = fields.get(b"connection", b"").lower() != b"close"
            else:
                body = await reader.read()
            return status, body
        finally:
            if kept:
                idle.append((reader, writer))
            else:
                writer.transport.abort()

    async def answer(self, request: Request) -> tuple[int | str, bytes]:
        try:
            return await asyncio.wait_for(self.send(request), REQUEST_TIMEOUT)
        except (TimeoutError, OSError, ssl.SSLError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError):
            return "no answer", b""


def failed(status: int | str) -> bool:
    return status == "no answer" or status >= 500


async def one(client: Client, run: Run, request: Request, scheduled: float) -> None:
    loop = asyncio.get_running_loop()
    status, body = await client.answer(request)
    if failed(status) and run.retry:
        run.retried[request.load] += 1
        await asyncio.sleep(RETRY_AFTER)
        status, body = await client.answer(request)
    if status != "no answer":
        run.latencies[request.load].append((loop.time() - scheduled) * 1000)
    run.statuses[request.load][status] += 1
    if status in (200, 201):
        answer = json.loads(body)
        if request.load == "scan":
            answer["client_scan_id"] = json.loads(request.body)["client_scan_id"]
        run.acknowledged[request.load].append(answer)


async def paced(client: Client, run: Run, fault=None) -> None:
    """Each request leaves at its time, whatever is in flight; `fault` runs halfway through."""
    loop = asyncio.get_running_loop()
    requests = sorted(run.requests, key=lambda r: r.at)
    last = requests[-1].at if requests else 0.0
    began = loop.time() + 0.5
    tasks = {}
    if fault is not None:
        async def halfway():
            await asyncio.sleep(max(0.0, began + last / 2 - loop.time()))
            await loop.run_in_executor(None, fault)
        tasks[asyncio.create_task(halfway())] = None
    for request in requests:
        delay = began + request.at - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks[asyncio.create_task(one(client, run, request, began + request.at))] = request.load
    _done, pending = await asyncio.wait(tasks, timeout=max(0.0, began + last + RUN_GRACE - loop.time()))
    for task in pending:
        task.cancel()
        if tasks[task]:
            run.statuses[tasks[task]]["no answer"] += 1
    run.seconds = loop.time() - began
    client.forget_connections()  # they belong to this event loop, which ends with the run


class Schedule:
    """Requests of both loads, each registration with an identity number of its own."""

    def __init__(self, prepared: Prepared, rng: random.Random):
        self.prepared, self.rng = prepared, rng
        # Numbers and scan ids no earlier run on this database used.
        self.serial = prepared.last_serial
        self.stamp = f"{int(time.time())}"
        self.block = 0

    def run(self, tag: str, registrations: int, registration_rate: float, scans: int, scan_rate: float,
            retry: bool = False) -> Run:
        from benchmarks.common import form

        self.block += 1
        pool = addresses(self.block, max(150, math.ceil(registrations / PER_ADDRESS)) + SCANNERS)
        scanners, sources = pool[:SCANNERS], pool[SCANNERS:]
        requests = []
        for number in range(registrations):
            self.serial += 1
            if self.serial % 100_000 >= 84_000:  # resident_id repeats itself beyond: the next block
                self.serial += 100_000 - self.serial % 100_000
            data = form(self.serial, None)
            body = {key: data[key] for key in ("category", "family_name", "given_name", "organisation", "title",
                                               "email", "phone", "id_type", "id_number")}
            body |= {"consents": {"privacy_notice": 1, "identity_document": 1}, "sessions": [self.prepared.session_id]}
            client = number % CLIENTS  # 50 clients, each one's requests from its own addresses in turn
            source = sources[(client + CLIENTS * (number // CLIENTS)) % len(sources)]
            requests.append(Request("register", number / registration_rate, source, json.dumps(body).encode()))
        moment = datetime.now(UTC).isoformat()
        for number, index in enumerate(self.rng.sample(range(len(self.prepared.payloads)), scans)):
            scanner = number % SCANNERS
            body = {"payload": self.prepared.payloads[index], "client_scan_id": f"{self.stamp}-{tag}-{number}",
                    "scanned_at": moment, "kind": "entry"}
            requests.append(Request("scan", number / scan_rate, scanners[scanner], json.dumps(body).encode(),
                                    self.prepared.tokens[scanner]))
        return Run(f"{self.stamp}-{tag}", requests, retry)


# The runs -------------------------------------------------------------------------------------------


def settle(client: Client) -> None:
    """Wait, at most two minutes, until /readyz through nginx answers within half a second."""
    import urllib.request

    for _ in range(120):
        began = time.perf_counter()
        try:
            with urllib.request.urlopen(f"https://127.0.0.1:{client.port}/readyz", context=client.context,  # noqa: S310  loopback only
                                        timeout=10) as answer:
                if answer.status == 200 and time.perf_counter() - began < 0.5:
                    return
        except OSError:
            pass
        time.sleep(1)


def execute(client: Client, prepared: Prepared, run: Run, fault=None) -> dict:
    settle(client)
    reset(prepared)
    # The load generator's own full collections (its schedules, the answers kept, TLS objects)
    # stalled its event loop for up to a quarter of a second, and every answer in flight with
    # it: what is made so far stays out of its collector, so that latency is the stack's.
    gc.collect()
    gc.freeze()
    asyncio.run(paced(client, run, fault))
    return compare(prepared, run)


def search(client: Client, prepared: Prepared, schedule: Schedule, load: str) -> tuple[float, list]:
    """The highest paced rate of one load alone whose p99 stays under its goal without errors."""
    goal = REGISTER_GOAL_MS if load == "register" else SCAN_GOAL_MS
    held, broke, rate, tried = 0.0, None, 50.0, []
    for step in range(SEARCH_RUNS):
        count = round(rate * SEARCH_SECONDS)
        if load == "scan":
            count = min(count, len(prepared.payloads))
        run = schedule.run(f"search-{load}-{step}", count if load == "register" else 0, rate,
                           count if load == "scan" else 0, rate)
        execute(client, prepared, run)
        p99 = run.p99(load)
        ok = run.errors() == 0 and p99 is not None and p99 <= goal
        tried.append((rate, p99, run.errors(), run.per_s(load), ok))
        if ok:
            held = rate
        else:
            broke = rate
        if broke is None:
            rate *= 1.5
        elif broke - held <= max(5.0, held * 0.1) or len([t for t in tried if not t[4]]) > 2:
            break
        else:
            rate = (held + broke) / 2
    return held, tried


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--registrations", type=int, default=3000)
    parser.add_argument("--registration-rate", type=float, default=50)
    parser.add_argument("--scans", type=int, default=3000)
    parser.add_argument("--scan-rate", type=float, default=50)
    parser.add_argument("--no-search", action="store_true", help="skip the capacity search")
    args = parser.parse_args()

    started_here = not alive("nginx")
    if started_here:
        # As `make stack` does: nginx, Redis and openssl where a fresh machine lacks them.
        subprocess.run(["/bin/bash", str(ROOT / "scripts" / "system-packages.sh"), "stack"], check=True, timeout=900)
        stack("start")
    try:
        found = settings()
        prepared = prepare(found)
        client = Client(int(found["STACK_HTTPS_PORT"]), STACK_DIR / "tls" / "cert.pem")
        schedule = Schedule(prepared, random.Random(2023))
        load_average = os.getloadavg()[0]
        shape = (args.registrations, args.registration_rate, args.scans, args.scan_rate)
        # A short warm-up: each worker's first requests load what it caches.
        execute(client, prepared, schedule.run("warm", 100, 25, 100, 25))
        runs = {}
        runs["both at once"] = (both := schedule.run("both", *shape)), execute(client, prepared, both)
        runs["node 1 killed"] = (killed := schedule.run("killed", *shape, retry=True)), execute(
            client, prepared, killed, fault=lambda: kill_node(1))
        stack("start-node", "1")
        runs["PostgreSQL restarted"] = (restarted := schedule.run("restart", *shape, retry=True)), execute(
            client, prepared, restarted, fault=lambda: stack("restart-postgres"))
        searched = {load: search(client, prepared, schedule, load) for load in ("register", "scan")} if not args.no_search else {}
    finally:
        if started_here:
            stack("stop")

    print(f"through nginx (TLS) to 2 app nodes ({found['GUNICORN_WORKERS']} workers × {found['GUNICORN_THREADS']} threads each), "
          f"PostgreSQL, Redis; {os.cpu_count()} cores, load average before {load_average:.2f}")
    print(f"{'run':<22}{'load':<10}{'sent':>6}{'2xx':>6}{'4xx':>6}{'errors':>8}{'retried':>8}{'per s':>8}"
          f"{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}{'lost':>6}{'doubled':>8}")
    for name, (run, compared) in runs.items():
        for load in ("register", "scan"):
            ordered = sorted(run.latencies[load])
            statuses = run.statuses[load]
            ok = sum(c for s, c in statuses.items() if isinstance(s, int) and 200 <= s < 300)
            client_errors = sum(c for s, c in statuses.items() if isinstance(s, int) and 400 <= s < 500 and s != 429)
            print(f"{name if load == 'register' else '':<22}{load:<10}{sum(statuses.values()):>6}{ok:>6}{client_errors:>6}"
                  f"{run.errors(load):>8}{run.retried[load]:>8}{run.per_s(load):>8.1f}"
                  f"{(ordered[len(ordered) // 2] if ordered else 0):>9.1f}{(run.p99(load) or 0):>9.1f}"
                  f"{(ordered[-1] if ordered else 0):>9.1f}"
                  f"{compared['lost'] if load == 'register' else '':>6}{compared['doubled'] if load == 'register' else '':>8}")
            odd = {str(s): c for s, c in statuses.items() if s not in (200, 201)}
            if odd:
                print(f"{'':<22}{'':<10}answers other than 200/201: {odd}")
    for load, (held, tried) in searched.items():
        steps = "; ".join(f"{rate:.0f}/s: p99 {p99 or 0:.0f} ms, {errors} errors{'' if ok else ' ✗'}"
                          for rate, p99, errors, _per_s, ok in tried)
        print(f"capacity, {load} alone (p99 ≤ {REGISTER_GOAL_MS if load == 'register' else SCAN_GOAL_MS} ms, no error): "
              f"{held:.0f}/s  ({steps})")

    both, both_compared = runs["both at once"]
    killed, killed_compared = runs["node 1 killed"]
    restarted, restarted_compared = runs["PostgreSQL restarted"]
    summary = {
        "registrations_per_s": round(both.per_s("register"), 1), "register_p99_ms": round(both.p99("register") or 0, 1),
        "scan_per_s": round(both.per_s("scan"), 1), "scan_p99_ms": round(both.p99("scan") or 0, 1),
        "max_registrations_per_s": round(searched["register"][0], 1) if searched else None,
        "max_scans_per_s": round(searched["scan"][0], 1) if searched else None,
        "errors": both.errors(), "lost": both_compared["lost"],
        "doubled": both_compared["doubled"] + killed_compared["doubled"] + restarted_compared["doubled"],
        "fault_errors": killed.errors(), "fault_lost": killed_compared["lost"],
        "fault_requests": len(killed.requests),
        "pg_restart_errors": restarted.errors(), "pg_restart_lost": restarted_compared["lost"],
    }
    goals = (summary["errors"] == 0 and summary["lost"] == 0 and summary["doubled"] == 0
             and summary["register_p99_ms"] <= REGISTER_GOAL_MS and summary["scan_p99_ms"] <= SCAN_GOAL_MS
             and summary["fault_lost"] == 0 and summary["fault_errors"] < 0.01 * len(killed.requests))
    print(f"goals: {'met' if goals else 'NOT met'}")
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
