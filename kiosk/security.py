"""PIN hashing: salted scrypt, compared in constant time.

The parameters trade memory for passes: 4 MiB a pass (N=2^12, r=8) and twenty
passes (p=20) cost an attacker about what 16 MiB for one pass did (memory
times time per guess), while a kiosk box signing an operator in needs 4 MiB,
not 16, at its busiest moment. A hash made with other parameters keeps
verifying (they are stored in it) and is replaced at the next sign-in.
"""

from __future__ import annotations

import hashlib
import hmac
import os

_N, _R, _P = 2**12, 8, 20


def hash_pin(pin: str) -> str:
    """A self-describing salted scrypt hash of ``pin``."""
    salt = os.urandom(16)
    digest = hashlib.scrypt(pin.encode(), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    return f"scrypt${_N}${_R}${_P}${salt.hex()}${digest.hex()}"


def verify_pin(pin: str, stored: str) -> bool:
    """True when ``pin`` matches ``stored``; False for any malformed hash."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        actual = hashlib.scrypt(
            pin.encode(), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p), dklen=len(digest) // 2,
            maxmem=64 * 2**20,
        )  # fmt: skip
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual.hex(), digest)


def needs_rehash(stored: str) -> bool:
    """True for a hash made with other parameters than today's (it is replaced at the next sign-in)."""
    return not stored.startswith(f"scrypt${_N}${_R}${_P}$")
