"""Hotels and travel: hotels and their room blocks per night, stays and auto-assign, rooming
lists, arrivals and departures, pickup groups and the shuttle timetable."""


def domain():
    from flask_babel import lazy_gettext as _l

    from conference.core.domains import Domain, EditionEntry, Purge, Section, Step
    from conference.core.permissions import STAFF
    from conference.hotels import (
        api,
        assign,
        assign_views,
        attendee,
        cli,
        demo,
        rooming_views,
        services,
        travel,
        travel_views,
        views,
    )
    from conference.hotels.models import Journey, RoomingListSent, Stay, Traveller

    return Domain(
        name="hotels",
        blueprints=(views.bp, attendee.bp, rooming_views.bp, assign_views.bp, travel_views.bp),
        json_apis=(api.bp,),
        jobs=(assign,),
        commands=(cli.hotels_cli,),
        permissions={
            "hotels.view": STAFF,
            "hotels.manage": frozenset({"admin", "organizer"}),  # hotels, blocks, stays, rooming lists
        },
        demo_steps=(Step("hotels", demo.load_hotels, requires=("venues", "registration")),),
        clone_steps=(Step("hotels", services.clone_hotels, requires=("venues",),
                          label=_l("hotels, room types and room blocks, without stays")),),
        edition_page=(EditionEntry(_l("Hotels and travel"), "hotels.index", "hotels.view", position=55),
                      EditionEntry(_l("Rooming lists"), "hotels_rooming.overview", "hotels.manage", position=56),
                      EditionEntry(_l("Auto-assign rooms"), "hotels_assign.preview", "hotels.manage", position=57),
                      EditionEntry(_l("Arrivals, pickups and shuttles"), "hotels_travel.arrivals", "hotels.view",
                                   position=58)),
        # The attendee's hotel, nights, roommate, pickup and shuttles on their own page; the
        # shuttle timetable on the public programme.
        sections=(Section("registration.own_page.cards", "hotels/attendee/_card.html", attendee.card),
                  Section("programme.public", "hotels/travel/_public_shuttles.html", travel.public_timetable)),
        handles={"registration.cancelled": services.cancel_on_registration_cancelled},
        personal_data={
            Stay: ("note",),
            Journey: ("at", "number_sealed"),
            Traveller: ("travel_consent_at", "document_consent_at"),
            RoomingListSent: ("lines",),  # guests' names and nights as a hotel was told them
        },
        purge=(Purge(_l("arrivals and departures"), services.purge_journeys, {Journey: ("at", "number_sealed")}),),
    )
