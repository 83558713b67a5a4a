"""Anonymization styles and the per-conversation ``RedactionSession``.

Styles:
* ``placeholder`` — ``<PERSON_1>``, ``<PHONE_NUMBER_2>``; one number per distinct value
  within the session (name parts map to the full name's number).
* ``surrogate`` — a realistic fake of the same kind and format (valid check digits),
  the same fake for the same value within the session.
* ``mask`` — every letter and digit becomes ``*`` (separators stay).
* ``hash`` — ``<PERSON_3fa9c1d2e0ab>``: keyed HMAC-SHA256, irreversible without the key,
  stable across sessions that share the key.

Replacement itself goes through Presidio's ``AnonymizerEngine`` with custom operators.
"""

from __future__ import annotations

import hashlib
import hmac
import random
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from presidio_anonymizer import AnonymizerEngine
from presidio_anonymizer.entities import OperatorConfig, RecognizerResult

from redaction.errors import MissingHashKeyError, UnknownStyleError
from redaction.normalize import alnum, digits, fold
from redaction.surrogates import make_surrogate

STYLES = ("placeholder", "surrogate", "mask", "hash")
_DIGIT_TYPES_SUFFIX = 8


def value_key(entity_type: str, value: str) -> str:
    """Normalized identity of a value: variants of one phone/name/email share a key."""
    if entity_type == "PHONE_NUMBER":
        return digits(value)[-_DIGIT_TYPES_SUFFIX:]
    if entity_type in ("PERSON", "LOCATION", "URL", "EMAIL_ADDRESS"):
        return fold(value)
    return alnum(value)


@dataclass
class RedactionSession:
    """Replacement maps for one conversation; pass the same session for every message.

    Not thread-safe: use one session per conversation.
    """

    secret: bytes = field(default_factory=lambda: secrets.token_bytes(16))
    _placeholders: dict[tuple[str, str], str] = field(default_factory=dict)
    _counters: dict[str, int] = field(default_factory=dict)
    _surrogates: dict[tuple[str, str], str] = field(default_factory=dict)
    # The last text redacted in this conversation: a value split across two messages
    # ("mi cel es 11 5832" / "1190") is found by reading its tail before the next one.
    previous_text: str = ""

    def placeholder(self, entity_type: str, value: str) -> str:
        """``<TYPE_n>``, the same ``n`` for the same (normalized) value."""
        key = (entity_type, value_key(entity_type, value))
        found = self._placeholders.get(key)
        if found is None and entity_type == "PERSON":
            found = self._person_part(key[1])
        if found is None:
            n = self._counters.get(entity_type, 0) + 1
            self._counters[entity_type] = n
            found = f"<{entity_type}_{n}>"
        self._placeholders[key] = found
        if entity_type == "PERSON":
            for part in key[1].split():
                self._placeholders.setdefault((entity_type, part), found)
        return found

    def _person_part(self, folded: str) -> str | None:
        """A multi-word name whose first part we already saw alone (or vice versa)."""
        for part in folded.split():
            found = self._placeholders.get(("PERSON", part))
            if found is not None:
                return found
        return None

    def surrogate(self, entity_type: str, value: str) -> str:
        """A fake for ``value``, stable within the session."""
        key = (entity_type, value_key(entity_type, value))
        found = self._surrogates.get(key)
        if found is None:
            seed = hmac.new(self.secret, f"{key[0]}:{key[1]}".encode(), hashlib.sha256).digest()
            found = make_surrogate(entity_type, value, random.Random(seed))
            self._surrogates[key] = found
        return found

    @property
    def placeholder_count(self) -> int:
        """How many distinct placeholders were issued (for logs: a count, no values)."""
        return sum(self._counters.values())


def mask_value(value: str) -> str:
    """Every letter and digit replaced by ``*``."""
    return "".join("*" if ch.isalnum() else ch for ch in value)


def hash_value(key: bytes, entity_type: str, value: str) -> str:
    """``<TYPE_hex12>`` from HMAC-SHA256 over the normalized value."""
    digest = hmac.new(key, f"{entity_type}:{value_key(entity_type, value)}".encode(), "sha256")
    return f"<{entity_type}_{digest.hexdigest()[:12]}>"


class Anonymizer:
    """Applies a style to analyzer results through Presidio's ``AnonymizerEngine``."""

    def __init__(self, *, hash_key: bytes | None = None) -> None:
        self._engine = AnonymizerEngine()
        self._hash_key = hash_key

    def replacement_fn(self, style: str, session: RedactionSession) -> Callable[[str, str], str]:
        """``fn(entity_type, value) -> replacement`` for ``style``."""
        if style == "placeholder":
            return session.placeholder
        if style == "surrogate":
            return session.surrogate
        if style == "mask":
            return lambda _t, v: mask_value(v)
        if style == "hash":
            if not self._hash_key:
                raise MissingHashKeyError()
            key = self._hash_key
            return lambda t, v: hash_value(key, t, v)
        raise UnknownStyleError(style, list(STYLES))

    def anonymize(
        self,
        text: str,
        results: Sequence[RecognizerResult],
        *,
        style: str,
        session: RedactionSession,
    ) -> str:
        """``text`` with every (non-overlapping) result replaced in ``style``."""
        fn = self.replacement_fn(style, session)
        if not results:
            return text
        operators = {
            entity: OperatorConfig("custom", {"lambda": _bind(fn, entity)})
            for entity in {r.entity_type for r in results}
        }
        # Presidio applies operators from the end of the text; call fn in reading order
        # first so placeholder numbers follow the order of appearance.
        for r in sorted(results, key=lambda r: r.start):
            fn(r.entity_type, text[r.start : r.end])
        return self._engine.anonymize(text, list(results), operators).text


def _bind(fn: Callable[[str, str], str], entity: str) -> Callable[[str], str]:
    return lambda value: fn(entity, value)
