"""Response headers that keep pages from being framed, sniffed or fed foreign scripts.

Everything is served by the app itself (no CDN: the conference network may be closed), so the
content security policy allows this origin only.
"""

from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import URLSafeTimedSerializer

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "style-src 'self' 'unsafe-inline'",  # the schedule grid places sessions with style=
        "img-src 'self' data: blob:",
        "media-src 'self' blob:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


class SessionCookies(SecureCookieSessionInterface):
    """Flask's signed session cookie, with its signer built once per set of keys. Flask builds
    it twice per request, to open and to save the session, even for a scanner's call that
    carries no cookie: a fifth of the cost of the app's cheapest answer. A changed
    SECRET_KEY or SECRET_KEY_FALLBACKS gets a signer of its own."""

    def __init__(self):
        self._signers: dict[tuple, URLSafeTimedSerializer | None] = {}

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        keys = (app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()))
        if keys not in self._signers:
            if len(self._signers) > 8:  # keys replaced again and again (tests): keep the newest
                self._signers.clear()
            self._signers[keys] = super().get_signing_serializer(app)
        return self._signers[keys]


def init_app(app: Flask) -> None:
    app.session_interface = SessionCookies()

    @app.after_request
    def security_headers(response):
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        return response
