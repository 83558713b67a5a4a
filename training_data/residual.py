"""The residual-PII audit: a second, stricter pass over an anonymized conversation.

Stricter than the first pass in two ways: a lower score threshold (candidates the first
pass judged too weak count here), and every string is searched for every variant of the
contact's known identifiers. Replacements the first pass issued (surrogates, placeholders)
and allow-listed business data are not findings. Any finding quarantines the record.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from redaction import Redactor
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
