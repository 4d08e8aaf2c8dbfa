"""The production entry point: the objects start-up made are frozen out of the collector's sight,
so a full collection in a worker walks only what requests left (not the app's 400,000 objects)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.database_free

ROOT = Path(__file__).resolve().parent.parent


def test_a_worker_starts_with_the_app_frozen_out_of_the_collector(tmp_path):
    script = "import gc, wsgi; print(gc.get_freeze_count(), len(gc.get_objects()))"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "INSTANCE_PATH": str(tmp_path), "REDIS_URL": "",
           "DATABASE_URL": f"sqlite:///{tmp_path}/app.db"}
    done = subprocess.run([sys.executable, "-c", script], env=env, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    frozen, watched = map(int, done.stdout.split())
    assert frozen > 100_000 and watched < frozen // 100


def test_the_master_warms_up_before_it_forks_the_workers(tmp_path):
    """gunicorn's master, the app loaded and before any fork, does what each worker would
    otherwise do on its first requests: the mappers configured, every template compiled (the
    pinyin dictionary and the district codes came with the app); then freezes it with the rest
    of start-up."""
    script = """
import gc, importlib.util, sys
import wsgi
from stdnum import numdb
from conference.extensions import db
def cold():
    configured = all(mapper.configured for mapper in db.Model.registry.mappers)
    compiled = len(wsgi.app.jinja_env.cache) == len(wsgi.app.jinja_env.list_templates())
    return (configured, compiled, "pypinyin" in sys.modules, "cn/loc" in numdb._open_databases)
before = cold()
spec = importlib.util.spec_from_file_location("gunicorn_settings", "gunicorn.conf.py")
settings = importlib.util.module_from_spec(spec)
spec.loader.exec_module(settings)
frozen = gc.get_freeze_count()
settings.when_ready(None)
print(before, cold(), gc.get_freeze_count() > frozen)
"""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "INSTANCE_PATH": str(tmp_path), "REDIS_URL": "",
           "DATABASE_URL": f"sqlite:///{tmp_path}/app.db"}
    done = subprocess.run([sys.executable, "-c", script], env=env, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n")[0] == "(False, False, True, True) (True, True, True, True) True"
