"""Telling people about their room: a mail when a stay is placed, moved, confirmed or
cancelled, in the language they registered in."""

from flask import render_template
from flask_babel import force_locale
from sqlalchemy import select

from conference.core.mail import queue_mail
from conference.extensions import db
from conference.hotels.models import Stay
from conference.registration.models import Registration
from conference.registration.services import private_link


def tell_stay(stay: Stay) -> None:
    """Queue the stay's mail (sent after the commit); nothing for people without an address."""
    person = stay.person
    if not person.email:
        return
    registration = db.session.execute(
        select(Registration).where(Registration.person_id == person.id)).scalar_one_or_none()
    with force_locale(registration.locale if registration else "zh_Hans_CN"):
        text = render_template("hotels/mail/stay.txt", stay=stay, person=person, edition=person.edition,
                               link=private_link(registration) if registration else None)
    subject, _, body = text.strip().partition("\n")
    queue_mail(person.email, subject.strip(), body.strip() + "\n")

