from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    FieldList,
    FormField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from conference.core.fields import name_fields
from conference.core.forms import ConferenceForm
from conference.core.urls import optional_row_id

KIND_LABELS = {
    "opening": _l("Opening ceremony"),
    "main_forum": _l("Main forum"),
    "summit_forum": _l("Summit forum"),
    "sub_forum": _l("Sub-forum"),
    "gala": _l("Gala"),
    "side_event": _l("Side event"),
}
ITEM_KIND_LABELS = {
    "speech": _l("Speech"),
    "keynote": _l("Keynote"),
    "release": _l("Release"),
    "dialogue": _l("Dialogue"),
    "ceremony": _l("Ceremony"),
    "break": _l("Break"),
}
STATUS_LABELS = {"draft": _l("Draft"), "published": _l("Published")}
ACCESS_LABELS = {"open": _l("Open to registered attendees"), "invitation": _l("By invitation only")}
ROLE_LABELS = {
    "speaker": _l("Speaker"),
    "moderator": _l("Moderator"),
    "panelist": _l("Panelist"),
    "host": _l("Host"),
}


class SessionForm(ConferenceForm):
    kind = SelectField(_l("Kind"), choices=[SelectChoice(k, v) for k, v in KIND_LABELS.items()])
    number = IntegerField(
        _l("Sub-forum number"), validators=[Optional(), NumberRange(1, 99)],
        invalid_value_message=_l("Enter a whole number."),
    )
    title_zh, title_zh_hant, title_en = name_fields(_l("Title"), max_length=300)
    theme_zh, theme_zh_hant, theme_en = name_fields(_l("Theme"), required=False, max_length=300)
    description_zh = TextAreaField(_l("Description (Chinese)"), validators=[Optional(), Length(max=5000)])
    description_en = TextAreaField(_l("Description (English)"), validators=[Optional(), Length(max=8000)])
    hall_id = SelectField(_l("Hall"), coerce=optional_row_id, validate_choice=True)
    day = SelectField(_l("Day"), coerce=lambda v: v or None, validate_choice=True)
    starts = TimeField(_l("Starts"), validators=[Optional()], invalid_value_message=_l("Enter a time as hours:minutes."))
    ends = TimeField(_l("Ends"), validators=[Optional()], invalid_value_message=_l("Enter a time as hours:minutes."))
    expected_audience = IntegerField(
        _l("Expected audience"), default=0,
        validators=[InputRequired(_l("Enter a number of people.")), NumberRange(0, 100000, _l("Enter a number of people between 0 and 100000."))],
        invalid_value_message=_l("Enter a whole number."),
    )
    host_organisation_zh = StringField(_l("Host organisation (Chinese)"), validators=[Optional(), Length(max=300)])
    host_organisation_en = StringField(_l("Host organisation (English)"), validators=[Optional(), Length(max=400)])
    status = SelectField(_l("Status"), choices=[SelectChoice(k, v) for k, v in STATUS_LABELS.items()])
    access = SelectField(_l("Access"), choices=[SelectChoice(k, v) for k, v in ACCESS_LABELS.items()])
    position = IntegerField(
        _l("Order on the same time"), default=0, validators=[Optional(), NumberRange(0, 999)],
        invalid_value_message=_l("Enter a whole number."),
    )
    confirm = BooleanField(_l("I have read the warnings above; save anyway"))


class SpeakerRow(ConferenceForm):
    class Meta:
        csrf = False

    person_id = SelectField(_l("Person"), coerce=optional_row_id, validate_choice=False)
    # Empty rows carry no role; the service checks the role of every row that names a person.
    role = SelectField(
        _l("Role"), choices=[SelectChoice(k, v) for k, v in ROLE_LABELS.items()],
        default="speaker", validate_choice=False,
    )


class ItemForm(ConferenceForm):
    kind = SelectField(_l("Kind"), choices=[SelectChoice(k, v) for k, v in ITEM_KIND_LABELS.items()])
    title_zh, title_zh_hant, title_en = name_fields(_l("Title"), required=False, max_length=300)
    release_zh, release_zh_hant, release_en = name_fields(_l("What is released"), required=False, max_length=300)
    starts = TimeField(_l("Starts"), validators=[Optional()], invalid_value_message=_l("Enter a time as hours:minutes."))
    ends = TimeField(_l("Ends"), validators=[Optional()], invalid_value_message=_l("Enter a time as hours:minutes."))
    position = IntegerField(
        _l("Order"), default=0, validators=[Optional(), NumberRange(0, 999)],
        invalid_value_message=_l("Enter a whole number."),
    )
    speakers = FieldList(FormField(SpeakerRow), min_entries=4, max_entries=40)
    confirm = BooleanField(_l("I have read the warnings above; save anyway"))


class SettingsForm(ConferenceForm):
    hall_buffer_minutes = IntegerField(
        _l("Minutes a hall needs between two sessions"),
        validators=[InputRequired(_l("Enter a number of minutes.")), NumberRange(0, 240, _l("Enter between 0 and 240 minutes."))],
        invalid_value_message=_l("Enter a whole number."),
    )
    venue_travel_minutes = IntegerField(
        _l("Minutes a speaker needs between two venues"),
        validators=[InputRequired(_l("Enter a number of minutes.")), NumberRange(0, 240, _l("Enter between 0 and 240 minutes."))],
        invalid_value_message=_l("Enter a whole number."),
    )
