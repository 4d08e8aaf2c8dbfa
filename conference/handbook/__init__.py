"""The conference handbook (会议手册): a printed booklet in three languages, built in parallel
parts as a job, kept until what it shows changes, published for download; and each attendee's
personal agenda as a PDF from their private page."""


def domain():
    from flask_babel import lazy_gettext as _l

    from conference.core.domains import Domain, EditionEntry, Section, Step
    from conference.core.permissions import STAFF
    from conference.handbook import agenda_views, api, cli, demo, jobs, views

    return Domain(
        name="handbook",
        blueprints=(views.bp, agenda_views.bp),
        json_apis=(api.bp,),
        commands=(cli.handbook_cli,),
        jobs=(jobs,),
        demo_steps=(Step("handbook", demo.load_handbook, requires=("programme",)),),
        permissions={"handbook.view": STAFF, "handbook.manage": frozenset({"admin", "organizer"})},
        edition_page=(EditionEntry(_l("Conference handbook"), "handbook.index", "handbook.view", position=90),),
        # The published handbook's downloads on the public programme.
        sections=(Section("programme.public", "handbook/_public_downloads.html", views.public_downloads),
                  # the personal agenda's button among the private page's actions, beside the badge's
                  Section("registration.own_page.actions", "handbook/agenda/_own_page_action.html",
                          agenda_views.offered)),
    )
