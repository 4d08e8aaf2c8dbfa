"""Check-in: the rules of each entrance and the one function that decides a scan."""


def domain():
    from flask_babel import lazy_gettext as _l

    from conference.checkin import api, cli, demo, services, views, volunteer_api, volunteering
    from conference.core.domains import Domain, EditionEntry, Section, Step
    from conference.core.permissions import STAFF

    return Domain(
        name="checkin",
        blueprints=(views.bp,),
        # devices send a bearer token, never a cookie; a volunteer's own shifts take either
        json_apis=(api.bp, volunteer_api.bp),
        commands=(cli.checkin_cli,),
        permissions={
            "checkin.view": STAFF,
            "checkin.manage": frozenset({"admin", "organizer", "security"}),  # rules and scanner devices
            "checkin.lookup": frozenset({"admin", "organizer", "security"}),  # find a person without a badge
        },
        demo_steps=(Step("checkin", demo.load_checkin, requires=("venues", "badges")),),
        demo_notes=(demo.scanner_note,),
        clone_steps=(Step("checkin", services.clone_rules, requires=("venues",), label=_l("checkpoint rules")),),
        edition_page=(EditionEntry(_l("Check-in"), "checkin.index", "checkin.view", position=80),),
        # a volunteer whose shift at a checkpoint is on: the way to the scanner from their page
        sections=(Section("volunteers.me.first_shift", "checkin/_volunteer_scanner_link.html"),),
        handles={"volunteers.place_given_up": volunteering.withdraw_on_place_given_up},
    )
