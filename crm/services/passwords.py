"""Staff passwords: argon2id hashes, and what a password must be.

The hash (argon2-cffi's defaults: argon2id, RFC 9106's low-memory profile) carries its own
salt and parameters; `needs_rehash` tells when those defaults moved on.
"""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from crm.errors import WeakPassword

MIN_LENGTH = 10
MAX_LENGTH = 256
_HASHER = PasswordHasher()
# Verified when a user has no password, so a sign-in takes as long whether or not the
# account exists (no timing oracle for valid emails).
_DUMMY = _HASHER.hash("a password nobody has, only to spend the same time")


def check_strength(password: str, *, email: str | None = None) -> None:
    """Raises WeakPassword saying what to change."""
    if len(password) < MIN_LENGTH:
        raise WeakPassword(f"La contraseña debe tener al menos {MIN_LENGTH} caracteres.")
    if len(password) > MAX_LENGTH:
        raise WeakPassword(f"La contraseña puede tener hasta {MAX_LENGTH} caracteres.")
    if len(set(password)) < 4:
        raise WeakPassword("La contraseña repite demasiado los mismos caracteres.")
    if email and email.split("@")[0].lower() in password.lower():
        raise WeakPassword("La contraseña no puede contener tu email.")


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def verify_password(password: str, hashed: str | None) -> bool:
    """Whether `password` matches `hashed` (None: no password set, always False)."""
    try:
        return _HASHER.verify(hashed or _DUMMY, password) and hashed is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(hashed: str) -> bool:
    return _HASHER.check_needs_rehash(hashed)
