from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    FloatField,
    IntegerField,
    SelectField,
    StringField,
    TimeField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from conference.core.fields import name_fields
from conference.core.forms import ConferenceForm
from conference.core.urls import optional_row_id
from conference.people.forms import CATEGORY_LABELS

KIND_LABELS = {"guest": _l("Guest hotel"), "audience": _l("Invited-audience hotel"), "staff": _l("Staff hotel")}
KIND_HEADINGS = {"guest": _l("Guest hotels"), "audience": _l("Invited-audience hotels"), "staff": _l("Staff hotels")}
ROOM_KIND_LABELS = {"king": _l("King (one large bed)"), "twin": _l("Twin (two beds)"), "suite": _l("Suite")}
STATUS_LABELS = {
    "requested": _l("Requested"),
    "waitlisted": _l("On the waiting list"),
    "assigned": _l("Assigned"),
    "confirmed": _l("Confirmed by the hotel"),
    "cancelled": _l("Cancelled"),
}
WHOLE_NUMBER = _l("Enter a whole number.")


def _position():
    return IntegerField(_l("Order"), default=0, validators=[Optional(), NumberRange(0, 999, _l("Enter a number between 0 and 999."))],
                        invalid_value_message=WHOLE_NUMBER)


class PlaceForm(ConferenceForm):
    """Put a stay in a room: a room type of a hotel, or the twin room another stay holds."""

    room_type_id = SelectField(_l("Hotel and room"), coerce=optional_row_id, validate_choice=False)
    shares_with_id = SelectField(_l("Or share the twin room of"), coerce=optional_row_id, validate_choice=False)
    confirm = BooleanField(_l("Place anyway: I have read the warnings"))


class HotelForm(ConferenceForm):
    code = StringField(_l("Short code"), validators=[InputRequired(_l("Give the hotel a short code.")), Length(max=24)],
                       description=_l("Capital letters, digits and hyphens, such as H-HAIYUE; on lists and in the command line."))
    name_zh, name_zh_hant, name_en = name_fields(_l("Name"))
    kind = SelectField(_l("Who stays here"), choices=[SelectChoice(k, v) for k, v in KIND_LABELS.items()])
    stars = IntegerField(_l("Stars"), default=0, validators=[Optional()], invalid_value_message=WHOLE_NUMBER,
                         description=_l("0 when the hotel is not rated."))
    address_zh = StringField(_l("Address (Chinese)"), validators=[Optional(), Length(max=300)])
    address_en = StringField(_l("Address (English)"), validators=[Optional(), Length(max=300)])
    latitude = FloatField(_l("Latitude"), validators=[Optional()], invalid_value_message=_l("Enter a number, such as 24.4798."))
    longitude = FloatField(_l("Longitude"), validators=[Optional()], invalid_value_message=_l("Enter a number, such as 118.0894."))
    phone = StringField(_l("Front desk phone"), validators=[Optional(), Length(max=40)])
    check_in_time = TimeField(_l("Check-in from"), default=None, format=["%H:%M", "%H:%M:%S"],
                              validators=[InputRequired(_l("Give the time, such as 14:00."))])
    check_out_time = TimeField(_l("Check-out by"), default=None, format=["%H:%M", "%H:%M:%S"],
                               validators=[InputRequired(_l("Give the time, such as 12:00."))])
    position = _position()
    map_image = FileField(_l("Map image"), description=_l("PNG, JPEG or WebP, up to 5 MB; shown to the people staying here."))
    remove_map = BooleanField(_l("Remove the map image"))


def travel_field_name(venue_id: int) -> str:
    return f"minutes_{venue_id}"


def hotel_form(venues, **kwargs) -> HotelForm:
    """The hotel form with a field for the shuttle's minutes to each of the edition's venues."""

    class Form(HotelForm):
        pass

    for venue in venues:
        setattr(Form, travel_field_name(venue.id), IntegerField(
            _l("Minutes to %(venue)s", venue=venue.name), validators=[Optional()], invalid_value_message=WHOLE_NUMBER))
    return Form(**kwargs)


class RoomTypeForm(ConferenceForm):
    kind = SelectField(_l("Kind of room"), choices=[SelectChoice(k, v) for k, v in ROOM_KIND_LABELS.items()])
    name_zh, name_zh_hant, name_en = name_fields(_l("The hotel's name for it"), required=False, max_length=100)
    beds = IntegerField(_l("Beds"), default=1, validators=[InputRequired(_l("Give the number of beds."))],
                        invalid_value_message=WHOLE_NUMBER)
    accessible = BooleanField(_l("Accessible (step-free, wide doors, grab rails)"))
    smoking = BooleanField(_l("Smoking allowed"))
    position = _position()


def block_field_names(night: date) -> tuple[str, str, str]:
    day = night.strftime("%Y%m%d")
    return f"rooms_{day}", f"price_{day}", f"release_on_{day}"


def blocks_form(nights: list[date], **kwargs) -> ConferenceForm:
    """Rooms, price and release date for each night of a room type."""

    class Form(ConferenceForm):
        pass

    for night in nights:
        rooms, price, release_on = block_field_names(night)
        setattr(Form, rooms, IntegerField(_l("Rooms"), validators=[Optional()], invalid_value_message=WHOLE_NUMBER))
        setattr(Form, price, IntegerField(_l("Price a night (yuan)"), validators=[Optional()],
                                          invalid_value_message=WHOLE_NUMBER))
        setattr(Form, release_on, DateField(_l("Released on"), validators=[Optional()],
                                            description=_l("Rooms not taken by then go back to the hotel.")))
    return Form(**kwargs)


class AddNightForm(ConferenceForm):
    night = DateField(_l("Another night"), validators=[InputRequired(_l("Give the night's date."))])


def lodging_field_names(category: str) -> tuple[str, str]:
    return f"kind_{category}", f"offered_{category}"


def lodging_form(**kwargs) -> ConferenceForm:
    """For each category of people: the kind of hotel they stay in, and whether they may ask."""

    class Form(ConferenceForm):
        pass

    choices = [SelectChoice("", _l("No hotel"))] + [SelectChoice(k, v) for k, v in KIND_LABELS.items()]
    for category, label in CATEGORY_LABELS.items():
        kind, offered = lodging_field_names(category)
        setattr(Form, kind, SelectField(label, choices=choices))
        setattr(Form, offered, BooleanField(_l("May ask for a room themselves")))
    return Form(**kwargs)


class ConfirmStayForm(ConferenceForm):
    reference = StringField(_l("The hotel's confirmation number"), validators=[Optional(), Length(max=40)])


class CancelStayForm(ConferenceForm):
    """Only the token: cancelling is asked first on a page of its own."""
