"""Personal data over its whole life: the retention purge (a command and a daily job), backups
and restores, withdrawing a consent, and the processing record for the impact assessment."""


def domain():
    from flask_babel import lazy_gettext as _l

    from conference.core.domains import Domain, EditionEntry, Section
    from conference.privacy import cli, jobs, views

    return Domain(
        name="privacy",
        blueprints=(views.bp,),
        commands=(cli.privacy_cli, cli.backup_command, cli.restore_command),
        jobs=(jobs,),
        permissions={"privacy.record": frozenset({"admin", "organizer"})},
        edition_page=(EditionEntry(_l("Processing record of personal data"), "privacy.processing_record",
                                   "privacy.record", position=88),),
        sections=(Section("editions.detail.facts", "privacy/_retention_fact.html", views.retention_fact),
                  Section("registration.own_page.cards", "privacy/_consents_card.html", views.attendee_card),
                  Section("volunteers.me.cards", "privacy/_consents_card.html", views.volunteer_card)),
    )
