"""PIN hashing: a slow, salted, peppered scrypt hash, so a copied database does not give up the PINs.

A PIN is 4 to 8 digits: 10^4 to 10^8 guesses, which a salted hash alone does not protect for long once
the database is copied. So the PIN is first keyed with the machine's *pepper* (32 random bytes kept in
the keyring, never in the database): `scrypt(HMAC-SHA256(pepper, PIN), salt)`. Without the pepper the
hashes can't be attacked at all; with it, each guess still costs a scrypt.

PINs are unique in a shop (a cashier types a PIN, not a name), so a user is also found by a *tag*:
`HMAC-SHA256(pepper, "tag:" + PIN)` in a unique, indexed column. Login is then one indexed lookup and
one scrypt, not a scrypt per user, and uniqueness is a unique index. The tag can't be brute-forced
without the pepper either.

Stored hash formats:

- `scrypt-pepper$<pepper id>$<n>$<r>$<p>$<salt hex>$<digest hex>`: current. The pepper id (8 hex
  digits of an HMAC of a constant under the pepper) says which pepper made the hash, so a till whose
  keyring holds another pepper (or none) gets a clear message instead of "wrong PIN" for everyone.
- `scrypt$<n>$<r>$<p>$<salt hex>$<digest hex>`: before migration 0009, no pepper. Still verified;
  the services re-hash it with the pepper on the user's next successful login (`needs_rehash`).

Pure: the pepper is an argument; the services fetch it from the keyring (kiosk.devices.secrets).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re

from kiosk.domain.errors import ValidationError

# n=2**14, r=8: about 50 ms and 16 MiB on a slow till; fine for a login, slow for a brute force.
_N, _R, _P = 2**14, 8, 1
PEPPERED = "scrypt-pepper"
LEGACY = "scrypt"
PEPPER_BYTES = 32
PIN_LENGTHS = (4, 8)


def check_pin_format(pin: str) -> str:
    """4 to 8 ASCII digits, nothing else (no spaces, no other scripts' digits)."""
    if not isinstance(pin, str) or not re.fullmatch(r"[0-9]{4,8}", pin):
        if isinstance(pin, str) and pin.isascii() and pin.isdigit():
            raise ValidationError("pin", f"must be 4 to 8 digits, not {len(pin)}")
        raise ValidationError("pin", "must be 4 to 8 digits (0-9), nothing else")
    return pin


def _check_pepper(pepper: bytes) -> bytes:
    if not isinstance(pepper, bytes) or len(pepper) < 16:
        raise ValueError("the pepper must be at least 16 random bytes")
    return pepper


def pepper_id(pepper: bytes) -> str:
    """A short fingerprint of the pepper, stored in each hash: which pepper made it."""
    return hmac.new(_check_pepper(pepper), b"kiosk pepper id", hashlib.sha256).hexdigest()[:8]


def pin_tag(pin: str, pepper: bytes) -> str:
    """The indexed, unique lookup key of a PIN: HMAC-SHA256(pepper, "tag:" + PIN), hex."""
    return hmac.new(_check_pepper(pepper), f"tag:{pin}".encode(), hashlib.sha256).hexdigest()


def _keyed(pin: str, pepper: bytes) -> bytes:
    return hmac.new(_check_pepper(pepper), pin.encode(), hashlib.sha256).digest()


def hash_pin(pin: str, pepper: bytes) -> str:
    """scrypt(HMAC-SHA256(pepper, PIN), random salt), with the scheme, pepper id and parameters."""
    salt = os.urandom(16)
    digest = hashlib.scrypt(_keyed(pin, pepper), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    return f"{PEPPERED}${pepper_id(pepper)}${_N}${_R}${_P}${salt.hex()}${digest.hex()}"


def hash_pepper_id(stored: str) -> str | None:
    """The pepper id a stored hash was made with, or None for an unpeppered (legacy) one."""
    parts = (stored or "").split("$")
    return parts[1] if parts[0] == PEPPERED and len(parts) == 7 else None


def is_legacy(stored: str) -> bool:
    return (stored or "").split("$", 1)[0] == LEGACY


def verify_pin(pin: str, stored: str, pepper: bytes | None = None) -> bool:
    """Does `pin` match `stored`? A peppered hash needs the pepper that made it; a legacy one ignores it."""
    try:
        scheme, *rest = stored.split("$")
        if scheme == PEPPERED:
            if pepper is None:
                return False
            pid, n, r, p, salt, digest = rest
            if not hmac.compare_digest(pid, pepper_id(pepper)):
                return False
            secret = _keyed(pin, pepper)
        elif scheme == LEGACY:
            n, r, p, salt, digest = rest
            secret = pin.encode()
        else:
            return False
        got = hashlib.scrypt(secret, salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p), dklen=32)
    except (ValueError, AttributeError):
        return False
    return hmac.compare_digest(got.hex(), digest)


def needs_rehash(stored: str) -> bool:
    """True for a legacy hash, or one made with weaker parameters than today's."""
    parts = (stored or "").split("$")
    if parts[0] != PEPPERED or len(parts) != 7:
        return True
    try:
        return (int(parts[2]), int(parts[3]), int(parts[4])) != (_N, _R, _P)
    except ValueError:
        return True
