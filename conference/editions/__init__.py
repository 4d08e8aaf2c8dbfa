"""The annual edition: year, city, theme, dates, hosts; cloned from last year's."""


def domain():
    from flask_babel import lazy_gettext as _l

    from conference.core.domains import Domain, Step
    from conference.core.permissions import STAFF
    from conference.editions import cli, demo, services, views

    return Domain(
        name="editions",
        blueprints=(views.bp,),
        commands=(cli.editions_cli,),
        permissions={"editions.view": STAFF, "editions.manage": frozenset({"admin", "organizer"})},
        demo_steps=(Step("editions", demo.load_edition),),
        slots=("editions.detail.facts",),  # facts higher domains add to the edition page's list
        clone_steps=(Step("organisations", services.clone_organisations, label=_l("hosts and organizers")),),
    )
