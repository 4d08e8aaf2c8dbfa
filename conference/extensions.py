"""Extensions, created once here and bound to the app in create_app()."""

import os
from pathlib import Path

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from huey import RedisHuey, SqliteHuey
from spectree import SecurityScheme, SpecTree
from spectree.models import SecureType, SecuritySchemeData
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

from conference.core.api import FieldErrors, JsonBodies, field_errors


class Base(DeclarativeBase):
    # Named constraints so that migrations can alter them on PostgreSQL and SQLite alike.
    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_N_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
limiter = Limiter(key_func=get_remote_address)

# The OpenAPI document of /api/v1 is generated from the endpoints' pydantic models ("strict":
# only endpoints decorated with api.validate). Its own pages would load Swagger from a CDN, so
# there are none; the document is served at /api/v1/openapi.json by conference.core.views.
# Bodies are read by conference.core.api: a body of the wrong kind or shape is a 4xx naming it.
api = SpecTree(
    "flask",
    backend=JsonBodies,
    before=field_errors,
    mode="strict",
    path="api/spec",
    page_templates={},
    title="China Internet Civilization Conference API",
    version="v1",
    validation_error_status=422,
    validation_error_model=FieldErrors,
    security_schemes=[SecurityScheme(name="device", data=SecuritySchemeData(
        type=SecureType.HTTP, scheme="bearer",
        description="A scanner device's token, from pairing (`flask checkin pair-device` or a pairing QR), or the "
                    "token a volunteer's shift gives their phone on the scanner page.",
    )), SecurityScheme(name="session", data=SecuritySchemeData(
        type=SecureType.API_KEY, name="session", field_in="cookie",
        description="A signed-in account's session cookie (the volunteers' own shifts).",
    ))],
)


def _make_huey():
    """The job queue: Redis when REDIS_URL is set, otherwise SQLite beside the app's database."""
    if os.environ.get("REDIS_URL"):
        return RedisHuey("conference", url=os.environ["REDIS_URL"])
    folder = Path(os.environ.get("INSTANCE_PATH", Path(__file__).resolve().parent.parent / "instance"))
    folder.mkdir(parents=True, exist_ok=True)
    return SqliteHuey("conference", filename=str(folder / "huey.db"))


huey = _make_huey()
