"""Venues, their halls, entrances (checkpoints) and the standard hall checklist (拎包开会)."""


def domain():
    from flask_babel import lazy_gettext as _l

    from conference.core.domains import Domain, EditionEntry, Step
    from conference.venues import demo, services, views

    return Domain(
        name="venues",
        blueprints=(views.bp,),
        permissions={
            "venues.manage": frozenset({"admin", "organizer"}),
            "checklist.tick": frozenset({"admin", "organizer", "group_lead"}),
        },
        demo_steps=(Step("venues", demo.load_venues, requires=("editions",)),),
        clone_steps=(
            Step("venues", services.clone_venues, label=_l("venues, halls and checkpoints")),
            Step("checklist", services.clone_checklist, label=_l("the standard hall checklist")),
        ),
        # Beside the programme: those who plan sessions see the halls (programme.view).
        edition_page=(
            EditionEntry(_l("Venues and halls"), "venues.index", "programme.view", position=30),
            EditionEntry(_l("Standard hall checklist"), "venues.checklist", "programme.view", position=40),
        ),
    )
