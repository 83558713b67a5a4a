"""Keyed hashes that stand in for CRM ids in the corpus.

``record_key`` (tenant id + conversation id), ``subject_key`` (contact id) and
``tenant_key`` (tenant id) are HMAC-SHA256 under a key derived (HKDF-SHA256, its own
``info``) from ``MOSTRADOR_SECRET_KEY``. Without that key nothing in the corpus joins back to
the CRM; with it, an erasure request recomputes the keys of a contact and deletes the
records. Erasure also tries ``MOSTRADOR_SECRET_KEYS_PREVIOUS``, so records keyed before a
key change are still found.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from functools import lru_cache

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from crm.settings import Settings

_INFO = b"mostrador/corpus/keys/v1"


@dataclass(frozen=True)
class CorpusKeys:
    """The keyed hashes under one derived key."""

    key: bytes

    def _mac(self, kind: str, *parts: str) -> str:
        data = "\x1f".join((kind, *parts)).encode("utf-8")
        return hmac.new(self.key, data, hashlib.sha256).hexdigest()

    def record_key(self, tenant_id: str, conversation_id: str) -> str:
        return self._mac("record", tenant_id, conversation_id)

    def subject_key(self, contact_id: str) -> str:
        return self._mac("subject", contact_id)

    def tenant_key(self, tenant_id: str) -> str:
        return self._mac("tenant", tenant_id)


@lru_cache(maxsize=8)
def _derive(secret: str) -> CorpusKeys:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(
        secret.encode("utf-8"))
    return CorpusKeys(key)


def corpus_keys(settings: Settings) -> CorpusKeys:
    """The keys of the primary ``MOSTRADOR_SECRET_KEY`` (what new records are keyed with)."""
    return _derive(settings.secret_key.get_secret_value())


def all_corpus_keys(settings: Settings) -> list[CorpusKeys]:
    """The primary keys first, then those of every previous secret key (for erasure)."""
    secrets = [settings.secret_key.get_secret_value(), *settings.previous_secret_keys]
    return [_derive(s) for s in dict.fromkeys(secrets)]
