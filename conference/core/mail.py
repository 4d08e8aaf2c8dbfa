"""Outgoing mail. Development and tests write .eml files under instance/outbox; production
sends through SMTP (MAIL_SERVER …). Messages are queued as Huey jobs after the commit, so a
rolled-back registration never sends a confirmation."""

import smtplib
import ssl
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import formataddr, make_msgid, parseaddr
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _

from conference.core.jobs import after_commit
from conference.extensions import huey


def build_message(to: str, subject: str, body: str, sender: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = datetime.now(UTC).strftime("%a, %d %b %Y %H:%M:%S +0000")
    message["Message-ID"] = make_msgid(domain="conference.local")
    message.set_content(body, charset="utf-8")
    return message


def sender() -> str:
    """MAIL_FROM's address under the conference's name in the current language: a mail
    rendered in Traditional Chinese or English comes from 中國網絡文明大會 or from the China
    Internet Civilization Conference, not from a Simplified name."""
    _name, address = parseaddr(current_app.config["MAIL_FROM"])
    return formataddr((str(_("China Internet Civilization Conference")), address))


def deliver(to: str, subject: str, body: str, sender: str | None = None) -> None:
    config = current_app.config
    message = build_message(to, subject, body, sender or config["MAIL_FROM"])
    if config["MAIL_BACKEND"] == "smtp":
        context = ssl.create_default_context()
        with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=30) as smtp:
            if config["MAIL_USE_TLS"]:
                smtp.starttls(context=context)
            if config.get("MAIL_USERNAME"):
                smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
            smtp.send_message(message)
        return
    outbox = Path(config["INSTANCE_DIR"]) / "outbox"
    outbox.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
    (outbox / f"{stamp}-{abs(hash(to)) % 10**8}.eml").write_bytes(message.as_bytes())


@huey.task(retries=5, retry_delay=60)
def send_mail(to: str, subject: str, body: str, sender: str | None = None) -> None:
    from conference.core.jobs import app_context

    with app_context():
        deliver(to, subject, body, sender)


def queue_mail(to: str | None, subject: str, body: str) -> None:
    """Send after the current transaction commits; nothing when there is no address. Call it
    in the language the mail is written in: the sender's name is written in it too."""
    if to:
        after_commit(send_mail, to, str(subject), body, sender())
