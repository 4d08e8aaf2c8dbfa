"""Forms of the reception group's pages: the list's filters, pickup groups, shuttle runs."""

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional, Regexp

from conference.core.forms import ConferenceForm
from conference.core.urls import optional_row_id

DIRECTION_LABELS = {"arrival": _l("Arrival"), "departure": _l("Departure")}
LEG_LABELS = {"to_venue": _l("Hotel to venue"), "to_hotel": _l("Venue to hotel"),
              "between_venues": _l("Between venues")}
TIME_MESSAGE = _l("Enter a time as hours:minutes.")


def _day(value):
    return value or None


class TravelFilterForm(ConferenceForm):
    """The list's filters, read from the address (a GET form: nothing to protect)."""

    class Meta:
        csrf = False

    day = SelectField(_l("Day"), coerce=_day, validate_choice=True)
    place_id = SelectField(_l("Airport or station"), coerce=optional_row_id, validate_choice=True)
    direction = SelectField(_l("Direction"), coerce=_day, validate_choice=True,
                            choices=[SelectChoice("", _l("Both"))] + [SelectChoice(k, v) for k, v in DIRECTION_LABELS.items()])


class PickupGroupForm(ConferenceForm):
    place_id = SelectField(_l("Airport or station"), coerce=optional_row_id, validate_choice=True)
    direction = SelectField(_l("Direction"), choices=[SelectChoice(k, v) for k, v in DIRECTION_LABELS.items()])
    day = DateField(_l("Day"), validators=[Optional()], description=_l("The host city's date."))
    starts = TimeField(_l("Window opens"), validators=[Optional()], invalid_value_message=TIME_MESSAGE)
    ends = TimeField(_l("Window closes"), validators=[Optional()], invalid_value_message=TIME_MESSAGE,
                     description=_l("People arriving (or leaving) between these times, the host city's clock."))
    vehicle = StringField(_l("Vehicle"), validators=[Length(max=100)], description=_l("Type and plate, such as 考斯特 闽D·12345."))
    capacity = IntegerField(_l("Seats for passengers"), validators=[Optional()],
                            invalid_value_message=_l("Enter a whole number."))
    driver = StringField(_l("Driver"), validators=[Optional(), Length(max=100)])
    driver_phone = StringField(
        _l("Fleet's duty phone"), validators=[Optional(), Length(max=40), Regexp(r"^[0-9+()\- ]*$", message=_l("Digits, spaces, + ( ) and - only."))],
        description=_l("The dispatcher's number the driver and the reception desk call; never a personal phone."))
    note = TextAreaField(_l("Note for the driver"), validators=[Optional(), Length(max=2000)])


class PutInGroupForm(ConferenceForm):
    journey_id = SelectField(_l("Person"), coerce=optional_row_id, validate_choice=True)
    confirm = BooleanField(_l("Put in anyway: I have read the warning"))


class ShuttleRunForm(ConferenceForm):
    leg = SelectField(_l("Route"), choices=[SelectChoice(k, v) for k, v in LEG_LABELS.items()])
    hotel_id = SelectField(_l("Hotel"), coerce=optional_row_id, validate_choice=True,
                           description=_l("For a run between a hotel and a venue."))
    venue_id = SelectField(_l("Venue"), coerce=optional_row_id, validate_choice=True,
                           description=_l("Between venues: the venue it leaves from."))
    other_venue_id = SelectField(_l("Goes on to venue"), coerce=optional_row_id, validate_choice=True,
                                 description=_l("Between venues only."))
    day = DateField(_l("Day"), validators=[Optional()])
    departs = TimeField(_l("Leaves at"), validators=[Optional()], invalid_value_message=TIME_MESSAGE)
    arrives = TimeField(_l("Arrives at"), validators=[Optional()], invalid_value_message=TIME_MESSAGE)
    note = StringField(_l("Note"), validators=[Optional(), Length(max=200)])
