import pytest
from cryptography.exceptions import InvalidTag
from sqlalchemy import select

from conference.core import pii
from conference.core.models import AuditEntry
from conference.extensions import db


def test_sealed_value_round_trips_and_hides_the_clear_text(ctx):
    sealed = pii.seal("35020319900307123X")
    assert "35020319900307123X" not in sealed
    assert sealed.startswith("v1:")
    assert pii.unseal(sealed) == "35020319900307123X"


def test_sealing_twice_gives_different_ciphertexts(ctx):
    assert pii.seal("13812345678") != pii.seal("13812345678")


def test_a_tampered_ciphertext_is_refused(ctx):
    sealed = pii.seal("13812345678")
    head, body = sealed.split(":")
    flipped = body[:-3] + ("A" if body[-3] != "A" else "B") + body[-2:]
    with pytest.raises(InvalidTag):
        pii.unseal(f"{head}:{flipped}")


def test_blind_index_is_stable_keyed_and_purpose_bound(ctx):
    first = pii.blind_index("35020319900307123X", "identity")
    assert first == pii.blind_index("35020319900307123X", "identity")
    assert first != pii.blind_index("35020319900307123X", "phone")
    assert "35020319900307123X" not in first


def test_reveal_needs_a_reason_and_is_audited(ctx):
    from conference.editions import services as editions
    from conference.editions.demo import EDITION_2023
    from conference.people import services as people

    edition = editions.create_edition(EDITION_2023)
    person = people.add_person(edition, "林", "晓梅", "guest", phone="+86 13812345678")
    db.session.commit()
    with pytest.raises(ValueError):
        pii.reveal(person, "phone_sealed", reason="  ")
    assert pii.reveal(person, "phone_sealed", reason="hotel asked to confirm") == "+86 13812345678"
    db.session.commit()
    entry = db.session.execute(
        select(AuditEntry).where(AuditEntry.action == "pii.reveal")
    ).scalar_one()
    assert entry.target_type == "people" and entry.target_id == str(person.id)
    assert entry.detail == {"field": "phone_sealed", "reason": "hotel asked to confirm"}


@pytest.mark.parametrize(
    ("number", "masked"),
    [
        ("350203199003071234", "3502**********1234"),
        ("H12345678", "H*****678"),
        ("", ""),
    ],
)
def test_document_numbers_are_masked_hiding_the_birth_date(number, masked):
    assert pii.mask_document_number(number) == masked


@pytest.mark.parametrize(
    ("phone", "masked"),
    [
        ("13812345678", "138****5678"),
        ("+86 13812345678", "+86 138****5678"),
        ("+852 9123 4567", "+852 91****67"),
    ],
)
def test_phones_are_masked(phone, masked):
    assert pii.mask_phone(phone) == masked


def test_base64url_is_written_without_padding_and_read_with_or_without(ctx):
    from conference.core.encoding import b64url_decode, b64url_encode

    assert b64url_encode(b"\xfb\xff") == "-_8"
    assert b64url_decode("-_8") == b64url_decode("-_8=") == b64url_decode(" -_8=\n") == b"\xfb\xff"


def test_a_private_key_is_sealed_as_bytes_and_keys_sealed_with_padding_still_open(ctx):
    import base64

    key = bytes(range(32))
    assert pii.unseal_bytes(pii.seal_bytes(key)) == key
    assert pii.unseal_bytes(pii.seal(base64.urlsafe_b64encode(key).decode())) == key  # as stored before


def test_a_token_is_looked_up_by_its_plain_sha256_as_private_links_and_devices_are_stored(ctx):
    assert pii.token_hash("cd_abc") == "f8ba7315feb286f5a94fcfc852108c090a662ef0627beb3e7cc8de36135a97d2"
