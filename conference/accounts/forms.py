from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, EqualTo, Length

from conference.core.forms import ConferenceForm
from conference.core.permissions import ROLES


class LoginForm(ConferenceForm):
    email = EmailField(
        _l("Email"),
        validators=[DataRequired(_l("Enter your email address.")), Length(max=254)],
    )
    password = PasswordField(
        _l("Password"), validators=[DataRequired(_l("Enter your password.")), Length(max=1024)]
    )
    remember = BooleanField(_l("Keep me signed in on this device"))


class UserForm(ConferenceForm):
    email = EmailField(
        _l("Email"),
        validators=[
            DataRequired(_l("Enter an email address.")),
            Email(_l("Enter a valid email address.")),
            Length(max=254),
        ],
    )
    display_name = StringField(_l("Name"), validators=[Length(max=120)])
    role = SelectField(
        _l("Role"), choices=[SelectChoice(key, label) for key, label in ROLES.items()]
    )
    password = PasswordField(
        _l("Password"), validators=[DataRequired(_l("Enter a password.")), Length(max=1024)]
    )
    confirm = PasswordField(
        _l("Repeat the password"),
        validators=[EqualTo("password", _l("The two passwords differ."))],
    )


class WelcomeForm(ConferenceForm):
    """An invited person chooses their own password."""

    password = PasswordField(
        _l("Choose a password"),
        description=_l("At least 12 characters; not a common password, and not your email address."),
        validators=[DataRequired(_l("Enter a password.")), Length(max=1024)],
    )
    confirm = PasswordField(
        _l("Repeat the password"),
        validators=[EqualTo("password", _l("The two passwords differ."))],
    )
