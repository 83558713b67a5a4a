"""``Redactor``: the public face of the package (analyze, redact, redact structured data).

``redact`` returns the redacted ``str``; ``redact_with_entities`` also returns the spans
(offsets into the original text) for callers that record what was removed.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from presidio_analyzer import RecognizerResult
from presidio_anonymizer.entities import RecognizerResult as AnonymizerResult

from redaction.allow_list import AllowList
from redaction.anonymize import STYLES, Anonymizer, RedactionSession
from redaction.canonical import Canonical, canonicalize
from redaction.engine import (
    DEFAULT_LANGUAGES,
    DEFAULT_SCORE_THRESHOLD,
    LeanAnalyzer,
    build_analyzer,
)
from redaction.errors import UnknownStyleError, UnsupportedLanguageError
from redaction.known_values import KnownValues, find_known
from redaction.normalize import digits, fold
from redaction.number_words import is_number_word
from redaction.recognizers import recognizer_priority
from redaction.recognizers.common.lexicon import COMMON_WORDS
from redaction.recognizers.common.vocab import COMMON_VOCAB

logger = logging.getLogger(__name__)

_CONTAINER_MIN_SCORE = 0.6
_CONTEXT_CHARS = 40  # how much of a neighbouring message is read for a split value
_JOIN = " "
_NUMERIC_END = re.compile(r"[0-9][\s.,\-]*$")
_NUMERIC_START = re.compile(r"^\W{0,3}[0-9]")
_SHORT = 40  # characters: a message this short may be half of a value
_SPLIT_MIN = 6  # digits: a run across two messages this long is an identifier
_LAST_TOKEN = re.compile(r"(?<![\w.@+\-])[\w.+\-]*\w$")  # no space before the cut
_EMAIL_REST = re.compile(r"[\w.+\-]*@[\w\-]+(?:\.[\w\-]+)+")  # the rest, from the start
_CROSSING_DIGITS = re.compile(r"[0-9](?:[ .\-/]{0,2}[0-9])+")
_SPLIT_CUES = [
    (re.compile(r"\b(?:ip)\b"), "IP_ADDRESS"),
    (re.compile(r"\b(?:cbu|cvu|clabe|cuenta|tarjeta|card|iban|alias)\b"), "FINANCIAL"),
    (re.compile(r"\b(?:dni|ci|c\.i|cedula|rut|run|cuit|cuil|curp|rfc|nit|ruc|documento|"
                r"pasaporte|cpf|nie|nif|legajo|afiliado)\b"), "NATIONAL_ID"),
]
_LAST_WORD = re.compile(r"([^\W\d_]+)[\s.,\-]*$")
_FIRST_WORD = re.compile(r"^\W{0,3}([^\W\d_]+)")


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
    """Non-overlapping results: containers beat what they contain, then score, then the
    recognizer's priority (a validated check digit beats a shape), then length."""
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
    ranked = sorted(
        results, key=lambda r: (-r.score, -_priority(r), -(r.end - r.start), r.start)
    )
    for r in ranked:
        if all(r.end <= k.start or r.start >= k.end for k in kept):
            kept.append(r)
    return sorted(kept, key=lambda r: r.start)


def _priority(result: RecognizerResult) -> int:
    """The recognizer's tier (a validated check digit beats a cue, a cue a shape); known
    values and neighbours' spans (no recognizer) rank with free text."""
    metadata = result.recognition_metadata or {}
    return recognizer_priority(str(metadata.get("recognizer_name", "")))


class Redactor:
    """PII analysis and redaction for Spanish (and English) chat text.

    Build one per process (building the analyzer takes a fraction of a second) and share
    it; pass a :class:`RedactionSession` per conversation to keep replacements consistent.
    ``countries`` (ISO codes, ``["AR"]``) loads only those countries' identifier
    recognizers besides the common ones (phones, e-mails, cards, names, addresses...);
    ``None`` loads every country's. ``statistical_names`` adds the shipped name tagger
    (:mod:`redaction.ner`) to the rules: more names found, more false alarms, slower.
    """

    def __init__(
        self,
        *,
        languages: Iterable[str] = DEFAULT_LANGUAGES,
        allow_list: Iterable[str] = (),
        hash_key: bytes | None = None,
        score_threshold: float = DEFAULT_SCORE_THRESHOLD,
        countries: Iterable[str] | None = None,
        statistical_names: bool = False,
    ) -> None:
        self.languages = list(languages)
        self.countries = None if countries is None else sorted({c.upper() for c in countries})
        self.analyzer = build_analyzer(
            self.languages, score_threshold=score_threshold, countries=self.countries
        )
        if statistical_names:  # the shipped spaCy tagger fills the gaps of the name rules
            from redaction.ner.recognizer import StatisticalNameRecognizer

            for lang in self.languages:
                self.analyzer.registry.add_recognizer(
                    StatisticalNameRecognizer(supported_language=lang)
                )
        self._recognize = LeanAnalyzer(self.analyzer, score_threshold=score_threshold)
        self.allow_list = AllowList(allow_list)
        self._anonymizer = Anonymizer(hash_key=hash_key)

    def analyze(
        self, text: str, *, language: str = "es", known_values: KnownValues | None = None
    ) -> list[RecognizerResult]:
        """Non-overlapping PII spans in ``text``, sorted by start.

        The recognizers read the canonical form of the text (spelled-out numbers, keycap
        digits, spoken e-mails rewritten, see :mod:`redaction.canonical`); the spans index
        ``text``. Known values (and their variants) are always included, even when
        allow-listed. Raises :class:`UnsupportedLanguageError` for a language the
        Redactor was not built for.
        """
        if language not in self.languages:
            raise UnsupportedLanguageError(language, self.languages)
        if not text:
            return []
        return resolve_overlaps(self._find(text, language, known_values))

    def analyze_in_context(
        self,
        text: str,
        *,
        before: str = "",
        after: str = "",
        language: str = "es",
        known_values: KnownValues | None = None,
    ) -> list[RecognizerResult]:
        """Like :meth:`analyze`, also finding values split with the neighbouring messages.

        ``before`` and ``after`` are the previous and next messages of the conversation:
        when a number runs across the boundary ("mi cel es 11 5832" / "1190 perdón"),
        the part inside ``text`` is returned too.
        """
        head = _tail(before) if before and _split_between(before, text) else ""
        tail = _head(after) if after and _split_between(text, after) else ""
        if not head and not tail and not _EMAIL_REST.match(after or "@"):
            return self.analyze(text, language=language, known_values=known_values)
        if language not in self.languages:
            raise UnsupportedLanguageError(language, self.languages)
        lead = head + _JOIN if head else ""
        joined = lead + text + (_JOIN + tail if tail else "")
        lo, hi = len(lead), len(lead) + len(text)
        inside: list[RecognizerResult] = []
        canon = canonicalize(joined)
        for r in self._find(joined, language, known_values, canon=canon):
            if r.entity_type == "PERSON" and (r.start < lo or r.end > hi):
                continue  # a name runs on into the next line's label ("Esparza Fecha")
            start, end = max(r.start, lo), min(r.end, hi)
            if start < end and text[start - lo : end - lo].strip():
                inside.append(
                    RecognizerResult(
                        r.entity_type, start - lo, end - lo, r.score,
                        recognition_metadata=r.recognition_metadata,
                    )
                )
        inside += _split_numbers(canon, lo, hi)
        inside += _split_email(text, before=before, after=after)
        inside += self._find(text, language, known_values)
        return resolve_overlaps(_trim(text, inside))

    def _find(
        self, text: str, language: str, known_values: KnownValues | None,
        *, canon: Canonical | None = None,
    ) -> list[RecognizerResult]:
        """Every candidate span (overlapping), in ``text`` offsets."""
        canon = canon if canon is not None else canonicalize(text)
        found = self._recognize.analyze(canon.text, language)
        if canon.changed:
            found = [_mapped(canon, r) for r in found]
        if self.allow_list:
            found = [
                r for r in found if not self.allow_list.allows(r.entity_type, text[r.start : r.end])
            ]
        for match in find_known(text, known_values):
            found.append(RecognizerResult(match.entity_type, match.start, match.end, 1.0))
        if canon.changed and known_values:
            for match in find_known(canon.text, known_values):
                start, end = canon.to_original(match.start, match.end)
                found.append(RecognizerResult(match.entity_type, start, end, 1.0))
        return found

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
        if session.previous_text:
            results = self.analyze_in_context(
                text, before=session.previous_text, language=language,
                known_values=known_values,
            )
        else:
            results = self.analyze(text, language=language, known_values=known_values)
        session.previous_text = text
        return self.anonymize(text, results, style=style, session=session)

    def anonymize(
        self,
        text: str,
        results: list[RecognizerResult],
        *,
        style: str = "placeholder",
        session: RedactionSession | None = None,
    ) -> RedactionResult:
        """``text`` with the given (non-overlapping) spans replaced in ``style``."""
        if style not in STYLES:
            raise UnknownStyleError(style, list(STYLES))
        session = session if session is not None else RedactionSession()
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
        person_keys: Iterable[str] = (),
    ) -> Any:
        """A copy of ``obj`` (dicts, lists, strings, numbers) with PII replaced.

        Use the conversation's session so tool-call arguments and results get the same
        replacements as the text. ``person_keys``: keys whose value is a person's name in
        this object (from the tool's schema; a bare ``"name"`` is not one otherwise).
        See :mod:`redaction.structured`.
        """
        from redaction.structured import redact_structured

        session = session if session is not None else RedactionSession()
        return redact_structured(
            self, obj, style=style, session=session, known_values=known_values,
            language=language, person_keys=frozenset(person_keys),
        )


def _mapped(canon: Canonical, r: RecognizerResult) -> RecognizerResult:
    start, end = canon.to_original(r.start, r.end)
    return RecognizerResult(
        r.entity_type, start, end, r.score, recognition_metadata=r.recognition_metadata
    )


def _tail(text: str) -> str:
    return text[-_CONTEXT_CHARS:].replace("\n", " ")


def _head(text: str) -> str:
    return text[:_CONTEXT_CHARS].replace("\n", " ")


def _split_between(first: str, second: str) -> bool:
    """Whether a value may run from ``first`` into ``second``: a number across the
    boundary, or a short message (people send the rest of a phrase in a second one)."""
    if len(first) <= _SHORT or len(second) <= _SHORT:
        return True
    return _ends_numeric(first) and _starts_numeric(second)


def _split_email(text: str, *, before: str, after: str) -> list[RecognizerResult]:
    """An e-mail cut in two ("mi mail es vane.r" / "odriguez@gmail.com"): the piece of
    ``text`` that runs into the neighbour's "@" (or follows the neighbour's first half)."""
    out = []
    last = _LAST_TOKEN.search(text)
    if after and last and _EMAIL_REST.match(after) and _email_piece(last.group()):
        out.append(RecognizerResult("EMAIL_ADDRESS", last.start(), last.end(), 0.6))
    first = _EMAIL_REST.match(text)
    piece = _LAST_TOKEN.search(before) if before else None
    if first and piece and _email_piece(piece.group()):
        out.append(RecognizerResult("EMAIL_ADDRESS", first.start(), first.end(), 0.6))
    return out


def _email_piece(token: str) -> bool:
    """The start of an e-mail, not a word ("te paso mi mail" / "juan@gmail.com")."""
    if len(token) < 3:
        return False
    if any(not ch.isalpha() for ch in token):
        return True
    folded = fold(token)
    return folded not in COMMON_WORDS and folded not in COMMON_VOCAB


def _split_numbers(canon: Canonical, lo: int, hi: int) -> list[RecognizerResult]:
    """A digit run that crosses a message boundary, long enough to be an identifier,
    typed by the cue before it ("dni 4582" / "1177"); the part in ``[lo, hi)`` of the
    joined text ``canon`` is the canonical form of."""
    out = []
    for m in _CROSSING_DIGITS.finditer(canon.text):
        start, end = canon.to_original(m.start(), m.end())
        if not (start < lo <= end or start < hi <= end) or len(digits(m.group())) < _SPLIT_MIN:
            continue
        cue = fold(canon.text[max(0, m.start() - 30) : m.start()])
        entity = next((t for regex, t in _SPLIT_CUES if regex.search(cue)), "PHONE_NUMBER")
        start, end = max(start, lo), min(end, hi)
        if start < end:
            out.append(RecognizerResult(entity, start - lo, end - lo, 0.6))
    return out


def _ends_numeric(text: str) -> bool:
    if _NUMERIC_END.search(text):
        return True
    m = _LAST_WORD.search(text)
    return bool(m and is_number_word(m.group(1)))


def _starts_numeric(text: str) -> bool:
    if _NUMERIC_START.search(text):
        return True
    m = _FIRST_WORD.search(text)
    return bool(m and is_number_word(m.group(1)))


def _trim(text: str, results: list[RecognizerResult]) -> list[RecognizerResult]:
    """Spans clipped at a message boundary lose the spaces they start or end with."""
    trimmed = []
    for r in results:
        start, end = r.start, r.end
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if start < end:
            r.start, r.end = start, end
            trimmed.append(r)
    return trimmed
