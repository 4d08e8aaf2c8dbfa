"""The app, its database and small factories for every test.

The suite runs twice: on SQLite (a file, so the browser tests' server thread shares it) and on
PostgreSQL when TEST_DATABASE_URL is set (`make test` does that). The schema comes from the
migrations, never from create_all, so the migrations are exercised by every run.
"""

import functools
import os
import re
import threading
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import flask_migrate
import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import got_request_exception
from sqlalchemy import CompoundSelect, Table, exists, literal, select, union_all
from werkzeug.serving import make_server

from conference import create_app
from conference.checkin import services as checkin_services
from conference.core import clock
from conference.extensions import db, limiter

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PASSWORD = "correct-horse-battery"
CSRF_INPUT = re.compile(r'name="csrf_token"[^>]*?value="([^"]+)"')


def _compile_catalogues() -> None:
    """Tests read the compiled catalogues; compile them when a .po is newer (make does too)."""
    for po in (ROOT / "translations").glob("*/LC_MESSAGES/messages.po"):
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            with po.open("rb") as handle:
                catalog = read_po(handle, locale=po.parent.parent.name)
            partial = mo.with_suffix(f".{os.getpid()}.tmp")  # xdist workers compile at once
            with partial.open("wb") as handle:
                write_mo(handle, catalog)
            partial.replace(mo)


def _worker_database(url: str) -> str:
    """Under pytest-xdist each worker gets its own PostgreSQL database, made next to the one
    scripts/with-postgres.sh created (which drops them all afterwards)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker:
        return url
    from sqlalchemy import create_engine, make_url, text

    base = make_url(url)
    name = f"{base.database}_{worker}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f"CREATE DATABASE \"{name}\" ENCODING 'UTF8' TEMPLATE template0"))
    admin.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    _compile_catalogues()
    url = os.environ.get("TEST_DATABASE_URL")
    url = _worker_database(url) if url else f"sqlite:///{tmp_path_factory.mktemp('db') / 'conference-test.db'}"
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": url, "INSTANCE_DIR": str(tmp_path_factory.mktemp("instance"))}
    )
    with app.app_context():
        flask_migrate.upgrade()
    app.extensions["server_errors"] = []
    got_request_exception.connect(
        lambda sender, exception, **extra: app.extensions["server_errors"].append(exception),
        app,
        weak=False,
    )
    return app


@functools.cache
def _probe_tables() -> CompoundSelect:
    """One query naming every table that holds a row, however it was written (the check-in fast
    path writes through the driver): a test leaves rows in a few of the sixty tables."""
    return union_all(*(select(literal(index)).where(exists().select_from(table))
                       for index, table in enumerate(db.metadata.sorted_tables)))


def _tables_with_rows() -> list[Table]:
    """In an app context: the tables holding rows, children first (the order of deleting)."""
    tables = db.metadata.sorted_tables
    return [tables[index] for index in sorted((row[0] for row in db.session.execute(_probe_tables())), reverse=True)]


@pytest.fixture(autouse=True)
def _fresh_state(request, app):
    """Every test starts with empty tables, fresh rate limits, and may not cause a 500."""
    app.extensions["server_errors"].clear()
    yield
    with app.app_context():
        db.session.remove()
        written = _tables_with_rows()
        if written and db.engine.dialect.name == "postgresql":  # one round trip, not one per table
            deletes = (str(table.delete().compile(db.engine)) for table in written)
            db.session.connection().exec_driver_sql("; ".join(deletes))
        else:
            for table in written:
                db.session.execute(table.delete())
        db.session.commit()
        limiter.reset()
        checkin_services.forget_gates()  # ids come back in the next test's rows
    clock.freeze(None)  # real time again for the next test
    errors = list(app.extensions["server_errors"])
    if errors and "expects_server_error" not in request.keywords:
        pytest.fail(f"a request failed with a server error: {errors[0]!r}")


# The demo's registration windows are open at this moment (a day the demo's tests have used).
DEMO_MOMENT = datetime(2023, 6, 20, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def demo_clock():
    """Stop the one clock at DEMO_MOMENT for this test; `demo_clock(moment)` moves it."""
    clock.freeze(DEMO_MOMENT)
    return clock.freeze


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield
        db.session.rollback()


@pytest.fixture
def client(app):
    return app.test_client()


def csrf_token(client, url: str) -> str:
    page = client.get(url)
    match = CSRF_INPUT.search(page.get_data(as_text=True))
    assert match, f"no CSRF token on {url} ({page.status_code})"
    return match.group(1)


def submit(client, url: str, data: dict, **kwargs):
    """POST a form the way a browser does: with the token the page gave."""
    return client.post(url, data={**data, "csrf_token": csrf_token(client, url)}, **kwargs)


def make_user(app, role: str = "organizer", email: str | None = None, password=DEFAULT_PASSWORD):
    from conference.accounts import services

    with app.app_context():
        user = services.create_user(email or f"{role}@test.example", password, role)
        db.session.commit()
        return user.email


def login(client, email: str, password: str = DEFAULT_PASSWORD, **headers):
    response = submit(client, "/login", {"email": email, "password": password}, headers=headers)
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return response


def sign_in(page, base_url: str, email: str, password: str = DEFAULT_PASSWORD) -> None:
    """Sign in through the form in a browser page, and wait until the site has let the account in."""
    page.goto(f"{base_url}/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)


@pytest.fixture
def organizer_client(app, client):
    login(client, make_user(app, "organizer"))
    return client


@pytest.fixture
def edition_2023(app):
    from conference.editions import services
    from conference.editions.demo import EDITION_2023

    with app.app_context():
        services.create_edition(EDITION_2023)
        db.session.commit()
    return 2023


def race(app, attempt, count):
    """Start `count` threads at once, each running attempt(i) in its own app context; no
    connection is taken before all are ready (the pool holds 15). Returns results and errors."""
    barrier = threading.Barrier(count)
    results, errors = [None] * count, []

    def run(index):
        with app.test_request_context():
            barrier.wait()
            try:
                results[index] = attempt(index)
            except Exception as error:  # noqa: BLE001  collected and reported by the test
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, errors


_snapshots: dict[str, tuple[dict[str, list[dict]], dict[Path, bytes]]] = {}


def _kept_files() -> set[Path]:
    """The kept images' files (floor plans, maps...): rows name them, so a snapshot keeps them too."""
    from flask import current_app

    from conference.core.images import KEPT_FOLDERS

    root = Path(current_app.config["INSTANCE_DIR"])
    return {path for folder in KEPT_FOLDERS for path in (root / folder).glob("*") if path.is_file()}


def demo_state(name: str, build) -> None:
    """In an app context: the state `build()` makes, built through the services once per worker
    and copied back row by row for later tests (the demo's programme takes seconds to build and
    one insert per table to copy), with the image files its rows name. A test that wrote rows
    before asking for the state gets it built, since the building finds or creates what it needs."""
    snapshot = _snapshots.get(name)
    if _tables_with_rows():
        build()
        db.session.commit()
        return
    if snapshot is None:
        before = _kept_files()
        build()
        db.session.commit()
        _snapshots[name] = (
            {table.name: [dict(row._mapping) for row in
                          db.session.execute(select(table).order_by(*table.primary_key.columns))]
             for table in db.metadata.sorted_tables},
            {path: path.read_bytes() for path in _kept_files() - before},
        )
        return
    rows, files = snapshot
    for table in db.metadata.sorted_tables:  # parents first; rows in key order for self-references
        if rows[table.name]:
            db.session.execute(table.insert(), rows[table.name])
    db.session.commit()
    for path, data in files.items():  # a test may have deleted them with their rows
        if not path.exists():
            path.write_bytes(data)


def demo_steps(*steps: str) -> None:
    """In an app context: load_demo(only=steps), copied from a snapshot after the first time."""
    from conference.core.demo import load_demo

    demo_state("steps:" + ",".join(sorted(steps)), lambda: load_demo(only=set(steps)))


def registration_demo() -> None:
    """In an app context: the demo edition with its programme, categories, notice and seats,
    nobody registered."""
    from conference.core.demo import load_demo
    from conference.editions.services import get_edition
    from conference.registration.demo import set_up_registration

    def build():
        load_demo(only={"accounts", "editions", "venues", "programme"})
        set_up_registration(get_edition(2023))

    demo_state("registration", build)


def badged_demo(holders, steps=("editions", "venues")):
    """In an app context: the demo's steps, its access zones, and a badge for each
    (family name, given name, category). Returns the edition and the badges."""
    from conference.badges import services as badges
    from conference.badges.demo import set_up_zones
    from conference.core.demo import load_demo
    from conference.editions.services import get_edition
    from conference.people import services as people

    def build():
        load_demo(only=set(steps))
        set_up_zones(get_edition(2023))

    demo_state("zones:" + ",".join(sorted(steps)), build)
    edition = get_edition(2023)
    return edition, [badges.issue(people.add_person(edition, family, given, category)) for family, given, category in holders]


class LiveServer:
    def __init__(self, app):
        self._server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._server.shutdown()
        self._thread.join()


@pytest.fixture(scope="session")
def live_server(app):
    with LiveServer(app) as server:
        yield server


CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def playwright():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as running:
        yield running


def launch_chromium(playwright, *extra_flags):
    """Debian's Chromium, never a downloaded one."""
    return playwright.chromium.launch(executable_path="/usr/bin/chromium", headless=True,
                                      args=[*CHROMIUM_FLAGS, *extra_flags])


@pytest.fixture(scope="session")
def browser(playwright):
    chromium = launch_chromium(playwright)
    yield chromium
    chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    yield page
    context.close()


def pytest_configure(config):
    config.addinivalue_line("markers", "expects_server_error: the test provokes a 500 on purpose")
    config.addinivalue_line("markers", "long: tens of seconds; run first, so that the parallel workers end together")
    config.addinivalue_line("markers", "stack: starts the whole stack (scripts/stack.sh), minutes: `make test-stack`, not `make test`")


def pytest_collection_modifyitems(items):
    """The long tests first: the Makefile's workers (pytest-xdist, --dist worksteal) then share
    the short ones out at the end, instead of one worker running a long one alone."""
    items.sort(key=lambda item: item.get_closest_marker("long") is None)
