"""Per-tenant allow-list: the business's own public address, phone and email.

Entries are compared in normalized forms, so "+54 11 4567-8901", "011 4567 8901" and
"1145678901" are one phone, and "Av. Rivadavia 4975" matches inside "Av. Rivadavia
4975, CABA".
"""

from __future__ import annotations

from collections.abc import Iterable

from redaction.normalize import alnum, digits

_PHONE_SUFFIX = 8
_MIN_DIGITS = 6


class AllowList:
    """Normalized allow-list entries; ``allows(entity_type, value)`` decides."""

    def __init__(self, entries: Iterable[str] = ()) -> None:
        self._texts: list[str] = []
        self._digit_suffixes: set[str] = set()
        for entry in entries:
            if not entry or not entry.strip():
                continue
            self._texts.append(alnum(entry))
            number = digits(entry)
            if len(number) >= _MIN_DIGITS and len(number) >= len(alnum(entry)) * 0.8:
                self._digit_suffixes.add(number[-_PHONE_SUFFIX:])

    def __bool__(self) -> bool:
        return bool(self._texts)

    def allows(self, entity_type: str, value: str) -> bool:
        """True when ``value`` is (a form of) an allow-listed entry."""
        if not self._texts:
            return False
        if entity_type == "PHONE_NUMBER":
            number = digits(value)
            return len(number) >= _MIN_DIGITS and number[-_PHONE_SUFFIX:] in self._digit_suffixes
        key = alnum(value)
        if not key:
            return False
        for entry in self._texts:
            if key == entry:
                return True
            if entity_type == "LOCATION" and len(key) >= 8 and (key in entry or entry in key):
                return True
        return False
