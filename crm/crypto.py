"""Secrets at rest: Fernet encryption keyed from MOSTRADOR_SECRET_KEY, with key rotation.

Channel tokens and app secrets are stored as Fernet tokens (AES-128-CBC + HMAC-SHA256).
The Fernet keys are derived with HKDF-SHA256 from ``MOSTRADOR_SECRET_KEY`` (the primary:
it encrypts) and ``MOSTRADOR_SECRET_KEYS_PREVIOUS`` (comma-separated former keys: they only
decrypt), combined in a ``MultiFernet``. Rotating the key is: set the new key, move the old
one to the previous list, run ``mostrador secrets rotate`` (re-encrypts every stored secret
with the new key), then drop the old key.

Values that must be found without decrypting every row (a webhook verify token) are stored
as a keyed HMAC as well (``lookup_hash``); lookups try the hash under every key, so they
keep working between a key change and the rotation.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Sequence
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from crm.errors import SecretUnavailable
from crm.settings import Settings, get_settings

_FERNET_INFO = b"mostrador/secrets/fernet/v1"
_LOOKUP_INFO = b"mostrador/secrets/lookup/v1"


def _derive(secret: str, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(
        secret.encode("utf-8"))


class SecretBox:
    """Encrypts with the primary key; decrypts with the primary or any previous key."""

    def __init__(self, primary: str, previous: Sequence[str] = ()) -> None:
        if not primary:
            raise ValueError("the primary secret key is empty")
        keys = [primary, *[k for k in previous if k and k != primary]]
        self._fernet = MultiFernet(
            [Fernet(base64.urlsafe_b64encode(_derive(k, _FERNET_INFO))) for k in keys])
        self._lookup_keys = [_derive(k, _LOOKUP_INFO) for k in keys]

    def encrypt(self, plaintext: str) -> str:
        return self._fernet.encrypt(plaintext.encode("utf-8")).decode("ascii")

    def decrypt(self, token: str) -> str:
        """The plaintext; raises SecretUnavailable when no configured key opens it."""
        try:
            return self._fernet.decrypt(token.encode("ascii")).decode("utf-8")
        except (InvalidToken, UnicodeError, ValueError):
            raise SecretUnavailable(
                "A stored secret cannot be decrypted with MOSTRADOR_SECRET_KEY or "
                "MOSTRADOR_SECRET_KEYS_PREVIOUS; add the key it was encrypted with to "
                "MOSTRADOR_SECRET_KEYS_PREVIOUS.") from None

    def rotate(self, token: str) -> str:
        """The same secret encrypted with the primary key (raises SecretUnavailable)."""
        try:
            return self._fernet.rotate(token.encode("ascii")).decode("ascii")
        except (InvalidToken, ValueError):
            self.decrypt(token)  # raises the explanatory error
            raise

    def lookup_hash(self, value: str) -> str:
        """The keyed hash of `value` under the primary key (what is stored)."""
        return self.lookup_hashes(value)[0]

    def lookup_hashes(self, value: str) -> list[str]:
        """The keyed hash of `value` under every key, primary first (what lookups match)."""
        data = value.encode("utf-8")
        return [hmac.new(k, data, hashlib.sha256).hexdigest() for k in self._lookup_keys]


@lru_cache(maxsize=4)
def _box(primary: str, previous: tuple[str, ...]) -> SecretBox:
    return SecretBox(primary, previous)


def box_for(settings: Settings) -> SecretBox:
    """The SecretBox of these settings (cached per key set)."""
    return _box(settings.secret_key.get_secret_value(), tuple(settings.previous_secret_keys))


def encrypt(plaintext: str, settings: Settings | None = None) -> str:
    return box_for(settings or get_settings()).encrypt(plaintext)


def decrypt(token: str, settings: Settings | None = None) -> str:
    return box_for(settings or get_settings()).decrypt(token)
