"""The audit log page: who did what to whose data in an edition, filtered and exported."""


def domain():
    from flask_babel import lazy_gettext as _l

    from conference.auditlog import views
    from conference.core.domains import Domain, EditionEntry

    return Domain(
        name="auditlog",
        blueprints=(views.bp,),
        # Admins only: the log is how organizers' reveals and unmasked exports are checked, so
        # those it records do not read it; it also holds every user's sign-ins and addresses.
        permissions={"audit.view": frozenset({"admin"})},
        edition_page=(EditionEntry(_l("Audit log"), "auditlog.index", "audit.view", position=90),),
    )
