"""What every domain shares: model mixins, permissions, the audit log, personal-data
protection, language helpers, error pages and the demo-data registry."""


def domain():
    from conference.core import demo, mail, views
    from conference.core.domains import Domain
    from conference.core.models import AuditEntry

    return Domain(
        name="core",
        blueprints=(views.bp,),
        commands=(demo.demo_cli,),
        permissions={"pii.reveal": frozenset({"admin", "organizer"})},
        jobs=(mail,),
        personal_data={AuditEntry: ("actor", "ip")},
    )
