"""Forms of the organizers' volunteering pages: working groups, members and halls, posts,
shifts and trainings."""

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    EmailField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from conference.core.fields import MultiCheckbox, name_fields
from conference.core.forms import ConferenceForm
from conference.core.urls import optional_row_id
from conference.volunteers.services import LANGUAGE_LABELS, SKILL_LABELS

WHOLE_NUMBER = _l("Enter a whole number.")
POST_KIND_LABELS = {
    "checkpoint": _l("Badge scanning at a checkpoint"),
    "usher": _l("Hall usher"),
    "info_desk": _l("Information desk"),
    "press_centre": _l("Press centre"),
    "hotel_desk": _l("Hotel desk"),
    "pickup": _l("Airport or station pickup"),
    "medical": _l("Medical support"),
    "other": _l("Other"),
}
PLACE_KIND_LABELS = {"checkpoint": _l("Checkpoints"), "hall": _l("Halls"), "hotel": _l("Hotels"),
                     "travel": _l("Airports and stations")}


def _position():
    return IntegerField(_l("Order"), default=0, invalid_value_message=WHOLE_NUMBER,
                        validators=[Optional(), NumberRange(0, 999, _l("Enter a number between 0 and 999."))])


def _skills():
    return MultiCheckbox(_l("Skills needed"), choices=[SelectChoice(k, v) for k, v in SKILL_LABELS.items()], validate_choice=False)


def _languages():
    return MultiCheckbox(_l("Languages needed"), choices=[SelectChoice(k, v) for k, v in LANGUAGE_LABELS.items()], validate_choice=False)


def _training():
    return SelectField(_l("Training needed"), coerce=optional_row_id, validate_choice=False,
                       invalid_value_message=_l("Choose a training of this edition."))


class GroupForm(ConferenceForm):
    code = StringField(_l("Short code"), validators=[InputRequired(_l("Give the group a short code.")), Length(max=24)],
                       description=_l("Capital letters, digits and hyphens, such as MEET; on lists and in the command line."))
    name_zh, name_zh_hant, name_en = name_fields(_l("Name"), max_length=100)
    desk_phone = StringField(_l("Desk phone (public)"), validators=[Optional(), Length(max=40)],
                             description=_l("Printed in the handbook and shown to volunteers: the group's desk, never a person's own phone."))
    screens_volunteers = BooleanField(_l("This group screens volunteers' applications and issues their service records"))
    position = _position()


class MemberForm(ConferenceForm):
    email = EmailField(_l("Account email"), validators=[InputRequired(_l("Enter the account's email.")), Length(max=254)])
    lead = BooleanField(_l("Lead of the group (the account's role must be working-group lead)"))


class HallForm(ConferenceForm):
    hall_id = SelectField(_l("Hall"), coerce=optional_row_id, validate_choice=False,
                          invalid_value_message=_l("Choose a hall of this edition."), validators=[InputRequired(_l("Choose a hall."))])


class PostForm(ConferenceForm):
    code = StringField(_l("Short code"), validators=[InputRequired(_l("Give the post a short code.")), Length(max=24)],
                       description=_l("Capital letters, digits and hyphens, such as USHER-8."))
    kind = SelectField(_l("Kind of post"), choices=[SelectChoice(k, v) for k, v in POST_KIND_LABELS.items()],
                       validate_choice=False)
    name_zh, name_zh_hant, name_en = name_fields(_l("Name"))
    description_zh = TextAreaField(_l("What volunteers do here (Chinese)"), validators=[Optional(), Length(max=4000)])
    description_en = TextAreaField(_l("What volunteers do here (English)"), validators=[Optional(), Length(max=4000)])
    place = SelectField(_l("Place"), validate_choice=False)
    place_text = StringField(_l("Or the place in words"), validators=[Optional(), Length(max=200)],
                             description=_l("When the place is none of the list, such as 主会场北侧贵宾通道."))
    self_signup = BooleanField(_l("Volunteers may sign up for its shifts themselves"), default=True)
    training_id = _training()
    skills = _skills()
    languages = _languages()


class ShiftForm(ConferenceForm):
    """A new shift, on one or several days; editing keeps to one day."""

    days = MultiCheckbox(_l("Days"), validate_choice=False,
                         description=_l("The same shift is added on each day ticked."))
    day = SelectField(_l("Day"), validate_choice=False)
    starts = TimeField(_l("Begins"), default=None, format=["%H:%M", "%H:%M:%S"],
                       validators=[InputRequired(_l("Give the time the shift begins, such as 08:00."))])
    ends = TimeField(_l("Ends"), default=None, format=["%H:%M", "%H:%M:%S"],
                     validators=[InputRequired(_l("Give the time the shift ends, such as 12:00."))])
    needed = IntegerField(_l("Volunteers needed"), default=2, invalid_value_message=WHOLE_NUMBER,
                          validators=[InputRequired(_l("Give the volunteers needed."))])
    training_id = _training()
    skills = _skills()
    languages = _languages()
    note = StringField(_l("Note for the volunteers"), validators=[Optional(), Length(max=300)])


class TrainingForm(ConferenceForm):
    code = StringField(_l("Short code"), validators=[InputRequired(_l("Give the training a short code.")), Length(max=24)],
                       description=_l("Capital letters, digits and hyphens, such as T-USHER."))
    title_zh, title_zh_hant, title_en = name_fields(_l("Title"))
    starts_at = DateTimeLocalField(_l("Begins"), format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"],
                                   validators=[InputRequired(_l("Give the day and time the training begins."))])
    ends_at = DateTimeLocalField(_l("Ends"), format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"],
                                 validators=[InputRequired(_l("Give the day and time the training ends."))])
    place = StringField(_l("Place"), validators=[Optional(), Length(max=200)])
    checkpoint_id = SelectField(_l("Checkpoint where attendance is scanned"), coerce=optional_row_id,
                                validate_choice=False, invalid_value_message=_l("Choose a checkpoint of this edition."))
    capacity = IntegerField(_l("Seats"), default=50, invalid_value_message=WHOLE_NUMBER,
                            validators=[InputRequired(_l("Give the number of seats."))])


class BookForm(ConferenceForm):
    volunteer_id = SelectField(_l("Volunteer"), coerce=optional_row_id, validate_choice=False,
                               invalid_value_message=_l("Choose a volunteer of this edition."))
    group_id = SelectField(_l("Or every volunteer of a group"), coerce=optional_row_id, validate_choice=False,
                           invalid_value_message=_l("Choose a working group of this edition."))


class AttendanceForm(ConferenceForm):
    attended = BooleanField(_l("Attended"))
