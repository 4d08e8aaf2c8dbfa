from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import BooleanField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from conference.core.fields import name_fields
from conference.core.forms import ConferenceForm
from conference.core.urls import optional_row_id

LAYOUT_LABELS = {
    "theatre": _l("Theatre rows"),
    "classroom": _l("Classroom"),
    "round_tables": _l("Round tables"),
    "banquet": _l("Banquet"),
    "boardroom": _l("Boardroom"),
    "u_shape": _l("U-shape"),
    "standing": _l("Standing"),
}
AREA_LABELS = {"inside": _l("Inside the hall"), "outside": _l("Outside the hall")}

def _position():
    """Made in each form's body, so that it comes last on the form, not first."""
    return IntegerField(_l("Order"), default=0, validators=[Optional(), NumberRange(0, 999)],
                        invalid_value_message=_l("Enter a whole number."))


def _plan_fields():
    """The floor plan's upload on a venue's or a hall's form, last on the form."""
    return (
        FileField(_l("Floor plan"), description=_l(
            "PNG, JPEG or WebP, up to 10 MB; shown on the venue pages, in the public programme and in the "
            "handbook. A new image replaces the old one.")),
        BooleanField(_l("Remove the floor plan")),
    )


def place_form(form_class, place):
    """The venue's or hall's form; the box that removes the plan only where one is kept."""
    form = form_class(obj=place)
    if place is None or not place.plan_file:
        del form.remove_plan
    return form


class VenueForm(ConferenceForm):
    name_zh, name_zh_hant, name_en = name_fields(_l("Name"))
    address_zh = StringField(_l("Address (Chinese)"), validators=[Optional(), Length(max=300)])
    address_en = StringField(_l("Address (English)"), validators=[Optional(), Length(max=300)])
    position = _position()
    plan_image, remove_plan = _plan_fields()


class HallForm(ConferenceForm):
    name_zh, name_zh_hant, name_en = name_fields(_l("Name"))
    capacity = IntegerField(
        _l("Seats"),
        validators=[InputRequired(_l("Enter the number of seats.")), NumberRange(0, 20000, _l("Enter a number between 0 and 20000."))],
        invalid_value_message=_l("Enter a whole number."),
    )
    floor = StringField(_l("Floor"), validators=[Optional(), Length(max=16)])
    layout = SelectField(_l("Seating layout"), choices=[SelectChoice(k, v) for k, v in LAYOUT_LABELS.items()])
    interpretation_booth = BooleanField(_l("Interpretation booth"))
    step_free = BooleanField(_l("Step-free access"), default=True)
    position = _position()
    plan_image, remove_plan = _plan_fields()


class CheckpointForm(ConferenceForm):
    name_zh, name_zh_hant, name_en = name_fields(_l("Name"))
    code = StringField(_l("Short code"), validators=[InputRequired(), Length(max=24)],
                       description=_l("Capital letters, digits and hyphens, such as GT-MAIN; on signs and on the scanner."))
    hall_id = SelectField(_l("Door of"), coerce=optional_row_id, validate_choice=True)
    position = _position()


class TemplateItemForm(ConferenceForm):
    area = SelectField(_l("Where"), choices=[SelectChoice(k, v) for k, v in AREA_LABELS.items()])
    label_zh, label_zh_hant, label_en = name_fields(_l("Item"))


class TickForm(ConferenceForm):
    done = BooleanField(_l("Done"))
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=2000)])
