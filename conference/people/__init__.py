"""One Person per human per edition, shared by every domain that deals with people."""


def domain():
    from flask_babel import lazy_gettext as _l

    from conference.core.domains import Domain, EditionEntry, Purge
    from conference.core.permissions import STAFF
    from conference.people import services, views
    from conference.people.models import Person

    return Domain(
        name="people",
        blueprints=(views.bp,),
        permissions={"people.view": STAFF, "people.manage": frozenset({"admin", "organizer"})},
        edition_page=(EditionEntry(_l("People"), "people.index", "people.view", position=70),),
        personal_data={Person: (
            "family_name", "given_name", "name_latin", "name_pinyin", "name_initials", "organisation",
            "organisation_en", "title", "title_en", "bio_zh", "bio_en", "email", "phone_sealed",
            "phone_masked", "photo_file",
        )},
        purge=(Purge(_l("photos of people (files deleted)"), services.purge_photos, {Person: ("photo_file",)}),
               Purge(_l("names of people made initials, profiles emptied (published speakers keep theirs)"), services.purge_names,
                     {Person: (*services.PROFILE, "name_initials")})),
    )
