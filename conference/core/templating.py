"""What every template can use: the language switcher, permissions, localised dates."""

from urllib.parse import urlencode

from flask import Flask, has_request_context, request
from flask_login import current_user

from conference.core.i18n import (
    LOCALES,
    current_locale,
    day_label,
    full_name,
    html_lang,
    time_label,
)
from conference.core.permissions import can


def init_app(app: Flask) -> None:
    app.add_template_filter(day_label, "day")
    app.add_template_filter(time_label, "time")
    app.add_template_global(full_name)

    @app.context_processor
    def shared_context():
        return {
            "locales": LOCALES,
            "current_locale": current_locale(),
            "html_lang": html_lang(),
            "can": lambda permission, subject=None: can(current_user, permission, subject),
            "here": _here_without_lang(),
        }


def _here_without_lang() -> str:
    """This page's address for the switcher to come back to, minus any ?lang= that would
    override the reader's new choice."""
    if not has_request_context():  # mail and PDFs rendered by a job or a command
        return "/"
    query = [(key, value) for key, value in request.args.items(multi=True) if key != "lang"]
    return request.path + ("?" + urlencode(query) if query else "")
