"""Forms of applications and screening: the public form, the settings, the screeners' note,
interview slot and decisions. The service checks every value again; the forms keep what was
typed and carry WTForms' own messages."""

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
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
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from conference.core.fields import MultiCheckbox
from conference.core.forms import ConferenceForm
from conference.registration.forms import ID_TYPE_LABELS
from conference.volunteers.models import SHIRT_SIZES

STATUS_LABELS = {
    "applied": _l("Applied, waiting for an answer"),
    "waitlisted": _l("On the waiting list"),
    "accepted": _l("Accepted"),
    "rejected": _l("Not accepted"),
    "withdrawn": _l("Withdrawn"),
}
LEVEL_LABELS = {"basic": _l("basic"), "fluent": _l("fluent"), "native": _l("native")}
PART_LABELS = {"morning": _l("morning (7:00–12:00)"), "afternoon": _l("afternoon (12:00–18:00)"),
               "evening": _l("evening (18:00–23:00)")}
CONSENT_LABELS = {"privacy_notice": _l("privacy notice"), "identity_document": _l("identity document"),
                  "photo": _l("photo"), "guardian": _l("guardian")}


class ApplicationForm(ConferenceForm):
    family_name = StringField(_l("Family name"), description=_l("Exactly as on your identity document."),
                              validators=[Length(max=100)])
    given_name = StringField(_l("Given name"), validators=[Length(max=100)])
    name_latin = StringField(_l("Name in Latin letters (optional)"), description=_l("As in your passport, if it differs from pinyin."),
                             validators=[Length(max=200)])
    email = EmailField(_l("Email"), description=_l("Your private link and our answer are sent here."), validators=[Length(max=254)])
    phone = TelField(_l("Mobile phone"), description=_l("Mainland numbers as they are; others with +852, +853, +886 …"),
                     validators=[Length(max=40)])
    id_type = SelectField(_l("Identity document"), choices=[SelectChoice(k, v) for k, v in ID_TYPE_LABELS.items()],
                          validate_choice=False)
    id_number = StringField(_l("Document number"), validators=[Length(max=40)])
    nationality = SelectField(_l("Nationality (passports)"), validate_choice=False)
    declared_under_18 = BooleanField(_l("I will be under 18 on the first day of volunteering (documents without a birth date)"))
    school_or_employer = StringField(_l("School or employer"), validators=[Length(max=200)])
    skills = MultiCheckbox(_l("Skills"), validate_choice=True)
    availability = MultiCheckbox(_l("When you can volunteer"), validate_choice=True)
    shirt_size = SelectField(_l("T-shirt size"), choices=[SelectChoice("", "—")] + [SelectChoice(s, s) for s in SHIRT_SIZES],
                             validate_choice=False)
    emergency_name = StringField(_l("Emergency contact"), description=_l("Someone we call if something happens to you."),
                                 validators=[Length(max=100)])
    emergency_phone = TelField(_l("Emergency contact's phone"), validators=[Length(max=40)])
    returning = BooleanField(_l("I have volunteered at this conference before"))
    photo = FileField(_l("Photo (optional)"), description=_l("A recent portrait for your badge: JPEG, PNG or WebP, at most 5 MB."))
    guardian_name = StringField(_l("Parent or guardian (under 18 only)"), validators=[Length(max=100)])
    guardian_phone = TelField(_l("Parent's or guardian's phone (under 18 only)"), validators=[Length(max=40)])
    notice_version = HiddenField()
    consent_privacy = BooleanField(_l("I have read the volunteers' privacy notice above and agree to it."))
    consent_identity = BooleanField(_l("I agree separately that my identity document is used to check who I am and for "
                                       "the security check of the venues, as the notice explains."))
    consent_photo = BooleanField(_l("I agree separately that my photo is used for my badge and at the entrances."))
    consent_guardian = BooleanField(_l("I am the parent or guardian of an applicant under 18 and agree to this application."))


class SettingsForm(ConferenceForm):
    applications_open = BooleanField(_l("Applications are open"))
    max_daily_hours = IntegerField(_l("Most hours of shifts a volunteer works in a day"), validators=[
        InputRequired(_l("Enter a number.")), NumberRange(1, 16, _l("Between 1 and 16."))],
        invalid_value_message=_l("Enter a whole number."))
    rest_minutes = IntegerField(_l("Minutes of rest between two shifts"), validators=[
        InputRequired(_l("Enter a number.")), NumberRange(0, 480, _l("Between 0 and 480."))],
        invalid_value_message=_l("Enter a whole number."))
    no_show_minutes = IntegerField(_l("Minutes after a shift begins before a volunteer not checked in is a no-show"),
                                   validators=[InputRequired(_l("Enter a number.")), NumberRange(1, 240, _l("Between 1 and 240."))],
                                   invalid_value_message=_l("Enter a whole number."))


class NoticeForm(ConferenceForm):
    notice_zh = TextAreaField(_l("Notice (Chinese)"), render_kw={"rows": 10}, validators=[InputRequired(_l("Enter the notice.")), Length(max=30000)])
    notice_zh_hant = TextAreaField(_l("Notice (Traditional Chinese, optional)"), validators=[Optional(), Length(max=30000)])
    notice_en = TextAreaField(_l("Notice (English)"), render_kw={"rows": 10}, validators=[InputRequired(_l("Enter the notice.")), Length(max=30000)])


class ScreeningForm(ConferenceForm):
    note = TextAreaField(_l("Notes (screeners only)"), validators=[Optional(), Length(max=5000)])
    interview_at = DateTimeLocalField(_l("Interview"), format="%Y-%m-%dT%H:%M", validators=[Optional()],
                                      description=_l("Local time of the host city."),
                                      invalid_value_message=_l("Enter a date and time."))
    interview_place = StringField(_l("Interview place"), validators=[Optional(), Length(max=200)])

    def validate_interview_at(self, field):
        # Year 1 or 9999 would overflow on the way to UTC; an interview is in this era.
        if field.data is not None and not 2000 <= field.data.year <= 2100:
            raise ValidationError(_l("Enter a date between the years 2000 and 2100."))


class DecisionForm(ConferenceForm):
    group = SelectField(_l("Working group (when accepting)"), validate_choice=False)
    reason = TextAreaField(_l("Reason (the applicant reads it)"), validators=[Optional(), Length(max=1000)])


class RevealForm(ConferenceForm):
    reason = StringField(_l("Why do you need the full numbers?"),
                         validators=[DataRequired(_l("Give a reason; it is written to the audit log.")), Length(max=300)])


class WithdrawForm(ConferenceForm):
    pass
