"""Whether this app node can serve, for an orchestrator or a monitor (GET /readyz).

/healthz answers as long as the process does; /readyz also checks what every request needs:
the database answers, its schema is the one this code expects (the migrations' head), and
Redis answers when it is configured (rate limits and the job queue live there). Each check
gives "ok" or what is wrong, in words for an operator, not for an attendee.
"""

from functools import cache
from pathlib import Path

import redis
from alembic.config import Config as AlembicConfig
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import current_app
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from conference.extensions import db

OK = "ok"


@cache
def migration_heads(directory: str) -> frozenset[str]:
    """The revisions the migrations end in: read once, they change only with the code."""
    config = AlembicConfig()
    config.set_main_option("script_location", directory)
    return frozenset(ScriptDirectory.from_config(config).get_heads())


def database_and_migrations() -> dict[str, str]:
    """One connection answers both: is the database there, and is its revision the head."""
    try:
        with db.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
            current = frozenset(MigrationContext.configure(connection).get_current_heads())
    except SQLAlchemyError as error:
        return {"database": f"unreachable ({type(error.orig or error).__name__})", "migrations": "unknown"}
    expected = migration_heads(str(Path(current_app.extensions["migrate"].directory)))
    if current == expected:
        return {"database": OK, "migrations": OK}
    return {"database": OK, "migrations": f"database at {', '.join(sorted(current)) or 'no revision'}, "
                                          f"code at {', '.join(sorted(expected))}: run flask db upgrade"}


def redis_answers() -> dict[str, str]:
    url = current_app.config.get("REDIS_URL")
    if not url:
        return {}
    client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
    try:
        client.ping()
    except redis.RedisError as error:
        return {"redis": f"unreachable ({type(error).__name__})"}
    finally:
        client.close()
    return {"redis": OK}


def readiness() -> dict[str, str]:
    return {**database_and_migrations(), **redis_answers()}
