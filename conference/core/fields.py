"""Form pieces every domain uses: the zh / 繁 / en triple of a content field."""

from flask_babel import lazy_gettext as _l
from wtforms import SelectMultipleField, StringField, widgets
from wtforms.validators import DataRequired, Length, Optional


def name_fields(label, required: bool = True, max_length: int = 200):
    """Three fields for one text: Chinese (required), Traditional (optional, else converted),
    English."""
    zh_validators = [DataRequired(_l("Enter the Chinese text.")), Length(max=max_length)] if required else [Optional(), Length(max=max_length)]
    return (
        StringField(_l("%(label)s (Chinese)", label=label), validators=zh_validators),
        StringField(
            _l("%(label)s (Traditional Chinese, optional)", label=label),
            description=_l("Left empty, the Chinese text is shown in Traditional characters."),
            validators=[Optional(), Length(max=max_length)],
        ),
        StringField(_l("%(label)s (English)", label=label), validators=[Optional(), Length(max=max_length + 100)]),
    )


class MultiCheckbox(SelectMultipleField):
    """Several choices as a list of checkboxes."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()
