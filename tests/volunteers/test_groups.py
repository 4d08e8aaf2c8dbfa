"""The organizers' volunteering overview and working-group pages: who may open what (a group
lead only their own groups), a group's fields checked beside each field with what was typed
kept, members and leads, the halls a group looks after, and deleting a group."""

import re

import pytest
from sqlalchemy import func, select

from conference.core.models import AuditEntry
from conference.editions.services import get_edition
from conference.extensions import db
from conference.volunteers.models import GroupMember, HallGroup, Post, Volunteer, WorkingGroup
from tests.conftest import csrf_token, login, make_user, submit
from tests.volunteers import factories

EN = {"Accept-Language": "en"}
BASE = "/editions/2023/volunteers"


@pytest.fixture(name="ids")
def ids_fixture(app):
    """The test world, its ids, a lead of each group, and a booked volunteer of the meeting group."""
    with app.app_context():
        w = factories.world()
        factories.lead(w, w.meeting_group, "meet-lead@example.org")
        factories.lead(w, w.services_group, "vol-lead@example.org")
        one = factories.volunteer(w, "Li", group=w.meeting_group)
        return {"meet": w.meeting_group.id, "vol": w.services_group.id, "usher": w.usher_post.id,
                "desk": w.desk_post.id, "usher_shift": w.shifts[0].id, "desk_shift": w.shifts[2].id,
                "training": w.training.id, "hall": w.hall.id, "li": one.id}


def sign_in(app, client, who: str) -> None:
    """`who`: a role, or meet-lead / vol-lead (the two groups' leads), or anonymous."""
    if who == "anonymous":
        return
    if who in ("meet-lead", "vol-lead"):
        login(client, f"{who}@example.org", factories.PASSWORD)
        return
    login(client, make_user(app, who))


def group_form(**changes) -> dict:
    data = {"code": "MED", "name_zh": "医疗保障组", "name_zh_hant": "", "name_en": "Medical support",
            "desk_phone": "0592-5550120", "position": "7"}
    data.update(changes)
    return data


# Who may open what ---------------------------------------------------------------------------


def _pages(ids) -> dict[str, str]:
    return {
        "overview": f"{BASE}/",
        "group": f"{BASE}/groups/{ids['meet']}",
        "group_edit": f"{BASE}/groups/{ids['meet']}/edit",
        "group_new": f"{BASE}/groups/new",
        "group_delete": f"{BASE}/groups/{ids['meet']}/delete",
        "post": f"{BASE}/posts/{ids['usher']}",
        "post_new": f"{BASE}/groups/{ids['meet']}/posts/new",
        "post_edit": f"{BASE}/posts/{ids['usher']}/edit",
        "post_delete": f"{BASE}/posts/{ids['usher']}/delete",
        "shift_new": f"{BASE}/posts/{ids['usher']}/shifts/new",
        "shift_edit": f"{BASE}/shifts/{ids['usher_shift']}/edit",
        "shift_delete": f"{BASE}/shifts/{ids['usher_shift']}/delete",
        "trainings": f"{BASE}/trainings",
        "training": f"{BASE}/trainings/{ids['training']}",
        "training_new": f"{BASE}/trainings/new",
        "training_edit": f"{BASE}/trainings/{ids['training']}/edit",
    }


VIEW = {"overview", "group", "post", "trainings", "training"}
GROUP_MANAGE = {"group_edit", "post_new", "post_edit", "post_delete", "shift_new", "shift_edit", "shift_delete"}
EDITION_WIDE = {"group_new", "group_delete", "training_new", "training_edit"}
OF_THE_GROUP = {"group", "post"} | GROUP_MANAGE


def expected(who: str, page: str) -> int:
    if who == "anonymous":
        return 302
    if who == "volunteer":
        return 403
    if who in ("admin", "organizer"):
        return 200
    if who == "viewer":
        return 200 if page in VIEW else 403
    if who == "meet-lead":  # leads the meeting group, whose post and shifts these pages show
        return 403 if page in EDITION_WIDE else 200
    return 403 if page in EDITION_WIDE | OF_THE_GROUP else 200  # vol-lead: another group's


@pytest.mark.parametrize("who", ["admin", "organizer", "meet-lead", "vol-lead", "volunteer", "viewer", "anonymous"])
def test_every_page_answers_each_role_as_its_scope_says(app, client, ids, who):
    sign_in(app, client, who)
    answered = {page: client.get(url, headers=EN).status_code for page, url in _pages(ids).items()}
    assert answered == {page: expected(who, page) for page in answered}


@pytest.mark.parametrize("who", ["vol-lead", "viewer", "volunteer"])
def test_actions_on_another_groups_subjects_are_refused(app, client, ids, who):
    sign_in(app, client, who)
    # a token from a page the user may open (every signed-in user has their account page)
    posts = {
        f"{BASE}/groups/{ids['meet']}/members": {"email": "meet-lead@example.org"},
        f"{BASE}/groups/{ids['meet']}/halls": {"hall_id": str(ids["hall"])},
        f"{BASE}/groups/{ids['meet']}/edit": group_form(code="MEET"),
        f"{BASE}/posts/{ids['usher']}/delete": {},
        f"{BASE}/shifts/{ids['usher_shift']}/delete": {},
        f"{BASE}/posts/{ids['usher']}/shifts/new": {"days": "2023-07-18", "starts": "08:00", "ends": "09:00", "needed": "1"},
    }

    token = csrf_token(client, "/account")
    for url, data in posts.items():
        assert client.post(url, data={**data, "csrf_token": token}).status_code == 403, url
    with app.app_context():
        assert db.session.execute(select(func.count(Post.id))).scalar_one() == 2
        assert db.session.execute(select(func.count(HallGroup.id))).scalar_one() == 1


def test_a_lead_sees_only_the_groups_they_lead_on_the_overview(app, client, ids):
    sign_in(app, client, "meet-lead")
    html = client.get(f"{BASE}/", headers=EN).get_data(as_text=True)
    assert "Meeting services" in html and "Volunteer services" not in html
    assert "New working group" not in html


def test_the_overview_counts_each_group(app, client, ids):
    sign_in(app, client, "organizer")
    html = client.get(f"{BASE}/", headers=EN).get_data(as_text=True)
    assert "0592 555 0103" not in html  # stored as typed by the factory, shown as stored
    assert "0592-5550103" in html and "meet-lead" in html
    row = html[html.index("Meeting services"):html.index("Volunteer services")]
    cells = dict(re.findall(r'data-label="([^"]+)">(\d+)</td>', row))
    # Li accepted in the group; one post; two shifts of 2 places each, none taken
    assert cells == {"Volunteers": "1", "Posts": "1", "Shifts": "2"}
    assert "0 / 4" in row


def test_the_edition_page_links_the_overview(app, client, ids):
    sign_in(app, client, "viewer")
    html = client.get("/editions/2023", headers=EN).get_data(as_text=True)
    assert f'href="{BASE}/"' in html and "Volunteers and working groups" in html


# A working group's fields ------------------------------------------------------------------


def test_an_organizer_creates_a_group_with_a_checked_desk_phone(app, client, ids):
    sign_in(app, client, "organizer")
    response = submit(client, f"{BASE}/groups/new", group_form(code=" med "), headers=EN)
    assert response.status_code == 303
    with app.app_context():
        group = db.session.execute(select(WorkingGroup).where(WorkingGroup.code == "MED")).scalar_one()
        assert (group.name_en, group.desk_phone, group.position, group.screens_volunteers) == (
            "Medical support", "0592 555 0120", 7, False)
        assert db.session.execute(select(AuditEntry).where(AuditEntry.action == "working_group.save")).scalar()


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"code": ""}, "code", "Give the group a short code."),
    ({"code": "会务"}, "code", "Use capital letters, digits and hyphens"),
    ({"code": "MEET"}, "code", "Another working group of this edition has this code."),
    ({"code": "A" * 25}, "code", "Field cannot be longer than 24 characters."),
    ({"name_zh": "   "}, "name_zh", "Enter the Chinese text."),
    ({"desk_phone": "12345"}, "desk_phone", "This phone number is not valid"),
    ({"desk_phone": "call the desk"}, "desk_phone", "Enter a phone number"),
    ({"desk_phone": "<script>alert(1)</script>"}, "desk_phone", "Enter a phone number"),
    ({"position": "-1"}, "position", "Enter a number between 0 and 999."),
    ({"position": "1e9"}, "position", "Enter a whole number."),
    ({"screens_volunteers": "y"}, "screens_volunteers", "screens the applications already"),
])
def test_a_wrong_group_field_is_answered_beside_it_and_the_typing_kept(app, client, ids, changes, field, message):
    sign_in(app, client, "organizer")
    data = group_form(**changes)
    response = submit(client, f"{BASE}/groups/new", data, headers=EN)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'id="{field}-error"' in html and message in html
    assert 'value="医疗保障组"' in html or field == "name_zh"
    assert "<script>alert(1)</script>" not in html
    with app.app_context():
        assert db.session.execute(select(func.count(WorkingGroup.id))).scalar_one() == 2


def test_a_lead_edits_their_group_but_cannot_make_it_screen_applications(app, client, ids):
    sign_in(app, client, "meet-lead")
    page = client.get(f"{BASE}/groups/{ids['meet']}/edit", headers=EN).get_data(as_text=True)
    assert "screens_volunteers" not in page
    response = submit(client, f"{BASE}/groups/{ids['meet']}/edit",
                      group_form(code="MEET", desk_phone="+852 2345 6789", screens_volunteers="y"), headers=EN)
    assert response.status_code == 303
    with app.app_context():
        group = db.session.get(WorkingGroup, ids["meet"])
        assert (group.desk_phone, group.screens_volunteers) == ("+852 2345 6789", False)


# Members and halls ---------------------------------------------------------------------------


def test_members_are_added_by_email_and_only_a_lead_account_leads(app, client, ids):
    sign_in(app, client, "organizer")
    make_user(app, "volunteer", "helper@example.org")
    url = f"{BASE}/groups/{ids['meet']}/members"
    refused = submit(client, url, {"email": "helper@example.org", "lead": "y"}, headers=EN)
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422 and 'id="lead-error"' in html and "not a working-group lead account" in html
    assert 'value="helper@example.org"' in html
    nobody = submit(client, url, {"email": "nobody@example.org"}, headers=EN)
    assert nobody.status_code == 422 and "No account has this email" in nobody.get_data(as_text=True)
    assert submit(client, url, {"email": "HELPER@example.org"}, headers=EN).status_code == 303
    make_user(app, "group_lead", "second-lead@example.org")
    assert submit(client, url, {"email": "second-lead@example.org", "lead": "y"}, headers=EN).status_code == 303
    with app.app_context():
        members = {m.user.email: m.lead for m in db.session.execute(
            select(GroupMember).where(GroupMember.group_id == ids["meet"])).scalars()}
        assert members == {"meet-lead@example.org": True, "helper@example.org": False, "second-lead@example.org": True}
        helper = next(m for m in db.session.execute(select(GroupMember)).scalars() if m.user.email == "helper@example.org")
        member_id = helper.id
    removed = submit(client, f"{url}/{member_id}/remove", {}, headers=EN)
    assert removed.status_code == 303
    with app.app_context():
        assert db.session.get(GroupMember, member_id) is None
        assert db.session.execute(select(AuditEntry).where(AuditEntry.action == "working_group.member_removed")).scalar()


def test_a_member_of_another_group_cannot_be_removed_through_this_one(app, client, ids):
    sign_in(app, client, "organizer")
    with app.app_context():
        other = db.session.execute(select(GroupMember).where(GroupMember.group_id == ids["vol"])).scalar_one().id
    assert submit(client, f"{BASE}/groups/{ids['meet']}/members/{other}/remove", {}).status_code == 404


def test_a_hall_given_to_a_group_opens_its_checklist_to_the_lead(app, client, ids):
    with app.app_context():
        from conference.venues.models import Hall

        w_hall = db.session.get(Hall, ids["hall"])
        second = Hall(venue_id=w_hall.venue_id, name_zh="主会场", name_en="Main hall", capacity=900)
        db.session.add(second)
        db.session.commit()
        second_id = second.id
    sign_in(app, client, "vol-lead")
    assert client.get(f"/editions/2023/checklist/halls/{second_id}").status_code == 403
    overview = client.get("/editions/2023/checklist", headers=EN).get_data(as_text=True)
    assert "Main hall" not in overview and "Sub-forum 8 hall" not in overview
    client.post("/logout", data={"csrf_token": csrf_token(client, "/account")})

    sign_in(app, client, "organizer")
    url = f"{BASE}/groups/{ids['vol']}/halls"
    for hostile in ("", "abc", "99999999999", str(ids["hall"] + 1000)):
        response = submit(client, url, {"hall_id": hostile}, headers=EN)
        assert response.status_code == 422, hostile
    assert submit(client, url, {"hall_id": str(second_id)}, headers=EN).status_code == 303
    again = submit(client, url, {"hall_id": str(second_id)}, headers=EN)
    assert again.status_code == 422  # the hall is no longer offered; picked anyway it is refused
    client.post("/logout", data={"csrf_token": csrf_token(client, "/account")})

    sign_in(app, client, "vol-lead")
    overview = client.get("/editions/2023/checklist", headers=EN).get_data(as_text=True)
    assert "Main hall" in overview and "Sub-forum 8 hall" not in overview
    page = client.get(f"/editions/2023/checklist/halls/{second_id}", headers=EN)
    assert page.status_code == 200 and "disabled" not in page.get_data(as_text=True)
    assert client.get(f"/editions/2023/checklist/halls/{ids['hall']}").status_code == 403


# Deleting a group ----------------------------------------------------------------------------


def test_a_group_with_posts_is_not_deleted_and_says_why(app, client, ids):
    sign_in(app, client, "organizer")
    url = f"{BASE}/groups/{ids['meet']}/delete"
    page = client.get(url, headers=EN).get_data(as_text=True)
    assert "1 posts of the group: delete or move them first" in page
    response = submit(client, url, {}, headers=EN)
    assert response.status_code == 409
    with app.app_context():
        assert db.session.get(WorkingGroup, ids["meet"]) is not None


def test_deleting_a_group_leaves_nothing_pointing_at_it(app, client, ids):
    sign_in(app, client, "organizer")
    for post in ("usher",):
        assert submit(client, f"{BASE}/posts/{ids[post]}/delete", {}, headers=EN).status_code == 302
    url = f"{BASE}/groups/{ids['meet']}/delete"
    page = client.get(url, headers=EN).get_data(as_text=True)
    assert "1 volunteers are left without a group" in page and "1 halls are no longer looked after by it" in page
    assert submit(client, url, {}, headers=EN).status_code == 302
    with app.app_context():
        assert db.session.get(WorkingGroup, ids["meet"]) is None
        assert db.session.get(Volunteer, ids["li"]).group_id is None
        for model in (GroupMember, HallGroup, Post):
            assert not db.session.execute(select(model).where(model.group_id == ids["meet"])).first()
        assert get_edition(2023) is not None


@pytest.mark.parametrize(("email", "message"), [
    ("", "Enter the account's email."),
    ("a" * 250 + "@example.org", "Field cannot be longer than 254 characters."),
    ("<script>alert(1)</script>", "No account has this email"),
])
def test_a_wrong_member_email_is_answered_beside_it(app, client, ids, email, message):
    sign_in(app, client, "organizer")
    response = submit(client, f"{BASE}/groups/{ids['vol']}/members", {"email": email}, headers=EN)
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and 'id="email-error"' in html and message in html
    assert "<script>alert(1)</script>" not in html


def test_deleting_a_hall_says_the_posts_there_lose_their_place(app, client, ids):
    sign_in(app, client, "organizer")
    with app.app_context():
        from conference.venues.models import Hall

        venue_id = db.session.get(Hall, ids["hall"]).venue_id
    url = f"/editions/2023/venues/{venue_id}/halls/{ids['hall']}/delete"
    assert "1 volunteer posts lose their place" in client.get(url, headers=EN).get_data(as_text=True)
    assert submit(client, url, {}, headers=EN).status_code == 302
    with app.app_context():
        usher = db.session.get(Post, ids["usher"])
        assert usher.hall_id is None
        assert not db.session.execute(select(HallGroup)).first()
