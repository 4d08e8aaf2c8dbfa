"""The base form: WTForms' own messages (a bad number, a bad date) in the reader's language.

Flask-WTF asks gettext for 'zh_Hans_CN', which falls back to WTForms' Simplified catalogue even
for Traditional readers; this maps our three locales onto WTForms' zh, zh_TW and en.
"""

from functools import lru_cache

from babel import support
from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms import StringField
from wtforms.i18n import messages_path
from wtforms.widgets import HiddenInput

from conference.core.i18n import current_locale
from conference.core.text import clean

_WTFORMS_LOCALES = {"zh_Hans_CN": "zh", "zh_Hant_TW": "zh_TW", "en": "en"}


@lru_cache(maxsize=4)
def _wtforms_translations(locale: str):
    return support.Translations.load(
        messages_path(), [_WTFORMS_LOCALES.get(locale, "zh")], "wtforms"
    )


class ConferenceForm(FlaskForm):
    def hidden_tag(self, *fields):
        """The hidden fields (the CSRF token), without the ids nobody points at: a page with
        two forms would otherwise hold two elements of one id."""
        chosen = [getattr(self, name, None) if isinstance(name, str) else name for name in fields] or list(self)
        return Markup("\n").join(field(id=False) for field in chosen
                                  if field is not None and isinstance(field.widget, HiddenInput))

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
