"""``Redactor``: the public face of the package (analyze, redact, redact structured data).

``redact`` returns the redacted ``str``; ``redact_with_entities`` also returns the spans
(offsets into the original text) for callers that record what was removed.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from presidio_analyzer import RecognizerResult
from presidio_anonymizer.entities import RecognizerResult as AnonymizerResult

from redaction.allow_list import AllowList
from redaction.anonymize import STYLES, Anonymizer, RedactionSession
from redaction.engine import DEFAULT_LANGUAGES, DEFAULT_SCORE_THRESHOLD, build_analyzer
from redaction.errors import UnknownStyleError, UnsupportedLanguageError
from redaction.known_values import KnownValues, find_known

logger = logging.getLogger(__name__)

_CONTAINER_MIN_SCORE = 0.6


@dataclass(frozen=True)
class Entity:
    """One redacted span: offsets index the original text."""

    type: str
    start: int
    end: int
    score: float

    def to_dict(self) -> dict[str, Any]:
        """The JSONL shape: ``{"type", "start", "end", "score"}``."""
        return {
            "type": self.type,
            "start": self.start,
            "end": self.end,
            "score": round(self.score, 3),
        }


@dataclass(frozen=True)
class RedactionResult:
    """Redacted text and the entities that were replaced."""

    text: str
    entities: list[Entity]


def resolve_overlaps(results: list[RecognizerResult]) -> list[RecognizerResult]:
    """Non-overlapping results: containers beat what they contain, then score, then length."""
    results = [
        r
        for r in results
        if not any(
            o is not r
            and o.score >= _CONTAINER_MIN_SCORE
            and o.start <= r.start
            and r.end <= o.end
            and (o.end - o.start) > (r.end - r.start)
            for o in results
        )
    ]
    kept: list[RecognizerResult] = []
    for r in sorted(results, key=lambda r: (-r.score, -(r.end - r.start), r.start)):
        if all(r.end <= k.start or r.start >= k.end for k in kept):
            kept.append(r)
    return sorted(kept, key=lambda r: r.start)


class Redactor:
    """PII analysis and redaction for Spanish (and English) chat text.

    Build one per process (building the analyzer takes about a second) and share it;
    pass a :class:`RedactionSession` per conversation to keep replacements consistent.
    """

    def __init__(
        self,
        *,
        languages: Iterable[str] = DEFAULT_LANGUAGES,
        allow_list: Iterable[str] = (),
        hash_key: bytes | None = None,
        score_threshold: float = DEFAULT_SCORE_THRESHOLD,
    ) -> None:
        self.languages = list(languages)
        self.analyzer = build_analyzer(self.languages, score_threshold=score_threshold)
        self.allow_list = AllowList(allow_list)
        self._anonymizer = Anonymizer(hash_key=hash_key)

    def analyze(
        self, text: str, *, language: str = "es", known_values: KnownValues | None = None
    ) -> list[RecognizerResult]:
        """Non-overlapping PII spans in ``text``, sorted by start.

        Known values (and their variants) are always included, even when allow-listed.
        Raises :class:`UnsupportedLanguageError` for a language the Redactor was not built for.
        """
        if language not in self.languages:
            raise UnsupportedLanguageError(language, self.languages)
        if not text:
            return []
        found = self.analyzer.analyze(text=text, language=language)
        if self.allow_list:
            found = [
                r for r in found if not self.allow_list.allows(r.entity_type, text[r.start : r.end])
            ]
        for match in find_known(text, known_values):
            found.append(RecognizerResult(match.entity_type, match.start, match.end, 1.0))
        return resolve_overlaps(found)

    def redact(
        self,
        text: str,
        *,
        style: str = "placeholder",
        session: RedactionSession | None = None,
        known_values: KnownValues | None = None,
        language: str = "es",
    ) -> str:
        """``text`` with its PII replaced in ``style`` (``placeholder``, ``surrogate``,
        ``mask``, ``hash``). Raises :class:`UnknownStyleError` / :class:`MissingHashKeyError`.
        """
        return self.redact_with_entities(
            text, style=style, session=session, known_values=known_values, language=language
        ).text

    def redact_with_entities(
        self,
        text: str,
        *,
        style: str = "placeholder",
        session: RedactionSession | None = None,
        known_values: KnownValues | None = None,
        language: str = "es",
    ) -> RedactionResult:
        """Like :meth:`redact`, also returning the replaced spans (original offsets)."""
        if style not in STYLES:
            raise UnknownStyleError(style, list(STYLES))
        session = session if session is not None else RedactionSession()
        results = self.analyze(text, language=language, known_values=known_values)
        redacted = self._anonymizer.anonymize(
            text,
            [AnonymizerResult(r.entity_type, r.start, r.end, r.score) for r in results],
            style=style,
            session=session,
        )
        entities = [Entity(r.entity_type, r.start, r.end, r.score) for r in results]
        logger.debug("redacted: entities=%d", len(entities))
        return RedactionResult(redacted, entities)

    def redact_structured(
        self,
        obj: Any,
        *,
        style: str = "placeholder",
        session: RedactionSession | None = None,
        known_values: KnownValues | None = None,
        language: str = "es",
    ) -> Any:
        """A copy of ``obj`` (dicts, lists, strings, numbers) with PII replaced.

        Use the conversation's session so tool-call arguments and results get the same
        replacements as the text. See :mod:`redaction.structured`.
        """
        from redaction.structured import redact_structured

        session = session if session is not None else RedactionSession()
        return redact_structured(
            self, obj, style=style, session=session, known_values=known_values, language=language
        )
