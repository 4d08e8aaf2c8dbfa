from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import BooleanField, EmailField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length, Optional

from conference.core.forms import ConferenceForm

CATEGORY_LABELS = {
    "guest": _l("Guest"),
    "audience": _l("Invited audience"),
    "media": _l("Media"),
    "staff": _l("Staff"),
    "volunteer": _l("Volunteer"),
}


class PersonForm(ConferenceForm):
    family_name = StringField(
        _l("Family name"),
        description=_l("As on the identity document, in its own script: 张, 陳, Smith."),
        validators=[DataRequired(_l("Enter the family name.")), Length(max=100)],
    )
    given_name = StringField(_l("Given name"), validators=[Optional(), Length(max=100)])
    name_latin = StringField(
        _l("Name in Latin letters (optional)"),
        description=_l("Left empty, Chinese names are spelt in pinyin."),
        validators=[Optional(), Length(max=200)],
    )
    category = SelectField(_l("Category"), choices=[SelectChoice(k, v) for k, v in CATEGORY_LABELS.items()])
    organisation = StringField(_l("Organisation (Chinese)"), validators=[Optional(), Length(max=200)])
    organisation_en = StringField(_l("Organisation (English)"), validators=[Optional(), Length(max=300)])
    title = StringField(_l("Position (Chinese)"), validators=[Optional(), Length(max=200)])
    title_en = StringField(_l("Position (English)"), validators=[Optional(), Length(max=300)])
    bio_zh = TextAreaField(_l("Biography (Chinese)"), validators=[Optional(), Length(max=4000)])
    bio_en = TextAreaField(_l("Biography (English)"), validators=[Optional(), Length(max=6000)])
    email = EmailField(
        _l("Email"), validators=[Optional(), Email(_l("Enter a valid email address.")), Length(max=254)]
    )
    public_profile = BooleanField(
        _l("Agreed to a public speaker page (name, organisation, position, photo, biography)")
    )
    photo = FileField(
        _l("Photo"), description=_l("JPEG, PNG or WebP, at most 5 MB. It is stored without its EXIF data.")
    )
