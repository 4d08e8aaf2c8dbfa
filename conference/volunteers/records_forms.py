from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from conference.core.forms import ConferenceForm
from conference.core.i18n import LOCALES

LANGUAGE_CHOICES = [SelectChoice("", _l("Each volunteer's own language"))] + [
    SelectChoice(code, label) for code, (_tag, label) in LOCALES.items()]


class IssueForm(ConferenceForm):
    """The volunteer asks for their certificate: the button and its token."""


class BatchForm(ConferenceForm):
    language = SelectField(_l("Language of the certificates"), choices=LANGUAGE_CHOICES, default="")


class SerialForm(ConferenceForm):
    class Meta(ConferenceForm.Meta):
        csrf = False  # a GET lookup of a public page

    serial = StringField(_l("Certificate number"), validators=[
        DataRequired(_l("Enter the number printed on the certificate.")), Length(max=64)])
