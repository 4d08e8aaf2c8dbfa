"""The programme: sessions (forums, ceremonies, the gala), agenda items, speakers, conflicts,
the public programme and its exports (iCalendar, JSON, frab XML)."""


def domain():
    from flask_babel import lazy_gettext as _l

    from conference.core.domains import Domain, EditionEntry, Step
    from conference.core.permissions import STAFF
    from conference.programme import api, demo, public, services, views

    return Domain(
        name="programme",
        blueprints=(views.bp, public.bp),
        json_apis=(api.bp,),
        permissions={"programme.view": STAFF, "programme.manage": frozenset({"admin", "organizer"})},
        demo_steps=(Step("programme", demo.load_programme, requires=("venues",)),),
        clone_steps=(
            Step("programme", services.clone_sessions, requires=("venues",), label=_l("sessions without times, as drafts")),
        ),
        edition_page=(
            EditionEntry(_l("Programme"), "programme.index", "programme.view", position=10),
            EditionEntry(_l("Schedule grid"), "programme.schedule_grid", "programme.view", position=20),
            EditionEntry(_l("Public programme"), "public.programme", position=100),
        ),
        slots=("programme.public",),
    )
