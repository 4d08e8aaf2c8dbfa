"""Registration: categories, the online form, invitation codes, consent, approval, session
seats with waiting lists, imports and exports. It creates people.Person rows."""


def domain():
    from flask_babel import lazy_gettext as _l

    from conference.core.domains import Domain, EditionEntry, Step
    from conference.registration import api, cli, demo, services, views
    from conference.registration.models import Registration

    return Domain(
        name="registration",
        blueprints=(views.bp,),
        json_apis=(api.bp,),  # for other sites: no cookies, no CSRF
        commands=(cli.registration_cli,),
        demo_steps=(Step("registration", demo.load_registration, requires=("programme",)),),
        clone_steps=(
            Step("registration", services.clone_registration, label=_l("registration categories and the privacy notice")),
        ),
        edition_page=(EditionEntry(_l("Registrations"), "registration.index", "people.view", position=50),),
        # The form, the attendee's own page (cards below the sessions, buttons among its
        # actions) and the page that asks before cancelling.
        slots=("registration.form", "registration.own_page.cards", "registration.own_page.actions",
               "registration.cancel.consequences"),
        events=("registration.approved", "registration.cancelled"),  # payload: registration, actor
        personal_data={Registration: (
            "token_sealed", "document_sealed", "document_index", "document_masked", "nationality", "guardian_name",
        )},
    )
