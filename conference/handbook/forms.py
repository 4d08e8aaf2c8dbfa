from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import BooleanField, SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length

from conference.core.forms import ConferenceForm
from conference.handbook.models import LANGUAGES, SIZES, TEXT_KEYS
from conference.handbook.services import MAX_TEXT

LANGUAGE_LABELS = {"zh_Hans": "简体中文", "zh_Hant": "繁體中文", "en": "English"}
SIZE_LABELS = {"a5": _l("A5 booklet"), "a4": _l("A4")}
TEXT_LABELS = {"welcome": _l("Welcome"), "contacts": _l("Note under the working groups' desks"),
               "notes": _l("Practical notes (medical, emergency, Wi-Fi, meals, press centre)")}


class BuildForm(ConferenceForm):
    language = SelectField(_l("Language"), choices=[SelectChoice(k, v) for k, v in LANGUAGE_LABELS.items()])
    size = SelectField(_l("Size"), choices=[SelectChoice(key, SIZE_LABELS[key]) for key in SIZES])
    bleed = BooleanField(_l("3 mm bleed and crop marks, for the printer"))


class CoverForm(ConferenceForm):
    cover_image = FileField(_l("Cover image"), description=_l(
        "PNG, JPEG or WebP, up to 10 MB; printed across the top of the cover, to the edge of the page, trimmed "
        "to fit and never stretched. About 1,800 × 1,100 pixels or more prints sharp. A new image replaces the "
        "old one."))
    remove_cover = BooleanField(_l("Remove the cover image"))


class TextsForm(ConferenceForm):
    """One Markdown field for each text and language: welcome_zh_Hans … notes_en."""


for _key in TEXT_KEYS:
    for _language in LANGUAGES:
        setattr(TextsForm, f"{_key}_{_language}", TextAreaField(
            f"{TEXT_LABELS[_key]} · {LANGUAGE_LABELS[_language]}",
            validators=[Length(max=MAX_TEXT, message=_l("At most %(max)d characters."))]))
