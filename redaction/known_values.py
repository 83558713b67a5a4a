"""Values the caller already knows (CRM name, phone, email) and every variant of them.

``known_values`` is either a mapping ``{entity_type: value or [values]}`` or a plain
iterable of strings (type guessed: ``@`` → email, mostly digits → phone, else a name).
Variants: a phone with or without country code / area code and with any separators,
each part of a name (case- and accent-insensitive), an email and its local part.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import phonenumbers

from redaction.normalize import digits, strip_accents
from redaction.recognizers.common.lexicon import COMMON_WORDS

KnownValues = Mapping[str, "str | Iterable[str]"] | Iterable[str]

_SEP = r"[\s\-.()/]*"
_MIN_NAME_PART = 3
_MIN_PHONE_DIGITS = 7


@dataclass(frozen=True)
class KnownMatch:
    """One occurrence of a known value in a text."""

    entity_type: str
    start: int
    end: int


def _guess_type(value: str) -> str:
    if "@" in value:
        return "EMAIL_ADDRESS"
    if len(digits(value)) >= _MIN_PHONE_DIGITS and len(digits(value)) >= len(value) * 0.6:
        return "PHONE_NUMBER"
    return "PERSON"


def normalize_known(known: KnownValues | None) -> list[tuple[str, str]]:
    """``[(entity_type, value)]`` from either accepted shape."""
    if not known:
        return []
    pairs: list[tuple[str, str]] = []
    if isinstance(known, Mapping):
        for entity_type, values in known.items():
            if isinstance(values, str):
                values = [values]
            pairs.extend((entity_type, v) for v in values if v and v.strip())
    else:
        pairs.extend((_guess_type(v), v) for v in known if isinstance(v, str) and v.strip())
    return pairs


def _phone_variants(value: str) -> set[str]:
    number = digits(value)
    variants = {number}
    try:
        parsed = phonenumbers.parse(value if value.strip().startswith("+") else "+" + number, None)
        national = str(parsed.national_number)
        variants.add(national)
        if parsed.country_code == 54 and national.startswith("9"):
            variants.add(national[1:])  # AR mobile without the 9
    except phonenumbers.NumberParseException:
        pass
    variants |= {v[-8:] for v in list(variants) if len(v) > 8}
    return {v for v in variants if len(v) >= _MIN_PHONE_DIGITS}


def _digit_regex(number: str) -> str:
    return r"(?<!\d)" + _SEP.join(re.escape(d) for d in number) + r"(?!\d)"


def _text_regex(value: str) -> str:
    words = [re.escape(strip_accents(w.lower())) for w in value.split()]
    return r"(?<!\w)" + r"\s+".join(words) + r"(?!\w)"


def compile_known(pairs: list[tuple[str, str]]) -> list[tuple[str, re.Pattern[str], bool]]:
    """``(entity_type, regex, on_folded_text)`` for every variant of every value."""
    compiled: list[tuple[str, re.Pattern[str], bool]] = []
    for entity_type, value in pairs:
        if entity_type == "PHONE_NUMBER" or (
            entity_type != "PERSON" and len(digits(value)) >= len(value.replace(" ", "")) * 0.8
        ):
            for variant in sorted(_phone_variants(value) | {digits(value)}, key=len, reverse=True):
                if len(variant) >= 5:
                    compiled.append((entity_type, re.compile(_digit_regex(variant)), False))
            continue
        variants = {value}
        if entity_type == "PERSON":
            variants |= {
                w
                for w in value.split()
                if len(w) >= _MIN_NAME_PART and strip_accents(w.lower()) not in COMMON_WORDS
            }
        elif entity_type == "EMAIL_ADDRESS" and "@" in value:
            local = value.split("@", 1)[0]
            if len(local) >= 5:
                variants.add(local)
        for variant in sorted(variants, key=len, reverse=True):
            compiled.append((entity_type, re.compile(_text_regex(variant)), True))
    return compiled


def find_known(text: str, known: KnownValues | None) -> list[KnownMatch]:
    """Every occurrence of every variant of the known values in ``text``."""
    pairs = normalize_known(known)
    if not pairs:
        return []
    folded = strip_accents(text.lower())
    if len(folded) != len(text):  # decomposed input: offsets would drift
        folded = text.lower()
    matches: list[KnownMatch] = []
    for entity_type, regex, on_folded in compile_known(pairs):
        for m in regex.finditer(folded if on_folded else text):
            matches.append(KnownMatch(entity_type, m.start(), m.end()))
    return matches
