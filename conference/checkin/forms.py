from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateTimeLocalField, RadioField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from conference.core.fields import MultiCheckbox
from conference.core.forms import ConferenceForm
from conference.core.urls import optional_row_id, row_id

MODE_LABELS = {
    "entry": _l("Entry"),
    "exit": _l("Exit"),
    "both": _l("Entry and exit (the volunteer switches)"),
}
RESULT_LABELS = {
    "admitted": _l("Admitted"),
    "already_inside": _l("Already inside"),
    "not_allowed_here": _l("Not allowed here"),
    "outside_hours": _l("Outside opening hours"),
    "revoked": _l("Revoked"),
    "superseded": _l("Superseded badge"),
    "wrong_edition": _l("Another edition"),
    "invalid": _l("Invalid"),
    "left": _l("Left"),
}
# The one big word on the scanner's screen.
SCANNER_WORDS = {
    "admitted": _l("ADMITTED"),
    "already_inside": _l("ALREADY INSIDE"),
    "not_allowed_here": _l("NOT HERE"),
    "outside_hours": _l("CLOSED NOW"),
    "revoked": _l("REVOKED"),
    "superseded": _l("OLD BADGE"),
    "wrong_edition": _l("WRONG EDITION"),
    "invalid": _l("INVALID"),
    "left": _l("EXIT RECORDED"),
}
KIND_LABELS = {"entry": _l("Entry"), "exit": _l("Exit"), "print": _l("Print"), "lookup": _l("Look-up")}


class RuleForm(ConferenceForm):
    categories = MultiCheckbox(_l("Categories that may pass"), validate_choice=True,
                               description=_l("None ticked: every category."))
    zones = MultiCheckbox(_l("Access zones that open it (any one)"), validate_choice=True,
                          description=_l("None ticked: any badge."))
    session_id = SelectField(_l("Invitation-only session"), coerce=optional_row_id, validate_choice=True,
                             description=_l("Then only people with a confirmed seat in it may pass."))
    opens_at = DateTimeLocalField(_l("Opens at"), format="%Y-%m-%dT%H:%M", validators=[Optional()],
                                  description=_l("Local time of the host city. Empty: always open."))
    closes_at = DateTimeLocalField(_l("Closes at"), format="%Y-%m-%dT%H:%M", validators=[Optional()])
    mode = RadioField(_l("Mode"), choices=[SelectChoice(k, v) for k, v in MODE_LABELS.items()], default="entry")
    reentry = BooleanField(_l("Re-entry allowed"), default=True)
    checks_out_elsewhere = BooleanField(_l("Entering here checks the person out of the other halls"))


class DeviceForm(ConferenceForm):
    checkpoint_id = SelectField(_l("Checkpoint"), coerce=row_id, validate_choice=True)
    name = StringField(_l("Device name"), validators=[DataRequired(_l("Give the device a name.")), Length(max=80)],
                       description=_l("The volunteer's name or the phone's label, so it can be found when lost."))


class LookupAdmitForm(ConferenceForm):
    checkpoint_id = SelectField(_l("Checkpoint"), coerce=row_id, validate_choice=True)
    reason = StringField(_l("Reason"), validators=[DataRequired(_l("Say why the badge was not scanned.")), Length(max=300)],
                         description=_l("For example: badge forgotten at the hotel, identity checked."))
