"""The base form: WTForms' own messages (a bad number, a bad date) in the reader's language.

Flask-WTF asks gettext for 'zh_Hans_CN', which falls back to WTForms' Simplified catalogue even
for Traditional readers; this maps our three locales onto WTForms' zh, zh_TW and en.
"""

from functools import lru_cache

from babel import support
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.i18n import messages_path

from conference.core.i18n import current_locale
from conference.core.text import clean

_WTFORMS_LOCALES = {"zh_Hans_CN": "zh", "zh_Hant_TW": "zh_TW", "en": "en"}


@lru_cache(maxsize=4)
def _wtforms_translations(locale: str):
    return support.Translations.load(
        messages_path(), [_WTFORMS_LOCALES.get(locale, "zh")], "wtforms"
    )


class ConferenceForm(FlaskForm):
    def show(self, refusal, fallback: str) -> None:
        """A service's refusal beside the field it names, else beside `fallback`."""
        field = getattr(self, refusal.field or fallback, None) or getattr(self, fallback)
        field.errors = [*field.errors, refusal.message]

    class Meta:
        def get_translations(self, form):
            return _wtforms_translations(current_locale())

        def bind_field(self, form, unbound_field, options):
            # Every text field of every form drops control characters before validation.
            if issubclass(unbound_field.field_class, StringField):
                filters = [*unbound_field.kwargs.get("filters", ()), clean]
                return unbound_field.bind(form=form, filters=filters, **options)
            return unbound_field.bind(form=form, **options)
