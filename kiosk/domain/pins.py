"""PIN hashing: a slow, salted scrypt hash, so a copied database does not give up the PINs quickly."""

from __future__ import annotations

import hashlib
import hmac
import os
import re

from kiosk.domain.errors import ValidationError

# n=2**14, r=8: about 50 ms and 16 MiB on a slow till; fine for a login, slow for a brute force.
_N, _R, _P = 2**14, 8, 1


def check_pin_format(pin: str) -> str:
    if not re.fullmatch(r"[0-9]{4,8}", pin or ""):
        raise ValidationError("pin", "must be 4 to 8 digits")
    return pin


def hash_pin(pin: str) -> str:
    salt = os.urandom(16)
    digest = hashlib.scrypt(pin.encode(), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    return f"scrypt${_N}${_R}${_P}${salt.hex()}${digest.hex()}"


def verify_pin(pin: str, stored: str) -> bool:
    try:
        _scheme, n, r, p, salt, digest = stored.split("$")
        got = hashlib.scrypt(pin.encode(), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p), dklen=32)
    except ValueError:
        return False
    return hmac.compare_digest(got.hex(), digest)
