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
