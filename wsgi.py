"""Entry point for gunicorn and `flask`: `gunicorn -c gunicorn.conf.py wsgi:app`."""

from conference import create_app

app = create_app()
