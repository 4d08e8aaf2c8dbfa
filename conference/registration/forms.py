from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    EmailField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TelField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from conference.core.fields import MultiCheckbox
from conference.core.forms import ConferenceForm
from conference.core.i18n import current_locale, sort_key
from conference.core.urls import row_id
from conference.registration.identity import COUNTRIES

ID_TYPE_LABELS = {
    "resident_id": _l("Resident Identity Card (居民身份证)"),
    "residence_permit_hmt": _l("Residence Permit for Hong Kong, Macao and Taiwan Residents"),
    "hk_macau_permit": _l("Mainland Travel Permit for Hong Kong and Macao Residents"),
    "taiwan_permit": _l("Mainland Travel Permit for Taiwan Residents"),
    "foreign_permanent_id": _l("Foreign Permanent Resident ID Card"),
    "passport": _l("Passport"),
}
STATUS_LABELS = {
    "pending": _l("Waiting for approval"),
    "approved": _l("Approved"),
    "rejected": _l("Not approved"),
    "cancelled": _l("Cancelled"),
}
BOOKING_LABELS = {"confirmed": _l("Seat confirmed"), "waitlisted": _l("On the waiting list"), "cancelled": _l("Cancelled")}


# Taiwan is named as Hong Kong and Macao are, a region of China (CLDR calls it 台湾 alone).
REGION_NAMES = {"TW": {"zh_Hans_CN": "中国台湾", "zh_Hant_TW": "中國台灣", "en": "Taiwan, China"}}


def nationality_choices() -> list[SelectChoice]:
    """ISO 3166 countries by name in the reader's language (Babel's territory names), in the
    order a reader of that language looks for them: Chinese by pinyin, not by code point."""
    locale = current_locale()
    territories = get_locale().territories
    names = {code: REGION_NAMES.get(code, {}).get(locale) or territories.get(code, code) for code in COUNTRIES}
    codes = sorted(COUNTRIES, key=lambda code: sort_key(names[code]))
    return [SelectChoice("", "—")] + [SelectChoice(code, names[code]) for code in codes]


class RegistrationForm(ConferenceForm):
    category = SelectField(_l("I take part as"), validate_choice=False)
    invitation_code = StringField(
        _l("Invitation code"), description=_l("On your invitation letter, like ABCD-EFGH-JKLM."),
        validators=[Optional(), Length(max=40)],
    )
    family_name = StringField(_l("Family name"), description=_l("Exactly as on your identity document."), validators=[Length(max=100)])
    given_name = StringField(_l("Given name"), validators=[Length(max=100)])
    organisation = StringField(_l("Organisation"), validators=[Length(max=200)])
    title = StringField(_l("Position"), validators=[Length(max=200)])
    email = EmailField(_l("Email"), description=_l("Your confirmation and private link are sent here."), validators=[Length(max=254)])
    phone = TelField(_l("Mobile phone"), description=_l("Mainland numbers as they are; others with +852, +853, +886 …"), validators=[Length(max=40)])
    id_type = SelectField(_l("Identity document"), choices=[SelectChoice(k, v) for k, v in ID_TYPE_LABELS.items()], validate_choice=False)
    id_number = StringField(_l("Document number"), validators=[Length(max=40)])
    nationality = SelectField(_l("Nationality (passports)"), validate_choice=False)
    photo = FileField(_l("Photo (optional unless your category needs one)"),
                      description=_l("A recent portrait for your badge: JPEG, PNG or WebP, at most 5 MB."))
    sessions = MultiCheckbox(_l("Sessions"), coerce=row_id, validate_choice=False)
    guardian_name = StringField(_l("Parent or guardian (under 14 only)"), validators=[Length(max=100)])
    notice_version = HiddenField()
    consent_privacy = BooleanField(_l("I have read the privacy notice above and agree to it."))
    consent_identity = BooleanField(
        _l("I agree separately that my identity document is used for the security check of this conference, as the notice explains.")
    )
    consent_photo = BooleanField(_l("I agree separately that my photo is used for my badge and at the entrances."))
    consent_guardian = BooleanField(_l("I am the parent or guardian of a participant under 14 and agree to this registration."))


class LinkAgainForm(ConferenceForm):
    # On the registration page below its form, which has an email field of its own.
    email = EmailField(_l("Email address you registered with"), validators=[Length(max=254)], id="again-email")


class DecisionForm(ConferenceForm):
    reason = TextAreaField(_l("Reason (the attendee reads it)"), validators=[Optional(), Length(max=1000)])


class RevealForm(ConferenceForm):
    # On a registration's page beside the decision's reason.
    reason = StringField(_l("Why do you need the full number?"), validators=[DataRequired(_l("Give a reason; it is written to the audit log.")), Length(max=300)],
                         id="reveal-reason")


class ExportReasonForm(ConferenceForm):
    reason = StringField(_l("Why do you need full identity numbers and phones?"),
                         validators=[DataRequired(_l("Give a reason; it is written to the audit log.")), Length(max=300)])


class CodesForm(ConferenceForm):
    category = SelectField(_l("Category"), validate_choice=True)
    count = IntegerField(_l("How many codes"), default=10, validators=[InputRequired(_l("Enter a number.")), NumberRange(1, 5000, _l("Between 1 and 5000."))], invalid_value_message=_l("Enter a whole number."))
    max_uses = IntegerField(_l("Uses per code"), default=1, validators=[InputRequired(_l("Enter a number.")), NumberRange(1, 10000, _l("Between 1 and 10000."))], invalid_value_message=_l("Enter a whole number."))
    organisation = StringField(_l("For organisation (optional)"), validators=[Optional(), Length(max=200)])
    expires_on = DateField(_l("Valid until (optional)"), validators=[Optional()], invalid_value_message=_l("Enter a date as year-month-day."))


class ImportForm(ConferenceForm):
    category = SelectField(_l("Category"), validate_choice=True)
    file = FileField(_l("Excel file (.xlsx)"))


class SeatsForm(ConferenceForm):
    seats = IntegerField(_l("Seats"), validators=[InputRequired(_l("Enter the number of seats.")), NumberRange(0, 100000, _l("Enter a number between 0 and 100000."))], invalid_value_message=_l("Enter a whole number."))


FIELD_LABELS = {
    "organisation": _l("Organisation"),
    "title": _l("Position"),
    "email": _l("Email"),
    "phone": _l("Mobile phone"),
    "photo": _l("Photo"),
}


class CategoryForm(ConferenceForm):
    name_zh = StringField(_l("Name (Chinese)"), validators=[InputRequired(_l("Enter the Chinese name.")), Length(max=100)])
    name_zh_hant = StringField(_l("Name (Traditional Chinese, optional)"), validators=[Optional(), Length(max=100)])
    name_en = StringField(_l("Name (English)"), validators=[Optional(), Length(max=200)])
    open = BooleanField(_l("Open: anyone may register without an invitation code"))
    approval_required = BooleanField(_l("Registrations wait for an organizer's approval"))
    required_fields = MultiCheckbox(_l("Fields this category must give"), choices=[SelectChoice(k, v) for k, v in FIELD_LABELS.items()], validate_choice=True)
    sessions = MultiCheckbox(_l("Sessions this category may choose"), coerce=row_id, validate_choice=False)
    opens_at = DateTimeLocalField(_l("Registration opens"), format="%Y-%m-%dT%H:%M", validators=[Optional()],
                                  description=_l("Local time of the host city. Empty: registration stays closed."),
                                  invalid_value_message=_l("Enter a date and time."))
    closes_at = DateTimeLocalField(_l("Registration closes"), format="%Y-%m-%dT%H:%M", validators=[Optional()],
                                   description=_l("Empty: open until you close it."),
                                   invalid_value_message=_l("Enter a date and time."))


class NoticeForm(ConferenceForm):
    text_zh = TextAreaField(_l("Notice (Chinese)"), validators=[InputRequired(_l("Enter the notice.")), Length(max=20000)])
    text_zh_hant = TextAreaField(_l("Notice (Traditional Chinese, optional)"), validators=[Optional(), Length(max=20000)])
    text_en = TextAreaField(_l("Notice (English)"), validators=[InputRequired(_l("Enter the notice.")), Length(max=30000)])
    retention_days = IntegerField(_l("Days after the conference until identity numbers, phones and photos are deleted"),
                                  validators=[InputRequired(_l("Enter a number.")), NumberRange(1, 3650, _l("Between 1 and 3650."))],
                                  invalid_value_message=_l("Enter a whole number."))
