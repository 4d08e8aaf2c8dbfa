"""What a domain adds to the app, declared in its own package's __init__.py.

Each domain package has a function `domain()` returning a `Domain`; it imports the domain's
modules inside, so importing a domain's models never pulls in its views. create_app() and the
Huey consumer (conference/jobs.py) read the declarations of one list of packages
(`conference.DOMAINS`, replaced by the DOMAINS setting or `create_app(domains=...)`).
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from importlib import import_module
from types import ModuleType

from flask import Blueprint, Flask, current_app, render_template
from markupsafe import Markup

EXTENSION = "conference.domains"


@dataclass(frozen=True)
class Step:
    """A demo step or a clone step. It runs after the steps it `requires` (by name); a clone
    step receives (source, target, results) where results holds only those steps' returns."""

    name: str
    run: Callable
    requires: tuple[str, ...] = ()
    label: object = None  # clone steps: what the clone page says is carried over


@dataclass(frozen=True)
class EditionEntry:
    """A link on the edition page to one of the domain's pages, `endpoint` taking `year`."""

    label: object
    endpoint: str
    permission: str | None = None
    position: int = 0  # where in the edition page's row of links; ties keep the domain order


@dataclass(frozen=True)
class Section:
    """What a domain shows on a lower domain's page: `template` is rendered in the page's named
    `slot` with the page's variables, plus those `context(**page)` returns."""

    slot: str
    template: str
    context: Callable[..., dict] | None = None


@dataclass(frozen=True)
class Purge:
    """A domain's own part of the retention purge (core/retention.py), for what is more than
    emptying columns: files on disk, names made initials. It takes over `columns` (of its own
    `personal_data`) from the purge's emptying of the rest, and `run(edition_id, dry_run)`
    returns how many things of its `kind` went (or would go)."""

    kind: object  # what goes, in the reader's language: "photos (files deleted)"
    run: Callable[[int, bool], int]
    columns: Mapping[type, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class Domain:
    name: str
    blueprints: tuple[Blueprint, ...] = ()
    json_apis: tuple[Blueprint, ...] = ()  # blueprints whose clients send no cookie: no CSRF
    commands: tuple = ()  # click groups or commands under `flask`
    permissions: Mapping[str, frozenset[str]] = field(default_factory=dict)  # name -> roles
    demo_steps: tuple[Step, ...] = ()
    demo_notes: tuple[Callable[[], list[str]], ...] = ()
    clone_steps: tuple[Step, ...] = ()
    jobs: tuple[ModuleType, ...] = ()  # modules of Huey tasks
    edition_page: tuple[EditionEntry, ...] = ()
    slots: tuple[str, ...] = ()  # places on its pages where higher domains add sections
    sections: tuple[Section, ...] = ()
    events: tuple[str, ...] = ()  # what it tells the domains above it
    handles: Mapping[str, Callable] = field(default_factory=dict)  # event -> handler(**payload)
    personal_data: Mapping[type, tuple[str, ...]] = field(default_factory=dict)  # model -> columns
    purge: tuple[Purge, ...] = ()  # what the retention purge does beyond emptying those columns
    # role -> scope(user, subject): a user of that role holds their permissions only over the
    # subjects this answers true for (a group lead: their own groups' posts, shifts, halls)
    scopes: Mapping[str, Callable[[object, object], bool]] = field(default_factory=dict)
    # role -> home(user): where a user of that role lands after signing in (a URL, or None for
    # the edition list), e.g. a volunteer on their own page
    homes: Mapping[str, Callable[[object], str | None]] = field(default_factory=dict)


def declared(packages: Iterable[str]) -> list[Domain]:
    return [import_module(package).domain() for package in packages]


def in_order(steps: list[Step], kind: str) -> list[Step]:
    """Each step after those it requires; otherwise in the order given (the domains' order)."""
    names = [step.name for step in steps]
    if len(set(names)) != len(names):
        raise RuntimeError(f"two {kind} steps share a name: {names}")
    for step in steps:
        missing = set(step.requires) - set(names)
        if missing:
            raise RuntimeError(f"{kind} step {step.name!r} requires {sorted(missing)}, which no domain declares")
    ordered: list[Step] = []
    waiting = list(steps)
    while waiting:
        done = {step.name for step in ordered}
        ready = next((step for step in waiting if set(step.requires) <= done), None)
        if ready is None:
            raise RuntimeError(f"{kind} steps require each other: {[step.name for step in waiting]}")
        ordered.append(ready)
        waiting.remove(ready)
    return ordered


class Domains:
    """The app's domains, checked once: names, permissions, slots and events each declared once,
    and only the slots and events of domains below are used."""

    def __init__(self, domains: list[Domain]):
        self.domains = domains
        self.permissions: dict[str, frozenset[str]] = {}
        self._slots: dict[str, list[Section]] = {}
        self._events: dict[str, list[Callable]] = {}
        self.scopes: dict[str, Callable[[object, object], bool]] = {}
        self.homes: dict[str, Callable[[object], str | None]] = {}
        seen: set[str] = set()
        for domain in domains:
            if domain.name in seen:
                raise RuntimeError(f"domain {domain.name!r} is listed twice")
            seen.add(domain.name)
            for section in domain.sections:
                self._below(self._slots, section.slot, domain, "slot").append(section)
            for event, handler in domain.handles.items():
                self._below(self._events, event, domain, "event").append(handler)
            for name, roles in domain.permissions.items():
                self._declare(self.permissions, name, domain, "permission")
                self.permissions[name] = frozenset(roles)
            for role, scope in domain.scopes.items():
                self._declare(self.scopes, role, domain, "scope of role")
                self.scopes[role] = scope
            for role, home in domain.homes.items():
                self._declare(self.homes, role, domain, "home of role")
                self.homes[role] = home
            for slot in domain.slots:
                self._declare(self._slots, slot, domain, "slot")
                self._slots[slot] = []
            for event in domain.events:
                self._declare(self._events, event, domain, "event")
                self._events[event] = []
        self.demo_steps = in_order([s for d in domains for s in d.demo_steps], "demo")
        self.clone_steps = in_order([s for d in domains for s in d.clone_steps], "clone")
        entries = [entry for domain in domains for entry in domain.edition_page]
        for entry in entries:
            if entry.permission and entry.permission not in self.permissions:
                raise RuntimeError(f"the edition page's {entry.endpoint} asks for unknown permission {entry.permission!r}")
        self.edition_page = sorted(entries, key=lambda entry: entry.position)

    @staticmethod
    def _declare(names: dict, name: str, domain: Domain, kind: str) -> None:
        if name in names:
            raise RuntimeError(f"{kind} {name!r} of {domain.name!r} is declared twice")

    @staticmethod
    def _below(names: dict, name: str, domain: Domain, kind: str) -> list:
        if name not in names:
            raise RuntimeError(f"{domain.name!r} uses {kind} {name!r}, which no domain below it declares")
        return names[name]

    def sections(self, slot: str) -> list[Section]:
        return self._slots[slot]

    def handlers(self, event: str) -> list[Callable]:
        return self._events[event]


def installed() -> Domains:
    return current_app.extensions[EXTENSION]


def home_of(user) -> str | None:
    """Where `user` lands after signing in, if their role's domain says (None: the default)."""
    home = installed().homes.get(getattr(user, "role", None))
    return home(user) if home else None


def render_sections(slot: str, **page) -> Markup:
    """The sections higher domains declared for `slot`, rendered with the page's variables."""
    parts = []
    for section in installed().sections(slot):
        extra = section.context(**page) if section.context else {}
        parts.append(render_template(section.template, **page, **extra))
    return Markup("".join(parts))  # noqa: S704  templates rendered with autoescape


def init_app(app: Flask, domains: list[Domain]) -> None:
    from conference.extensions import api, csrf

    installed_domains = Domains(domains)
    app.extensions[EXTENSION] = installed_domains
    for domain in domains:
        for blueprint in (*domain.blueprints, *domain.json_apis):
            app.register_blueprint(blueprint)
        for blueprint in domain.json_apis:
            csrf.exempt(blueprint)
        for command in domain.commands:
            app.cli.add_command(command)
    api.register(app)
    app.jinja_env.globals.update(
        sections=render_sections, edition_page=lambda: installed_domains.edition_page
    )
