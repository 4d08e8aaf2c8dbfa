"""What every domain shares: model mixins, permissions, the audit log, personal-data
protection, language helpers, error pages and the demo-data registry."""


def domain():
    from flask_babel import lazy_gettext as _l

    from conference.core import demo, jobs, mail, views
    from conference.core.domains import Domain, Purge
    from conference.core.models import AuditEntry, Job

    return Domain(
        name="core",
        blueprints=(views.bp,),
        commands=(demo.demo_cli,),
        permissions={"pii.reveal": frozenset({"admin", "organizer"})},
        jobs=(mail,),
        # An entry's actor is a user account (accounts declares its email): the log keeps who
        # did what; the addresses it was done from go with the edition's other data.
        personal_data={AuditEntry: ("ip",), Job: ("file_path",)},
        purge=(Purge(_l("files made by jobs (badges, rooming lists, certificates)"), jobs.purge_results,
                     {Job: ("file_path",)}),),
    )
