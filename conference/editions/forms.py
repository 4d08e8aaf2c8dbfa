from flask_babel import lazy_gettext as _l
from wtforms import DateField, IntegerField, StringField, TextAreaField
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from conference.core.forms import ConferenceForm
from conference.editions.models import EditionOrganisation
from conference.editions.services import OrganisationName

ORGANISATION_ZH = EditionOrganisation.__table__.c.name_zh.type.length
ORGANISATION_EN = EditionOrganisation.__table__.c.name_en.type.length

_YEAR = [
    InputRequired(_l("Enter the year.")),
    NumberRange(2000, 2100, _l("Enter a year between 2000 and 2100.")),
]


class OrganisationLines(TextAreaField):
    """One organisation a line, Chinese name first: `中央网信办 | Cyberspace Administration`."""

    def process_data(self, value):
        # Bound to an edition, the attribute is a list of rows: the text comes from populate_from.
        self.data = value if isinstance(value, str) else ""

    @property
    def names(self):
        return parse_organisation_lines(self.data if isinstance(self.data, str) else "")

    def pre_validate(self, form) -> None:
        for number, line in enumerate((self.data or "").splitlines(), start=1):
            zh, _bar, en = line.partition("|")
            if len(zh.strip()) > ORGANISATION_ZH or len(en.strip()) > ORGANISATION_EN:
                raise ValidationError(_l("Line %(line)d: at most %(zh)d characters before the bar and %(en)d after it.",
                                         line=number, zh=ORGANISATION_ZH, en=ORGANISATION_EN))

    def populate_from(self, organisations) -> None:
        self.data = "\n".join(
            f"{org.name_zh} | {org.name_en}" if org.name_en else org.name_zh
            for org in organisations
        )


def parse_organisation_lines(text: str) -> list[OrganisationName]:
    names = []
    for line in text.splitlines():
        zh, _, en = line.partition("|")
        if zh.strip():
            names.append(OrganisationName(zh=zh.strip(), en=en.strip()))
    return names


class EditionForm(ConferenceForm):
    year = IntegerField(
        _l("Year"), validators=_YEAR, invalid_value_message=_l("Enter a whole number for the year.")
    )
    city_zh = StringField(
        _l("Host city (Chinese)"),
        validators=[DataRequired(_l("Enter the host city.")), Length(max=64)],
    )
    city_zh_hant = StringField(
        _l("Host city (Traditional Chinese, optional)"), validators=[Optional(), Length(max=64)]
    )
    city_en = StringField(_l("Host city (English)"), validators=[Optional(), Length(max=64)])
    starts_on = DateField(
        _l("First day"),
        validators=[InputRequired(_l("Enter a date."))],
        invalid_value_message=_l("Enter a date as year-month-day."),
    )
    ends_on = DateField(
        _l("Last day"),
        validators=[InputRequired(_l("Enter a date."))],
        invalid_value_message=_l("Enter a date as year-month-day."),
    )
    theme_zh = StringField(_l("Theme (Chinese)"), validators=[Optional(), Length(max=200)])
    theme_zh_hant = StringField(
        _l("Theme (Traditional Chinese, optional)"), validators=[Optional(), Length(max=200)]
    )
    theme_en = StringField(_l("Theme (English)"), validators=[Optional(), Length(max=300)])
    hosts = OrganisationLines(
        _l("Hosts (主办)"),
        description=_l("One organisation a line: Chinese name | English name"),
        validators=[Length(max=4000)],
    )
    organizers = OrganisationLines(
        _l("Organizers (承办)"),
        description=_l("One organisation a line: Chinese name | English name"),
        validators=[Length(max=4000)],
    )


class CloneForm(ConferenceForm):
    year = IntegerField(
        _l("Year of the new edition"),
        validators=_YEAR,
        invalid_value_message=_l("Enter a whole number for the year."),
    )
    city_zh = StringField(
        _l("Host city (Chinese)"),
        validators=[DataRequired(_l("Enter the host city.")), Length(max=64)],
    )
    city_en = StringField(
        _l("Host city (English)"),
        description=_l("Left empty, it is spelt in pinyin."),
        validators=[Optional(), Length(max=64)],
    )
    starts_on = DateField(
        _l("First day"),
        description=_l("Left empty, the same calendar days as this edition."),
        validators=[Optional()],
        invalid_value_message=_l("Enter a date as year-month-day."),
    )
    ends_on = DateField(
        _l("Last day"),
        validators=[Optional()],
        invalid_value_message=_l("Enter a date as year-month-day."),
    )
