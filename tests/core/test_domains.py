"""Domains wire themselves in from their own packages, and imports run one way."""

import ast
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from sqlalchemy import select

from conference import DOMAINS, create_app
from conference.core.demo import load_demo
from conference.core.domains import Domain, Domains, Section, Step, in_order
from conference.editions import services as editions
from conference.extensions import db, huey
from conference.venues.models import Hall, Venue
from tests.conftest import ROOT, login, make_user

# The house plan (ARCHITECTURE.md): each tier imports only the tiers before it. The audit log
# reads every domain's records, so it comes last.
HOUSE_PLAN = [
    {"core"},
    {"accounts", "editions"},
    {"people", "venues"},
    {"programme"},
    {"registration"},
    {"hotels"},
    {"badges"},
    {"volunteers"},
    {"checkin"},
    {"handbook"},
    {"privacy"},
    {"auditlog"},
]
TIER = {name: tier for tier, names in enumerate(HOUSE_PLAN) for name in names}

# The throwaway domain: a package of its own, wired in by naming it in the list of domains.
LANYARDS = {
    "__init__.py": """
        def domain():
            from conference.core.domains import Domain, EditionEntry, Step
            from lanyards import cli, jobs, services, views

            return Domain(
                name="lanyards",
                blueprints=(views.bp,),
                commands=(cli.lanyards_cli,),
                permissions={"lanyards.view": frozenset({"admin", "organizer"})},
                clone_steps=(Step("lanyards", services.clone_lanyards, requires=("venues",), label="lanyards"),),
                jobs=(jobs,),
                edition_page=(EditionEntry("Lanyards", "lanyards.index", "lanyards.view", position=65),),
            )
    """,
    "views.py": """
        from flask import Blueprint

        from conference.core.permissions import permission_required

        bp = Blueprint("lanyards", __name__)


        @bp.route("/editions/<year:year>/lanyards")
        @permission_required("lanyards.view")
        def index(year):
            return f"Lanyards of {year}"
    """,
    "cli.py": """
        import click
        from flask.cli import AppGroup

        lanyards_cli = AppGroup("lanyards")


        @lanyards_cli.command("colours")
        def colours():
            click.echo("red, blue")
    """,
    "jobs.py": """
        from conference.extensions import huey


        @huey.task()
        def dye(colour):
            return f"{colour} lanyards"
    """,
    "services.py": """
        received = []


        def clone_lanyards(source, target, required):
            received.append(required)
    """,
}


@pytest.fixture
def lanyards(tmp_path, monkeypatch):
    package = tmp_path / "lanyards"
    package.mkdir()
    for name, text in LANYARDS.items():
        (package / name).write_text(textwrap.dedent(text))
    monkeypatch.syspath_prepend(str(tmp_path))
    yield tmp_path
    for name in [name for name in sys.modules if name == "lanyards" or name.startswith("lanyards.")]:
        del sys.modules[name]
    huey._registry._registry.pop("lanyards.jobs.dye", None)


def test_a_throwaway_domain_is_wired_in_from_its_own_package(app, lanyards):
    with app.app_context():
        load_demo(only={"editions", "venues"})
    wired = create_app(app.config, domains=[*DOMAINS, "lanyards"])
    client = wired.test_client()
    login(client, make_user(app, "organizer"))
    assert client.get("/editions/2023/lanyards").get_data(as_text=True) == "Lanyards of 2023"
    edition_page = client.get("/editions/2023").get_data(as_text=True)
    assert edition_page.index('href="/editions/2023/badges/"') < edition_page.index(
        'href="/editions/2023/lanyards">Lanyards</a>') < edition_page.index('href="/editions/2023/people/"')

    viewer = wired.test_client()
    login(viewer, make_user(app, "viewer"))
    assert viewer.get("/editions/2023/lanyards").status_code == 403
    assert "/lanyards" not in viewer.get("/editions/2023").get_data(as_text=True)

    assert wired.test_cli_runner().invoke(args=["lanyards", "colours"]).output == "red, blue\n"
    assert "lanyards" not in app.cli.commands  # the default list does not know it

    with wired.app_context():
        source = editions.get_edition(2023)
        hall_ids = db.session.execute(select(Hall.id).join(Venue).where(Venue.edition_id == source.id)).scalars().all()
        editions.clone_edition(source, 2024, "福州")
        db.session.commit()
    from lanyards.services import received

    assert len(received) == 1 and set(received[0]) == {"venues"}  # only what it requires
    assert set(received[0]["venues"]["halls"]) == set(hall_ids) and received[0]["venues"]["checkpoints"]


def _consumer(lanyards: Path, tmp_path: Path, domains: str) -> str:
    """What the Huey consumer's entry point registers, and a task it takes from the queue and
    runs, in a process of its own configured like production's consumer."""
    script = textwrap.dedent("""
        from conference.jobs import huey

        print(sorted(name for name in huey._registry._registry if name.startswith(("lanyards", "conference"))))
        if "lanyards.jobs.dye" in huey._registry._registry:
            from lanyards.jobs import dye

            result = dye("red")  # queued, not run: HUEY_IMMEDIATE is off
            print(huey.pending_count(), huey.execute(huey.dequeue()), result.get())
    """)
    env = {
        **os.environ, "PYTHONPATH": os.pathsep.join([str(lanyards), str(ROOT)]), "CONFERENCE_DOMAINS": domains,
        "HUEY_IMMEDIATE": "0", "INSTANCE_PATH": str(tmp_path), "REDIS_URL": "",
    }
    done = subprocess.run([sys.executable, "-c", script], env=env, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.database_free
def test_the_consumer_registers_the_jobs_of_the_configured_domains(lanyards, tmp_path):
    listed = _consumer(lanyards, tmp_path / "with", ",".join([*DOMAINS, "lanyards"]))
    assert listed.splitlines() == [
        "['conference.badges.jobs.render_batch', 'conference.core.mail.send_mail', "
        "'conference.handbook.jobs.build_handbook', 'conference.hotels.assign.tell_placed', 'conference.privacy.jobs.daily_purge', "
        "'conference.volunteers.records_jobs.render_certificates', 'lanyards.jobs.dye']",
        "1 red lanyards red lanyards",
    ]
    without = _consumer(lanyards, tmp_path / "without", ",".join(DOMAINS))
    assert without.splitlines() == ["['conference.badges.jobs.render_batch', 'conference.core.mail.send_mail', "
                                    "'conference.handbook.jobs.build_handbook', 'conference.hotels.assign.tell_placed', 'conference.privacy.jobs.daily_purge', "
                                    "'conference.volunteers.records_jobs.render_certificates']"]


@pytest.mark.database_free
def test_the_list_of_domains_follows_the_house_plan():
    names = [package.removeprefix("conference.") for package in DOMAINS]
    packages = sorted(path.parent.name for path in (ROOT / "conference").glob("*/__init__.py"))
    assert sorted(names) == packages
    assert [TIER[name] for name in names] == sorted(TIER[name] for name in names)


def _imports(path: Path):
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module
            yield from (f"{node.module}.{alias.name}" for alias in node.names)


@pytest.mark.database_free
def test_a_domain_imports_only_domains_below_it():
    upward = []
    for path in sorted((ROOT / "conference").glob("*/**/*.py")):
        domain = path.relative_to(ROOT / "conference").parts[0]
        for name in _imports(path):
            parts = name.split(".")
            other = parts[1] if parts[0] == "conference" and len(parts) > 1 else None
            if other in TIER and other != domain and TIER[other] >= TIER[domain]:
                upward.append(f"{path.relative_to(ROOT)} imports {name}")
    assert upward == []


def test_every_permission_the_code_asks_for_is_declared(app):
    declared = app.extensions["conference.domains"].permissions
    asked = set()
    for path in [*(ROOT / "conference").rglob("*.py"), *(ROOT / "templates").rglob("*.html")]:
        text = path.read_text()
        asked |= set(re.findall(r'permission_required\("([^"]+)"\)', text))
        asked |= set(re.findall(r'\bcan\((?:[a-z_.]+, )?"([^"]+)"\)', text))
    asked |= {entry.permission for entry in app.extensions["conference.domains"].edition_page if entry.permission}
    assert {"badges.print", "audit.view", "checkin.lookup"} <= asked
    assert asked - set(declared) == set()


# The edition's signing key is sealed too, but it is no one's personal data.
SEALED_BUT_NOT_PERSONAL = {("badge_keys", "private_key_sealed")}


def test_every_sealed_column_is_personal_data_its_domain_declares(app):
    declared = set()
    for domain in app.extensions["conference.domains"].domains:
        for model, columns in domain.personal_data.items():
            assert model.__module__.startswith(f"conference.{domain.name}."), (domain.name, model)
            assert set(columns) <= set(model.__table__.columns.keys()), (model, columns)
            declared |= {(model.__tablename__, column) for column in columns}
    sealed = {(table.name, column.name) for table in db.metadata.sorted_tables for column in table.columns
              if column.name.endswith("_sealed")}
    assert ("registrations", "document_sealed") in sealed and ("people", "phone_sealed") in sealed
    assert sealed - declared == SEALED_BUT_NOT_PERSONAL


def _step(name, *requires):
    return Step(name, lambda *args: None, requires=requires)


def test_steps_run_after_those_they_require_otherwise_in_the_domains_order():
    steps = [_step("checkin", "venues"), _step("organisations"), _step("venues", "organisations"), _step("badges")]
    assert [step.name for step in in_order(steps, "clone")] == ["organisations", "venues", "checkin", "badges"]
    with pytest.raises(RuntimeError, match="require each other"):
        in_order([_step("a", "b"), _step("b", "a")], "clone")
    with pytest.raises(RuntimeError, match="which no domain declares"):
        in_order([_step("programme", "venues")], "demo")


def test_a_domain_uses_only_the_slots_and_events_of_domains_below_it():
    lower = Domain("registration", slots=("registration.own_page.actions",), events=("registration.approved",))
    section = Section("registration.own_page.actions", "badges/_own_page_actions.html")
    higher = Domain("badges", sections=(section,), handles={"registration.approved": print})
    assert Domains([lower, higher]).sections("registration.own_page.actions") == [section]
    with pytest.raises(RuntimeError, match="no domain below it declares"):
        Domains([higher, lower])
    with pytest.raises(RuntimeError, match="no domain below it declares"):
        Domains([lower, Domain("badges", handles={"registration.aproved": print})])
    with pytest.raises(RuntimeError, match="declared twice"):
        Domains([Domain("a", permissions={"x.view": frozenset()}), Domain("b", permissions={"x.view": frozenset()})])
