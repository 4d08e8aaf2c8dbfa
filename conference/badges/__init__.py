"""Badges: signed QR payloads, access zones, templates per category, single and batch PDFs."""


def domain():
    from flask_babel import lazy_gettext as _l

    from conference.badges import cli, demo, jobs, services, views
    from conference.core.domains import Domain, EditionEntry, Section, Step

    return Domain(
        name="badges",
        blueprints=(views.bp,),
        commands=(cli.badges_cli,),
        # Printing and fetching batch PDFs: each badge carries a working code.
        permissions={"badges.print": frozenset({"admin", "organizer"})},
        demo_steps=(Step("badges", demo.load_badges, requires=("registration",)),),
        clone_steps=(Step("badges", services.clone_zones, label=_l("access zones and badge designs")),),
        jobs=(jobs,),
        edition_page=(EditionEntry(_l("Badges"), "badges.index", "people.view", position=60),),
        sections=(
            Section("registration.own_page.actions", "badges/_own_page_actions.html", views.the_badge),
            Section("registration.cancel.consequences", "badges/_cancel_consequences.html", views.the_badge),
        ),
        handles={
            "registration.approved": services.issue_on_approval,
            "registration.cancelled": services.revoke_on_cancellation,
        },
    )
