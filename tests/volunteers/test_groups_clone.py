"""Next year's edition carries the working groups without their members, their posts at the
copies of their places, the halls they look after, and the trainings' titles; never a shift,
a volunteer or a booking."""

from sqlalchemy import func, select

from conference.editions import services as editions
from conference.editions.localtime import local
from conference.extensions import db
from conference.hotels.models import Hotel, TravelPlace
from conference.venues.models import Checkpoint, Hall
from conference.volunteers.models import (
    GroupMember,
    HallGroup,
    Post,
    Shift,
    Training,
    TrainingPlace,
    Volunteer,
    WorkingGroup,
)
from tests.volunteers import factories


def test_a_clone_carries_groups_posts_halls_and_trainings_without_people(ctx):
    w = factories.world()
    factories.lead(w, w.meeting_group, "meet-lead@example.org")
    factories.volunteer(w, "Li")
    hotel = Hotel(edition_id=w.edition.id, code="H-HAIYUE", name_zh="海悦山庄酒店")
    airport = TravelPlace(edition_id=w.edition.id, code="XMN", kind="airport", name_zh="高崎国际机场")
    db.session.add_all([hotel, airport])
    db.session.flush()
    db.session.add_all([
        Post(edition_id=w.edition.id, group_id=w.services_group.id, code="HOTEL-DESK", kind="hotel_desk",
             name_zh="酒店服务台", hotel_id=hotel.id),
        Post(edition_id=w.edition.id, group_id=w.services_group.id, code="PICKUP", kind="pickup",
             name_zh="机场接站", travel_place_id=airport.id, self_signup=False, skills=["driving"]),
    ])
    w.training.checkpoint_id = w.checkpoint.id
    db.session.commit()

    target = editions.clone_edition(w.edition, 2024, "福州")
    db.session.commit()

    copies = {g.code: g for g in db.session.execute(select(WorkingGroup).where(WorkingGroup.edition_id == target.id)).scalars()}
    assert set(copies) == {"VOL", "MEET"}
    assert (copies["VOL"].desk_phone, copies["VOL"].screens_volunteers, copies["MEET"].name_en) == (
        "0592-5550110", True, "Meeting services")
    assert not db.session.execute(select(GroupMember).where(GroupMember.group_id.in_([g.id for g in copies.values()]))).first()

    hall = db.session.execute(select(HallGroup).where(HallGroup.group_id == copies["MEET"].id)).scalar_one().hall
    assert hall.venue.edition_id == target.id and hall.name_en == "Sub-forum 8 hall"

    training = db.session.execute(select(Training).where(Training.edition_id == target.id)).scalar_one()
    assert (training.code, training.title_en, training.taken, training.capacity) == ("T-USHER", "Usher training", 0, 100)
    assert db.session.get(Checkpoint, training.checkpoint_id).venue.edition_id == target.id
    assert local(target, training.starts_at).date().year == 2024

    posts = {p.code: p for p in db.session.execute(select(Post).where(Post.edition_id == target.id)).scalars()}
    assert set(posts) == {"USHER-8", "DESK", "HOTEL-DESK", "PICKUP"}
    usher = posts["USHER-8"]
    assert (usher.group_id, usher.training_id, usher.languages) == (copies["MEET"].id, training.id, ["en"])
    assert db.session.get(Hall, usher.hall_id).venue.edition_id == target.id
    assert db.session.get(Checkpoint, posts["DESK"].checkpoint_id).venue.edition_id == target.id
    assert db.session.get(Hotel, posts["HOTEL-DESK"].hotel_id).edition_id == target.id
    pickup = posts["PICKUP"]
    assert (pickup.travel_place_id, pickup.place_text, pickup.self_signup, pickup.skills) == (
        None, "高崎国际机场", False, ["driving"])

    for model in (Shift, Volunteer):
        assert db.session.execute(select(func.count(model.id)).where(model.edition_id == target.id)).scalar_one() == 0
    assert not db.session.execute(select(TrainingPlace).where(TrainingPlace.training_id == training.id)).first()
