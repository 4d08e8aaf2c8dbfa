"""The base form: WTForms' own messages (a bad number, a bad date) in the reader's language.

Flask-WTF asks gettext for 'zh_Hans_CN', which falls back to WTForms' Simplified catalogue even
for Traditional readers; this maps our three locales onto WTForms' zh, zh_TW and en.
"""

from functools import lru_cache

from babel import support
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms import DateField, DateTimeField, StringField, ValidationError
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


def plausible_year(_form, field) -> None:
    """A date of this era: year 1 or 9999 is a typo (and would overflow on its way to UTC)."""
    if field.data is not None and not 2000 <= field.data.year <= 2100:
        raise ValidationError(_("Enter a date between the years 2000 and 2100."))


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
            # Every date and time a person types is refused beside its field outside the years a
            # conference, a code or a shift can have (0023 for 2023).
            if issubclass(unbound_field.field_class, (DateField, DateTimeField)):
                validators = [*unbound_field.kwargs.get("validators", ()), plausible_year]
                return unbound_field.bind(form=form, validators=validators, **options)
            return unbound_field.bind(form=form, **options)
