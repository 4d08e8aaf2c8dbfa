"""Entry point for gunicorn and `flask`: `gunicorn -c gunicorn.conf.py wsgi:app`."""

import gc

from conference import create_app

app = create_app()
# What start-up made (the app, its modules: some 400,000 objects) lives as long as the worker.
# Out of the collector's sight, a full collection walks only what requests left behind, instead
# of stalling the request that triggers it for a tenth of a second.
gc.freeze()
