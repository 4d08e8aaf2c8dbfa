"""The forms of a lead's attendance page: the time of a check-in or check-out by hand, and a
correction of the minutes a place is worth with its reason."""

from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, StringField, TimeField
from wtforms.validators import Length, Optional

from conference.core.forms import ConferenceForm


class MomentForm(ConferenceForm):
    at = TimeField(_l("Time"), validators=[Optional()], description=_l("Leave empty for now."))


class CorrectionForm(ConferenceForm):
    # Checked by services.correct_minutes, which says what is wrong beside the field.
    minutes = IntegerField(_l("Minutes worked"), validators=[Optional()])
    reason = StringField(_l("Reason"), validators=[Length(max=300)],
                         description=_l("Kept with the hours and in the audit log."))
