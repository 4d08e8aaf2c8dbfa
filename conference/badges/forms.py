from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, IntegerField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional
from wtforms.widgets import HiddenInput

from conference.core.forms import ConferenceForm
from conference.people.forms import CATEGORY_LABELS

SORT_LABELS = {
    "pinyin": _l("Pinyin of the name"),
    "strokes": _l("Strokes of the family name (姓氏笔画)"),
    "organisation": _l("Organisation"),
    "serial": _l("Serial number"),
}
LAYOUT_LABELS = {"single": _l("One badge a page (100 × 140 mm)"), "a4": _l("Two badges on A4 with crop marks")}


class BatchForm(ConferenceForm):
    category = SelectField(_l("Category"), choices=[SelectChoice("", _l("All"))] + [SelectChoice(k, v) for k, v in CATEGORY_LABELS.items()])
    organisation = StringField(_l("Organisation"), validators=[Optional(), Length(max=200)])
    not_printed = BooleanField(_l("Only badges not printed yet"))
    sort = SelectField(_l("Order"), choices=[SelectChoice(k, v) for k, v in SORT_LABELS.items()])
    layout = SelectField(_l("Layout"), choices=[SelectChoice(k, v) for k, v in LAYOUT_LABELS.items()])
    limit = IntegerField(_l("At most"), validators=[Optional(), NumberRange(1, 10000, _l("Between 1 and 10000."))],
                         invalid_value_message=_l("Enter a whole number."))


class ReasonForm(ConferenceForm):
    reason = StringField(_l("Reason"), validators=[DataRequired(_l("Give a reason; it is written to the audit log.")), Length(max=300)])


class PrintForm(ConferenceForm):
    """Print one badge: the version the organizer saw (a superseded one is refused) and, after
    the warning that this version was printed before, `again`."""

    version = IntegerField(validators=[NumberRange(1, 255)], widget=HiddenInput())
    layout = SelectField(_l("Layout"), choices=[SelectChoice(k, v) for k, v in LAYOUT_LABELS.items()], default="single")
    again = HiddenField()
