"""Volunteers and working groups: the groups and their leads, applications and screening,
trainings, posts and shifts with their rules, shift check-in and hours, scanner rights from a
shift, and the service record certificate (志愿服务记录证明)."""


def domain():
    from flask_babel import lazy_gettext as _l

    from conference.core.domains import Domain, EditionEntry, Purge, Step
    from conference.core.permissions import STAFF
    from conference.volunteers import (
        applications,
        apply_views,
        attendance_views,
        cli,
        demo,
        group_views,
        groups,
        me_views,
        nights_views,
        records_demo,
        records_jobs,
        records_views,
        services,
        shift_views,
        signup_views,
    )
    from conference.volunteers.models import Volunteer

    return Domain(
        name="volunteers",
        blueprints=(me_views.bp, attendance_views.bp, group_views.bp, apply_views.bp, signup_views.bp, shift_views.bp,
                    records_views.bp, nights_views.bp),
        commands=(cli.volunteers_cli,),
        jobs=(records_jobs,),
        permissions={
            "volunteers.view": STAFF,
            # groups, posts, shifts, trainings and screening; a group lead within their groups
            "volunteers.manage": frozenset({"admin", "organizer", "group_lead"}),
            "volunteers.screen": frozenset({"admin", "organizer", "group_lead"}),
        },
        scopes={"group_lead": services.lead_scope},
        edition_page=(EditionEntry(_l("Volunteers and working groups"), "volunteers.index", "volunteers.view",
                                   position=65),
                      EditionEntry(_l("Volunteer coverage"), "volunteers_shifts.coverage", "volunteers.view", position=66),
                      EditionEntry(_l("Volunteers' no-shows now"), "volunteers_attendance.no_shows",
                                   "volunteers.manage", position=72),
                      EditionEntry(_l("Applications to volunteer"), "volunteers_apply.applications_list",
                                   "volunteers.screen", position=80),
                      EditionEntry(_l("Hotel nights without shifts"), "volunteers_nights.idle_nights", "hotels.view",
                                   position=59)),
        clone_steps=(Step("volunteers", groups.clone_groups, requires=("venues", "hotels"),
                          label=_l("working groups (without members), their posts and halls, and trainings")),),
        homes={"volunteer": me_views.home},
        # On the volunteer's own page: with their next or current shift, and cards below the rest.
        slots=("volunteers.me.first_shift", "volunteers.me.cards"),
        events=("volunteers.place_given_up",),  # (place, actor): checkin withdraws the shift's scanning rights
        demo_steps=(Step("volunteers", demo.load_volunteers, requires=("badges", "hotels")),
                    Step("volunteer_certificates", records_demo.issue_certificates, requires=("volunteers",))),
        demo_notes=(demo.demo_logins,),
        # ServiceRecord is left out on purpose: the Volunteer Service Regulations ask for service
        # records to be kept, and its verification page must keep working after the purge.
        personal_data={
            Volunteer: ("family_name", "given_name", "name_latin", "email", "phone_sealed", "phone_masked",
                        "document_sealed", "document_index", "document_masked", "nationality", "guardian_name",
                        "guardian_phone_sealed", "school_or_employer", "emergency_name", "emergency_phone_sealed",
                        "photo_file", "note", "interview_place", "decision_reason"),
        },
        purge=(Purge(_l("photos of volunteers (files deleted)"), applications.purge_photos, {Volunteer: ("photo_file",)}),
               Purge(_l("names of volunteers made initials"), applications.purge_names,
                     {Volunteer: ("family_name", "given_name", "name_latin")})),
    )
