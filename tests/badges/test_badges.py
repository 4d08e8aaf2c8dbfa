"""Badges: the signed payload, what the gate is told, and the PDF read back by real tools."""

import subprocess
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image
from sqlalchemy import select

from conference.badges import services, signing
from conference.badges.demo import set_up_zones
from conference.badges.models import Badge
from conference.core import pdf
from conference.editions import services as editions
from conference.editions.demo import EDITION_2023
from conference.extensions import db
from conference.people import services as people
from conference.people.services import PersonFields
from tests import pdf_glyphs
from tests.conftest import registration_demo


@pytest.fixture
def edition(ctx):
    edition = editions.create_edition(EDITION_2023)
    set_up_zones(edition)
    db.session.flush()
    return edition


def person(edition, family="林", given="晓梅", category="guest", **extra):
    return people.create_person(edition, PersonFields(family_name=family, given_name=given, category=category,
                                                      organisation="鹭江日报社", title="主任", **extra))


def test_the_payload_is_compact_signed_and_verifies(edition):
    badge = services.issue(person(edition))
    text = services.payload(badge)
    assert text.startswith("C1") and len(text) <= 122 and text.isalnum() and text.upper() == text
    assert "林" not in text and "晓梅" not in text
    verdict = services.verify(text, edition)
    assert verdict.ok and verdict.badge.id == badge.id and verdict.claim.version == 1
    zones = {z.code for z in services.zones_in(verdict.claim.zones, services.zones_of(edition))}
    assert zones == {"A", "B", "E"}  # a guest: theatre, conference centre, VIP lounge


def test_it_fits_a_version_8_qr_at_level_q(edition):
    import qrcode

    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_Q)
    code.add_data(services.payload(services.issue(person(edition))))
    code.make(fit=True)
    assert code.version <= 8


def test_changing_any_character_is_refused(edition):
    text = services.payload(services.issue(person(edition)))
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
    for position in range(2, len(text)):
        changed = text[:position] + alphabet[(alphabet.index(text[position]) + 1) % 32] + text[position + 1:]
        verdict = services.verify(changed, edition)
        assert not verdict.ok, position
        assert verdict.reason in ("bad_signature", "malformed", "wrong_edition"), (position, verdict.reason)


@pytest.mark.parametrize(("mangle", "reason"), [
    (lambda t: t[:-5], "malformed"),
    (lambda t: t[:60], "malformed"),
    (lambda t: "https://example.org/" + t, "not_a_badge"),
    (lambda t: "", "not_a_badge"),
    (lambda t: t + "AAAA", "malformed"),
    (lambda t: "C1" + "0" * 114, "malformed"),
])
def test_truncated_and_foreign_codes_are_refused_with_a_reason(edition, mangle, reason):
    text = services.payload(services.issue(person(edition)))
    assert services.verify(mangle(text), edition).reason == reason


def test_a_payload_of_another_edition_is_refused(edition):
    text = services.payload(services.issue(person(edition)))
    other = editions.clone_edition(edition, 2024, "福州")
    db.session.flush()
    assert services.verify(text, other).reason == "wrong_edition"
    # Signed by another key but claiming this edition: the signature decides.
    forged = signing.sign(signing.new_key(), signing.Claim(2023, services.badge_of(db.session.execute(
        select(Badge)).scalars().first().person).id, 1, 0b11111))
    assert services.verify(forged, edition).reason == "bad_signature"


def test_a_reissue_supersedes_the_old_code_and_revoking_refuses(edition):
    badge = services.issue(person(edition))
    old = services.payload(badge)
    services.reissue(badge, "lost at the hotel")
    new = services.payload(badge)
    assert services.verify(old, edition).reason == "superseded"
    assert services.verify(new, edition).ok
    services.revoke(badge, "misused")
    assert services.verify(new, edition).reason == "revoked"
    with pytest.raises(services.BadgeError):
        services.revoke(badge, "  ")


def test_one_badge_per_person(edition):
    someone = person(edition)
    assert services.issue(someone).id == services.issue(someone).id


def test_long_latin_names_shrink_and_short_chinese_names_are_large():
    assert services.name_size_mm("张伟") > services.name_size_mm("欧阳娜娜") >= 14
    long_name = "Maximiliana Alexandrovna Kowalczyk-Montgomery"
    assert services.name_size_mm(long_name) < services.name_size_mm("Anna Smith") <= 13


def _pdf_tools(data: bytes, folder: Path):
    path = folder / "badges.pdf"
    path.write_bytes(data)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True, text=True).stdout
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, check=True, text=True).stdout
    subprocess.run(["pdftoppm", "-r", "150", "-png", str(path), str(folder / "page")], check=True)
    pages = sorted(folder.glob("page-*.png"))
    return text, fonts, pages


def test_a_batch_pdf_reads_back_with_real_tools(app, edition, tmp_path):
    guests = [person(edition, "吉", "𠮷祥"), person(edition, "Kowalczyk-Montgomery", "Maximiliana Alexandrovna", "media"),
              person(edition, "陳", "志明", "guest", name_latin="Chen Chih-ming")]
    badges = [services.issue(p) for p in guests]
    data = pdf.render(services.badges_html(badges))
    text, fonts, pages = _pdf_tools(data, tmp_path)
    assert len(pages) == 3
    for page, badge in zip(pages, badges, strict=True):
        decoded = zxingcpp.read_barcodes(Image.open(page))
        assert [d.text for d in decoded] == [services.payload(badge)]
        assert services.verify(decoded[0].text, edition).ok
    assert "吉𠮷祥" in text.replace("\n", "")
    assert "Maximiliana" in text and "Kowalczyk-Montgomery" in text  # shrunk, not cut
    assert "陳志明" in text and "Chen Chih-ming" in text
    font_lines = [line for line in fonts.splitlines()[2:] if line.strip()]
    assert font_lines and all("Noto" in line for line in font_lines)  # no fallback font
    assert all(line.split()[0][6] == "+" and " yes yes " in line for line in font_lines)  # subset, embedded
    has_rare = subprocess.run(["fc-list", ":charset=20bb7", "family"], capture_output=True, text=True).stdout
    assert "Noto Sans CJK" in has_rare


def test_a_batch_rendered_in_parts_keeps_its_order_and_its_codes_decode(app, edition, tmp_path, monkeypatch):
    """Parts of two badges laid out by the pool's workers, joined: every page's QR code reads back
    with a real decoder as that badge's payload, in the batch's order."""
    monkeypatch.setattr(services, "BATCH_CHUNK", 2)
    badges = [services.issue(person(edition, "王", given)) for given in ("芳", "伟", "静", "敏", "娜")]
    done = []
    services.write_batch(badges, "single", tmp_path / "batch.pdf", done.append)
    assert done == [2, 4, 5]
    subprocess.run(["pdftoppm", "-r", "100", "-png", str(tmp_path / "batch.pdf"), str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page-*.png"))
    decoded = [[code.text for code in zxingcpp.read_barcodes(Image.open(page))] for page in pages]
    assert decoded == [[services.payload(badge)] for badge in badges]


def test_rare_characters_print_with_their_own_glyphs(app, edition, tmp_path):
    """𪚥 (Extension B) is not in Noto Sans CJK: it falls back to BabelStone Han, and only it.
    Each character is checked in the embedded fonts, since a .notdef box extracts as text too."""
    badge = services.issue(person(edition, "龘", "𪚥𠮷䶮"))
    data = pdf.render(services.badges_html([badge]))
    text, fonts, _ = _pdf_tools(data, tmp_path)
    lines = [line.strip() for line in text.splitlines()]
    assert "龘𪚥𠮷䶮" in lines
    assert "Da Zheyan" in lines  # 𠮷 has no reading: left out of the romanised line, not copied
    drawn = pdf_glyphs.glyphs(data)
    for character in "𪚥𠮷䶮龘":
        assert drawn.get(character), f"{character} is not drawn by any font"
        assert all(glyph.glyph_id != 0 and glyph.has_outline for glyph in drawn[character]), drawn[character]
    assert {glyph.family for glyph in drawn["𪚥"]} == {"BabelStone Han"}
    assert {glyph.family for character in "𠮷䶮龘" for glyph in drawn[character]} == {"Noto Sans CJK SC"}
    assert "BabelStone-Han" in fonts


def test_two_badges_on_a4_with_crop_marks(app, edition, tmp_path):
    badges = [services.issue(person(edition, "王", name)) for name in ("芳", "伟", "静")]
    data = pdf.render(services.badges_html(badges, "a4"))
    text, _, pages = _pdf_tools(data, tmp_path)
    assert len(pages) == 2
    with Image.open(pages[0]) as image:
        assert abs(image.width / image.height - 210 / 297) < 0.01
        assert len(zxingcpp.read_barcodes(image)) == 2


def test_approving_a_registration_issues_the_badge(app, ctx, demo_clock):
    from conference.registration.services import RegistrationFields, decide, register
    from tests.registration.conftest import resident_id

    registration_demo()
    edition = editions.get_edition(2023)
    with app.test_request_context():
        registration, _ = register(edition, RegistrationFields(
            category="media", family_name="周", given_name="立", organisation="东南网", email="z@example.org",
            phone="13912345678", id_type="resident_id", id_number=resident_id(),
            consents={"privacy_notice": 1, "identity_document": 1}))
        assert services.badge_of(registration.person) is None  # pending: no badge yet
        decide([registration], "approved", "", None)
        assert services.badge_of(registration.person) is not None
