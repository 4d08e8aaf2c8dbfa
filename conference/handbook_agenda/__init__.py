"""The attendee's personal agenda as a PDF: their sessions, hotel, pickup and shuttle, and the
organizers' desks, from the private page. (The handbook's own part, kept apart until the
handbook's package takes it in.)"""


def domain():
    from conference.core.domains import Domain, Section
    from conference.handbook_agenda import views

    return Domain(
        name="handbook_agenda",
        blueprints=(views.bp,),
        # A button among the private page's actions, beside the badge's.
        sections=(Section("registration.own_page.actions", "handbook_agenda/_own_page_action.html", views.offered),),
    )
