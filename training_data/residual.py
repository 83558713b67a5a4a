"""The residual-PII audit: two more passes over an anonymized conversation.

The first, :func:`residual_types`, is stricter than the redaction itself: a lower score
threshold (candidates the first pass judged too weak count here), and every string is
searched for every variant of the contact's known identifiers. It shares the
recognizers, so it shares their blind spots; the second, :func:`residual_shapes`, does
not use them: any run of six digits, anything e-mail- or handle-shaped, and any part of
the contact's identifiers inside a handle, an e-mail, a URL or a number. Replacements the
first pass issued (surrogates, placeholders) and allow-listed business data are not
findings. Any finding quarantines the record.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from typing import Any

from redaction import Redactor
from redaction.allow_list import AllowList
from redaction.canonical import canonicalize
from redaction.normalize import digits, fold
from training_data.anonymize import ISO_DATETIME

STRICT_SCORE_THRESHOLD = 0.3
_PLACEHOLDER = re.compile(r"<[A-Z_]+_\d+>")


def strings(obj: Any) -> Iterator[str]:
    """Every string inside ``obj`` (message contents, tool arguments, tool results)."""
    if isinstance(obj, str):
        yield obj
    elif isinstance(obj, Mapping):
        for value in obj.values():
            yield from strings(value)
    elif isinstance(obj, list | tuple):
        for value in obj:
            yield from strings(value)


def _covered(text: str, issued: set[str]) -> list[tuple[int, int]]:
    spans = [(m.start(), m.end()) for m in _PLACEHOLDER.finditer(text)]
    spans += [(m.start(), m.end()) for m in ISO_DATETIME.finditer(text)]
    for value in issued:
        at = text.find(value)
        while at >= 0:
            spans.append((at, at + len(value)))
            at = text.find(value, at + 1)
    return spans


def residual_types(
    strict: Redactor,
    messages: list[dict[str, Any]],
    *,
    issued: set[str],
    known_values: Mapping[str, str | list[str]] | None,
    language: str = "es",
) -> list[str]:
    """Entity types (sorted, distinct; never values) still found in ``messages``."""
    found: set[str] = set()
    for message in messages:
        fields = [message.get("content"), message.get("tool_calls")]
        for text in (s for f in fields for s in strings(f)):
            if not text.strip():
                continue
            covered = _covered(text, issued)
            for r in strict.analyze(text, language=language, known_values=known_values):
                if not any(a <= r.start and r.end <= b for a, b in covered):
                    found.add(r.entity_type)
    return sorted(found)


# -- the independent check ----------------------------------------------------------------
# Shapes, not recognizers: what the recognizers miss, this still sees. It reads the same
# canonical text (spelled-out numbers and spoken e-mails rewritten) but decides by shape.
_DIGIT_RUN = re.compile(r"(?<![0-9])[0-9](?:[ .\-]?[0-9]){5,}(?![0-9])")
_DATE = re.compile(r"(?<![0-9])[0-9]{1,2}[/\-.][0-9]{1,2}[/\-.][0-9]{2,4}(?![0-9])")
_MONEY_BEFORE = re.compile(
    r"(?:\$|us\$|u\$s|r\$|s/|€|₲|gs\.?|ars|mxn|clp|cop|pen|uyu|pyg|usd|eur)\s*$", re.I
)
_MONEY_AFTER = re.compile(
    r"^\s*(?:pesos|soles|reales|d[oó]lares|guaran[ií]es|gs\b|€|usd|ars|mxn|clp|cop|pen|uyu|"
    r"pyg|eur|mil\b)", re.I
)
_EMAIL_SHAPE = re.compile(r"[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+")
_HANDLE_SHAPE = re.compile(r"(?<![\w@.])@[A-Za-z0-9_.]{3,30}")
_URL_SHAPE = re.compile(r"(?:https?://|www\.)\S+|\b[\w\-]+\.(?:com|net|org)[\w./\-]*", re.I)
_MIN_KNOWN_PART = 4


def _json_strings(text: str) -> list[str]:
    """The string values inside a JSON document, or ``[text]`` when it is not JSON."""
    stripped = text.strip()
    if stripped[:1] in "[{":
        try:
            return list(strings(json.loads(stripped)))
        except ValueError:
            pass
    return [text]


def _known_parts(known_values: Mapping[str, str | list[str]] | None) -> tuple[set[str], set[str]]:
    """Letters-only parts (≥4) and digit variants (≥6) of the contact's identifiers."""
    letters: set[str] = set()
    numbers: set[str] = set()
    for values in (known_values or {}).values():
        for value in [values] if isinstance(values, str) else values:
            local = value.split("@", 1)[0]
            for part in re.split(r"[\W\d_]+", fold(local)):
                if len(part) >= _MIN_KNOWN_PART:
                    letters.add(part)
            number = digits(value)
            if len(number) >= 6:
                numbers |= {number, number[-8:], number[-7:]}
    return letters, numbers


def residual_shapes(
    messages: list[dict[str, Any]],
    *,
    issued: set[str],
    known_values: Mapping[str, str | list[str]] | None,
    allow_list: AllowList | None = None,
) -> list[str]:
    """Why the shape check rejects ``messages`` (sorted kinds; never values), or ``[]``.

    Kinds: ``DIGIT_RUN`` (six or more digits, not money nor a date), ``EMAIL_SHAPE``,
    ``HANDLE_SHAPE`` (``@something``), ``KNOWN_IDENTIFIER`` (a part of the contact's
    name, e-mail or phone inside a handle, an e-mail, a URL or a digit run).
    """
    letters, numbers = _known_parts(known_values)
    found: set[str] = set()
    for message in messages:
        fields = [message.get("content"), message.get("tool_calls")]
        for raw in (s for f in fields for s in strings(f)):
            for text in _json_strings(raw):
                if text.strip():
                    found |= _shapes(text, issued, letters, numbers, allow_list)
    return sorted(found)


def _shapes(
    text: str, issued: set[str], letters: set[str], numbers: set[str],
    allow_list: AllowList | None,
) -> set[str]:
    canon = canonicalize(text).text
    covered = _covered(canon, issued)

    def free(m: re.Match[str], entity_type: str) -> bool:
        if allow_list is not None and allow_list.allows(entity_type, m.group()):
            return False
        return not any(a <= m.start() and m.end() <= b for a, b in covered)

    found: set[str] = set()
    dates = [(m.start(), m.end()) for m in _DATE.finditer(canon)]
    for m in _DIGIT_RUN.finditer(canon):
        if not free(m, "PHONE_NUMBER") or any(a <= m.start() and m.end() <= b for a, b in dates):
            continue
        if _MONEY_BEFORE.search(canon[max(0, m.start() - 5) : m.start()]):
            continue
        if _MONEY_AFTER.match(canon[m.end() : m.end() + 10]):
            continue
        found.add("DIGIT_RUN")
        if any(n in digits(m.group()) for n in numbers):
            found.add("KNOWN_IDENTIFIER")
    shaped = [("EMAIL_SHAPE", _EMAIL_SHAPE), ("HANDLE_SHAPE", _HANDLE_SHAPE), ("URL", _URL_SHAPE)]
    for kind, regex in shaped:
        for m in regex.finditer(canon):
            if not free(m, "EMAIL_ADDRESS" if kind == "EMAIL_SHAPE" else "URL"):
                continue
            if kind != "URL":
                found.add(kind)
            token = fold(m.group())
            if any(part in token for part in letters):
                found.add("KNOWN_IDENTIFIER")
    return found
