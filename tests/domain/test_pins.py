"""PIN format, peppered hashes and tags, and the hashes made before peppers existed."""

from __future__ import annotations

import hashlib
import os

import pytest

from kiosk.domain.errors import ValidationError
from kiosk.domain.pins import (
    check_pin_format,
    hash_pepper_id,
    hash_pin,
    is_legacy,
    needs_rehash,
    pepper_id,
    pin_tag,
    verify_pin,
)

PEPPER = bytes(range(32))
OTHER = bytes(range(1, 33))


def legacy_hash(pin: str) -> str:
    """Exactly what kiosk.domain.pins.hash_pin stored before migration 0009."""
    salt = os.urandom(16)
    digest = hashlib.scrypt(pin.encode(), salt=salt, n=2**14, r=8, p=1, dklen=32)
    return f"scrypt${2**14}$8$1${salt.hex()}${digest.hex()}"


@pytest.mark.parametrize("pin", ["0000", "1234", "12345678", "00000001"])
def test_four_to_eight_ascii_digits_are_a_pin(pin):
    assert check_pin_format(pin) == pin


@pytest.mark.parametrize(
    ("pin", "message"),
    [("123", "must be 4 to 8 digits, not 3"), ("", "must be 4 to 8 digits"), ("123456789", "not 9"),
     ("12a4", "nothing else"), ("12 34", "nothing else"), (" 1234", "nothing else"), ("1234\n", "nothing else"),
     ("١٢٣٤", "nothing else"),  # Arabic-Indic digits: isdigit() says yes, a till keypad says no
     ("１２３４", "nothing else"), ("-1234", "nothing else")],
)
def test_anything_else_is_refused_naming_the_field(pin, message):
    with pytest.raises(ValidationError, match=message) as exc:
        check_pin_format(pin)
    assert exc.value.field == "pin"


def test_a_peppered_hash_verifies_only_with_its_pin_and_pepper():
    stored = hash_pin("4321", PEPPER)
    assert stored.startswith("scrypt-pepper$") and "4321" not in stored
    assert verify_pin("4321", stored, PEPPER)
    assert not verify_pin("4322", stored, PEPPER)
    assert not verify_pin("4321", stored, OTHER)
    assert not verify_pin("4321", stored, None)  # a stolen database alone is not enough
    assert not needs_rehash(stored) and not is_legacy(stored)


def test_the_pepper_is_really_used_same_pin_different_pepper_different_hash_and_tag():
    a, b = hash_pin("4321", PEPPER), hash_pin("4321", OTHER)
    assert hash_pepper_id(a) == pepper_id(PEPPER) != pepper_id(OTHER) == hash_pepper_id(b)
    assert verify_pin("4321", a, PEPPER) and not verify_pin("4321", a, OTHER)
    assert verify_pin("4321", b, OTHER) and not verify_pin("4321", b, PEPPER)
    # Not the old unpeppered scrypt of the PIN with the same salt: the PIN is keyed first.
    _scheme, _pid, n, r, p, salt, digest = a.split("$")
    plain = hashlib.scrypt(b"4321", salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p), dklen=32)
    assert plain.hex() != digest
    assert pin_tag("4321", PEPPER) != pin_tag("4321", OTHER)


def test_tags_are_stable_per_pin_and_pepper_and_differ_between_pins():
    assert pin_tag("4321", PEPPER) == pin_tag("4321", PEPPER)
    assert pin_tag("4321", PEPPER) != pin_tag("1234", PEPPER)
    assert len(pin_tag("4321", PEPPER)) == 64
    assert pin_tag("4321", PEPPER) not in hash_pin("4321", PEPPER)  # the tag is not part of the hash


def test_two_hashes_of_one_pin_differ_by_their_salt():
    assert hash_pin("4321", PEPPER) != hash_pin("4321", PEPPER)


def test_old_scheme_hashes_still_verify_with_or_without_a_pepper_and_ask_for_a_rehash():
    stored = legacy_hash("2580")
    assert is_legacy(stored) and hash_pepper_id(stored) is None
    assert verify_pin("2580", stored) and verify_pin("2580", stored, PEPPER)
    assert not verify_pin("2581", stored, PEPPER)
    assert needs_rehash(stored)


@pytest.mark.parametrize("stored", ["", "plain", "scrypt$1$2", "scrypt-pepper$x$1$2$3$zz$yy", "md5$abc$def",
                                    "scrypt$16384$8$1$nothex$nothex"])
def test_garbage_never_verifies(stored):
    assert not verify_pin("1234", stored, PEPPER)


def test_a_short_pepper_is_a_programming_error():
    with pytest.raises(ValueError):
        hash_pin("1234", b"short")
