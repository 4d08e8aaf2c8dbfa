from datetime import date

import pytest
from sqlalchemy import func, select

from conference.core.domains import Step
from conference.core.models import AuditEntry
from conference.editions import services
from conference.editions.models import Edition, EditionOrganisation
from conference.extensions import db
from conference.people import services as people
from conference.people.models import Person
from tests.conftest import submit

FORM_2025 = {
    "year": "2025",
    "city_zh": "福州",
    "city_zh_hant": "",
    "city_en": "",
    "starts_on": "2025-09-10",
    "ends_on": "2025-09-11",
    "theme_zh": "弘扬网络文明 共建美好家园",
    "theme_zh_hant": "",
    "theme_en": "",
    "hosts": "中央网信办 | Office of the Central Cyberspace Affairs Commission\n中共福建省委",
    "organizers": "中国网络社会组织联合会",
}


def test_an_organizer_sees_the_2023_edition(organizer_client, edition_2023):
    html = organizer_client.get("/editions/2023", headers={"Accept-Language": "zh-CN"}).get_data(
        as_text=True
    )
    for fact in [
        "2023年中国网络文明大会",
        "厦门",
        "网聚文明力量 奋进伟大征程",
        "2023年7月18日",
        "2023年7月19日",
        "中央网信办",
        "中央文明办",
        "中共福建省委",
        "福建省人民政府",
        "中国网络社会组织联合会",
        "福建省委网信办",
        "福建省委文明办",
        "中共厦门市委",
        "厦门市人民政府",
    ]:
        assert fact in html, fact
    english = organizer_client.get("/editions/2023", headers={"Accept-Language": "en"})
    assert "Xiamen" in english.get_data(as_text=True)


def test_an_organizer_creates_an_edition(app, organizer_client):
    response = submit(organizer_client, "/editions/new", FORM_2025)
    assert response.status_code == 302 and response.headers["Location"] == "/editions/2025"
    with app.app_context():
        edition = services.get_edition(2025)
        assert edition.city_en == "Fuzhou"  # spelt in pinyin when left empty
        assert [o.name_zh for o in edition.hosts] == ["中央网信办", "中共福建省委"]
        assert edition.hosts[0].name_en == "Office of the Central Cyberspace Affairs Commission"
        assert [o.name_zh for o in edition.organizers] == ["中国网络社会组织联合会"]


def test_a_wrong_date_comes_back_with_the_message_and_the_typed_values(organizer_client):
    response = submit(
        organizer_client,
        "/editions/new",
        {**FORM_2025, "ends_on": "2025-09-01"},
        headers={"Accept-Language": "zh-TW"},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "結束日期不能早於開始日期。" in html
    assert 'value="弘扬网络文明 共建美好家园"' in html  # typed text kept, never converted
    assert "中央网信办 | Office of the Central Cyberspace Affairs Commission" in html


def test_a_year_already_taken_is_refused_clearly(organizer_client, edition_2023):
    response = submit(
        organizer_client,
        "/editions/new",
        {**FORM_2025, "year": "2023", "starts_on": "2023-09-10", "ends_on": "2023-09-11"},
        headers={"Accept-Language": "en"},
    )
    assert "There is already an edition for 2023." in response.get_data(as_text=True)


def test_a_year_that_is_not_a_number_is_refused(organizer_client):
    response = submit(
        organizer_client,
        "/editions/new",
        {**FORM_2025, "year": "二〇二五"},
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 200
    assert "Enter a whole number for the year." in response.get_data(as_text=True)


def test_an_organizer_edits_an_edition(app, organizer_client, edition_2023):
    form = organizer_client.get("/editions/2023/edit").get_data(as_text=True)
    assert "中央网信办 | Office of the Central Cyberspace Affairs Commission" in form
    data = {
        **FORM_2025,
        "year": "2023",
        "city_zh": "厦门",
        "city_en": "Xiamen",
        "starts_on": "2023-07-18",
        "ends_on": "2023-07-19",
        "hosts": "中央网信办\n中央文明办",
        "organizers": "中国网络社会组织联合会",
    }
    assert submit(organizer_client, "/editions/2023/edit", data).status_code == 302
    with app.app_context():
        edition = services.get_edition(2023)
        assert [o.name_zh for o in edition.hosts] == ["中央网信办", "中央文明办"]


def _counts(model, edition) -> int:
    return db.session.execute(
        select(func.count()).select_from(model).where(model.edition_id == edition.id)
    ).scalar_one()


def test_the_clone_copies_the_structure_and_no_people(app, ctx, edition_2023):
    source = services.get_edition(2023)
    people.add_person(source, "陈", "思远", "guest", organisation="厦门大学")
    people.add_person(source, "Smith", "Anna", "media", organisation="China Daily")
    db.session.commit()

    clone = services.clone_edition(source, 2024, "福州")
    db.session.commit()

    assert (clone.year, clone.city_zh, clone.city_en) == (2024, "福州", "Fuzhou")
    assert (clone.starts_on, clone.ends_on) == (date(2024, 7, 18), date(2024, 7, 19))
    assert clone.theme_zh == ""  # every edition decides its own theme
    assert clone.cloned_from_id == source.id
    assert [(o.role, o.position, o.name_zh, o.name_en) for o in clone.organisations] == [
        (o.role, o.position, o.name_zh, o.name_en) for o in source.organisations
    ]
    assert _counts(EditionOrganisation, clone) == 9
    assert _counts(Person, clone) == 0
    assert _counts(Person, source) == 2
    entry = db.session.execute(
        select(AuditEntry).where(AuditEntry.action == "edition.clone")
    ).scalar_one()
    assert entry.detail["from"] == 2023


def test_every_domain_step_runs_on_clone(app, ctx, edition_2023):
    copied = []

    def remember(source, target, required):
        copied.append((source.year, target.year, target.id is not None))

    domains = app.extensions["conference.domains"]
    steps = domains.clone_steps
    domains.clone_steps = [*steps, Step("test-step", remember, label="test step")]
    try:
        services.clone_edition(services.get_edition(2023), 2024, "福州")
    finally:
        domains.clone_steps = steps
    assert copied == [(2023, 2024, True)]


def test_cloning_into_a_taken_year_is_refused(ctx, edition_2023):
    source = services.get_edition(2023)
    with pytest.raises(services.EditionError) as refused:
        services.clone_edition(source, 2023, "福州", starts_on=date(2023, 11, 1))
    assert refused.value.field == "year"


def test_an_organizer_clones_through_the_page(app, organizer_client, edition_2023):
    page = organizer_client.get("/editions/2023/clone", headers={"Accept-Language": "zh-CN"})
    html = page.get_data(as_text=True)
    assert 'value="2024"' in html and "主办和承办单位" in html
    response = submit(
        organizer_client,
        "/editions/2023/clone",
        {"year": "2024", "city_zh": "福州", "city_en": "", "starts_on": "", "ends_on": ""},
    )
    assert response.status_code == 302
    detail = organizer_client.get("/editions/2024", headers={"Accept-Language": "en"})
    assert "Fuzhou" in detail.get_data(as_text=True)


def test_cli_clone(app, edition_2023):
    result = app.test_cli_runner().invoke(
        args=["editions", "clone", "2023", "--year", "2024", "--city", "福州"]
    )
    assert result.exit_code == 0, result.output
    assert "Edition 2024 (福州" in result.output
    again = app.test_cli_runner().invoke(
        args=["editions", "clone", "2023", "--year", "2024", "--city", "福州"]
    )
    assert again.exit_code != 0 and "2024 年已有届次" in again.output
    with app.app_context():
        assert db.session.execute(select(func.count(Edition.id))).scalar_one() == 2
