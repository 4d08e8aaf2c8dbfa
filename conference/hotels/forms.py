from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectField

from conference.core.forms import ConferenceForm
from conference.core.urls import optional_row_id


class PlaceForm(ConferenceForm):
    """Put a stay in a room: a room type of a hotel, or the twin room another stay holds."""

    room_type_id = SelectField(_l("Hotel and room"), coerce=optional_row_id, validate_choice=False)
    shares_with_id = SelectField(_l("Or share the twin room of"), coerce=optional_row_id, validate_choice=False)
    confirm = BooleanField(_l("Place anyway: I have read the warnings"))
