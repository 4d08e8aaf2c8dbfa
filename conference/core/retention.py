"""The retention purge (PIPL art. 19, 47): once an edition's retention period is over, the
personal data every domain declares (Domain.personal_data) is erased from the edition's rows.

The purge is driven by those declarations alone, so a new domain's data is purged by declaring
it: each declared column is emptied (NULL, or the column's default: "" for a masked number,
{} for a rooming list as sent), except the columns a domain's own `Purge` steps take over
(files on disk, names made initials), which run first. Rows stay: anonymous statistics (counts
by category, day, session, hotel night, volunteer hours) are counted from what is left.

A row belongs to an edition by its edition_id, or through the foreign keys it holds (a consent
through its registration, a rooming list through its hotel). Declared data with no way to an
edition (user accounts) is not an edition's, and is kept by its own rules.
"""

import json
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Column, ColumnElement, String, Table, and_, cast, func, or_, select, update
from sqlalchemy.types import JSON

from conference.core.domains import Domain, Purge
from conference.extensions import db

_NO_VALUE = object()


@dataclass(frozen=True)
class Erasure:
    """The columns of one model that the purge empties, with the value each is given."""

    model: type
    values: dict[str, object]


def erased_value(column: Column) -> object:
    """What an erased column holds: NULL where allowed, else the column's own default, else an
    empty string; _NO_VALUE when none fits (a domain's Purge step must take it over)."""
    if column.nullable:
        return None
    default = column.default
    if default is not None and default.is_scalar:
        return default.arg
    if default is not None and default.is_callable:
        return default.arg(None)
    if isinstance(column.type, String):
        return ""
    return _NO_VALUE


def erasures(domains: Iterable[Domain]) -> list[Erasure]:
    """The plain erasures the declarations ask for, checked: every column either empties or is
    taken over by a step of its domain."""
    planned = []
    for domain in domains:
        taken = {(model, column) for step in domain.purge for model, columns in step.columns.items() for column in columns}
        for model, columns in domain.personal_data.items():
            values = {}
            for name in columns:
                if (model, name) in taken:
                    continue
                value = erased_value(model.__table__.c[name])
                if value is _NO_VALUE:
                    raise RuntimeError(f"{model.__tablename__}.{name} of {domain.name!r} cannot be emptied: "
                                       "declare a Purge step that takes it over")
                values[name] = value
            if values and edition_clause(model.__table__, 0) is not None:
                planned.append(Erasure(model, values))
    return planned


def edition_clause(table: Table, edition_id: int, depth: int = 0) -> ColumnElement | None:
    """The rows of `table` that belong to the edition, or None if its rows belong to none."""
    if "edition_id" in table.c:
        return table.c.edition_id == edition_id
    if depth >= 2:
        return None
    for key in sorted(table.foreign_keys, key=lambda key: key.parent.name):
        parent = edition_clause(key.column.table, edition_id, depth + 1)
        if parent is not None:
            return key.parent.in_(select(key.column).where(parent))
    return None


def _still_held(column: Column, value: object) -> ColumnElement:
    if value is None:
        return column.is_not(None)
    if isinstance(column.type, JSON):
        return func.coalesce(cast(column, String), "null") != json.dumps(value)
    return column != value


def purge(edition_id: int, domains: Iterable[Domain], dry_run: bool) -> list[tuple[str, int]]:
    """Erase (or, in a dry run, count) the edition's personal data: (kind, how many) for each
    kind with something to go, the domains' own steps first, then each emptied column by its
    table and column name. The caller commits and writes the audit entry."""
    domains = list(domains)
    counts: list[tuple[str, int]] = []
    steps: list[Purge] = [step for domain in domains for step in domain.purge]
    for step in steps:
        counts.append((str(step.kind), step.run(edition_id, dry_run)))
    for erasure in erasures(domains):
        table = erasure.model.__table__
        scope = edition_clause(table, edition_id)
        for name, value in erasure.values.items():
            held = db.session.execute(select(func.count()).select_from(table).where(
                scope, _still_held(table.c[name], value))).scalar_one()
            counts.append((f"{table.name}.{name}", held))
        if not dry_run:
            anything = or_(*(_still_held(table.c[name], value) for name, value in erasure.values.items()))
            db.session.execute(update(table).where(and_(scope, anything)).values(**erasure.values))
    return [(kind, count) for kind, count in counts if count]
