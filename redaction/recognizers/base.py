"""Base class for Mostrador's pattern recognizers: cheap prefilter and context scoring.

Presidio's stock context enhancement lemmatizes the whole text for every result; that
dominates the run time on short chat messages. Each recognizer here instead looks at a
small window of raw text before the match for its context words (raise the score) and
its negative words (drop the match: "pedido", "precio"...). The engine disables the
global lemma enhancer, so this is the only context pass.
"""

from __future__ import annotations

import re
from typing import ClassVar

from presidio_analyzer import Pattern, PatternRecognizer, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts

from redaction.normalize import strip_accents
from redaction.recognizers.priority import SHAPE


def words_regex(words: tuple[str, ...] | list[str]) -> re.Pattern[str] | None:
    """One regex matching any of ``words`` (accent-free, lowercase) at word boundaries."""
    if not words:
        return None
    alternatives = sorted({strip_accents(w.lower()) for w in words}, key=len, reverse=True)
    return re.compile(r"(?<!\w)(?:" + "|".join(re.escape(w) for w in alternatives) + r")(?!\w)")


class LocalPatternRecognizer(PatternRecognizer):
    """A ``PatternRecognizer`` configured by class attributes.

    Subclasses set ``ENTITY``, ``PATTERNS``, ``CONTEXT`` and optionally ``PREFILTER``
    (a regex that must match somewhere in the text, else the recognizer is skipped),
    ``NEGATIVE_CONTEXT`` and ``REQUIRE_CONTEXT`` (drop matches without a context word
    unless the checksum validated them). ``validate_result`` does the checksum.
    ``PRIORITY`` (a tier of :mod:`redaction.recognizers.priority`) and ``COUNTRIES`` (empty:
    every country) are read by :mod:`redaction.recognizers`.
    """

    ENTITY: ClassVar[str] = ""
    PATTERNS: ClassVar[list[Pattern]] = []
    CONTEXT: ClassVar[list[str]] = []
    NEGATIVE_CONTEXT: ClassVar[list[str]] = []
    NEGATIVE_AFTER: ClassVar[list[str]] = []
    PREFILTER: ClassVar[re.Pattern[str] | None] = None
    REQUIRE_CONTEXT: ClassVar[bool] = False
    CONTEXT_WINDOW: ClassVar[int] = 40
    NEGATIVE_WINDOW: ClassVar[int] = 25
    CONTEXT_BOOST: ClassVar[float] = 0.35
    PRIORITY: ClassVar[int] = SHAPE
    COUNTRIES: ClassVar[frozenset[str]] = frozenset()

    def __init__(self, supported_language: str = "es") -> None:
        patterns = [Pattern(p.name, p.regex, p.score) for p in self.PATTERNS]
        super().__init__(
            supported_entity=self.ENTITY,
            name=type(self).__name__,
            supported_language=supported_language,
            patterns=patterns,
            context=list(self.CONTEXT),
            country_code=next(iter(self.COUNTRIES)).lower() if len(self.COUNTRIES) == 1 else None,
        )
        # Case-sensitive unless a pattern says (?i:...): Presidio's default IGNORECASE
        # lets "[A-Z]{4}" swallow the next lowercase word (IBAN groups, plates).
        self.global_regex_flags = re.DOTALL | re.MULTILINE
        self._context_re = words_regex(self.CONTEXT)
        self._negative_re = words_regex(self.NEGATIVE_CONTEXT)
        self._negative_after_re = words_regex(self.NEGATIVE_AFTER)

    def analyze(
        self,
        text: str,
        entities: list[str],
        nlp_artifacts: NlpArtifacts | None = None,
        regex_flags: int | None = None,
    ) -> list[RecognizerResult]:
        """Run the patterns (if the prefilter passes) and score each match by context."""
        if self.PREFILTER is not None and self.PREFILTER.search(text) is None:
            return []
        results = super().analyze(text, entities, nlp_artifacts, self.global_regex_flags)
        kept = []
        for result in results:
            if self.adjust(text, result):
                kept.append(result)
        return kept

    def has_context(self, text: str, start: int) -> bool:
        """True when a context word occurs in the window before ``start``."""
        if self._context_re is None:
            return False
        window = strip_accents(text[max(0, start - self.CONTEXT_WINDOW) : start].lower())
        return self._context_re.search(window) is not None

    def has_negative_context(self, text: str, start: int) -> bool:
        """True when a negative word ("pedido", "precio"...) occurs just before ``start``."""
        if self._negative_re is None:
            return False
        window = strip_accents(text[max(0, start - self.NEGATIVE_WINDOW) : start].lower())
        return self._negative_re.search(window) is not None

    def adjust(self, text: str, result: RecognizerResult) -> bool:
        """Apply context rules to ``result`` in place; return False to drop it."""
        # A context word right before the value beats a negative word further back
        # ("socio 45871 y el DNI 28.456.123").
        near_context = self._context_re is not None and self._context_re.search(
            strip_accents(text[max(0, result.start - 15) : result.start].lower())
        )
        if not near_context and self.has_negative_context(text, result.start):
            return False
        if self._negative_after_re is not None:
            after = strip_accents(text[result.end : result.end + 12].lower())
            if self._negative_after_re.match(after.lstrip()):
                return False
        validated = result.score >= 1.0
        if self.has_context(text, result.start):
            result.score = min(1.0, result.score + self.CONTEXT_BOOST)
        elif self.REQUIRE_CONTEXT and not validated:
            return False
        return True

    def enhance_using_context(
        self,
        text: str,
        raw_recognizer_results: list[RecognizerResult],
        other_raw_recognizer_results: list[RecognizerResult],
        nlp_artifacts: NlpArtifacts,
        context: list[str] | None = None,
    ) -> list[RecognizerResult]:
        """Context was already applied in :meth:`analyze`; nothing more to do."""
        return raw_recognizer_results
