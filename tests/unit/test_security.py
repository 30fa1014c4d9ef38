"""PIN hashing: salted scrypt, self-describing, never the PIN itself."""

from __future__ import annotations

import pytest

from kiosk.security import hash_pin, needs_rehash, verify_pin

STORED = hash_pin("2468")


def test_hash_is_salted_scrypt_and_does_not_contain_the_pin():
    scheme, n, r, p, salt, digest = STORED.split("$")
    assert (scheme, n, r, p) == ("scrypt", str(2**12), "8", "20")  # 4 MiB a pass, twenty passes
    assert len(bytes.fromhex(salt)) == 16 and len(bytes.fromhex(digest)) == 32
    assert "2468" not in STORED
    assert hash_pin("2468") != STORED  # a fresh salt every time


def test_verify():
    assert verify_pin("2468", STORED)
    assert not verify_pin("2469", STORED)
    assert not verify_pin("", STORED)
    assert not verify_pin("24\udcff68", STORED)


MALFORMED = {
    "empty": "",
    "the-pin-itself": "2468",
    "unknown-scheme": "plain$2468",
    "md5": STORED.replace("scrypt", "md5", 1),
    "bad-cost": "scrypt$x$8$1$00$00",
    "bad-salt": "scrypt$16384$8$1$zz$00",
    "extra-field": STORED + "$extra",
}


@pytest.mark.parametrize("stored", list(MALFORMED.values()), ids=list(MALFORMED))
def test_malformed_hashes_never_match(stored):
    assert verify_pin("2468", stored) is False


def test_a_hash_made_with_older_parameters_still_verifies_and_asks_to_be_replaced():
    import hashlib

    salt = bytes(16)
    old = f"scrypt$16384$8$1${salt.hex()}${hashlib.scrypt(b'2468', salt=salt, n=2**14, r=8, p=1, dklen=32).hex()}"
    assert verify_pin("2468", old) and not verify_pin("2469", old)
    assert needs_rehash(old) and not needs_rehash(STORED)
