"""Base class for values that are PII only because of the label before them.

"pasaporte AB123456", "NHC: 45871236", "carné de extranjería 001234567": the cue is
matched together with the value (within a few characters: ``:``, ``#``, ``N°``, ``nro``,
``es``), and only the value is reported. One compiled regex per class; a cheap prefilter
(the cue alone) skips most messages.
"""

from __future__ import annotations

import re
from typing import ClassVar

from presidio_analyzer import EntityRecognizer, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts

from redaction.recognizers.priority import CUE

# What may stand between a cue and its value: "NHC: 123", "pasaporte n° AB1", "CE es 00…".
GAP = (
    r"(?:\s*(?:[:#]|(?i:n[°º.ºo]|nro\.?|n[uú]m\.?|n[uú]mero|no\.)|(?i:es|de|del|mi|is|number|no|é|e)(?=\s))){0,3}"
    r"\s*[:#]?\s*"
)


class CueValueRecognizer(EntityRecognizer):
    """``LABEL`` (regex alternatives) + ``GAP`` + ``VALUE`` (regex); the value is the span.

    Subclasses set ``ENTITY``, ``LABEL``, ``VALUE`` and optionally ``PREFILTER`` (a cheaper
    regex than the label that must match first), ``SCORE``,
    ``validate(value)`` (False drops the match), ``PRIORITY`` and ``COUNTRIES``.
    """

    ENTITY: ClassVar[str] = ""
    LABEL: ClassVar[str] = ""
    VALUE: ClassVar[str] = ""
    SCORE: ClassVar[float] = 0.8
    PRIORITY: ClassVar[int] = CUE
    COUNTRIES: ClassVar[frozenset[str]] = frozenset()
    _regex: ClassVar[re.Pattern[str] | None] = None
    PREFILTER: ClassVar[str] = ""
    _prefilter: ClassVar[re.Pattern[str] | None] = None

    def __init__(self, supported_language: str = "es") -> None:
        cls = type(self)
        if cls._regex is None:
            cls._prefilter = re.compile(cls.PREFILTER or rf"(?i)(?:{cls.LABEL})")
            cls._regex = re.compile(
                rf"(?<![^\W\d_])(?i:{cls.LABEL})(?![^\W\d_]){GAP}(?P<value>{cls.VALUE})"
            )
        super().__init__(
            supported_entities=[self.ENTITY],
            name=cls.__name__,
            supported_language=supported_language,
        )

    def load(self) -> None:
        """Nothing to load."""

    def validate(self, value: str) -> bool:
        """Whether ``value`` is a plausible identifier (override for checks)."""
        return True

    def keep(self, text: str, match: re.Match[str]) -> bool:
        """Whether to report ``match`` (override to look at the surrounding text)."""
        return self.validate(match.group("value"))

    def analyze(
        self,
        text: str,
        entities: list[str],
        nlp_artifacts: NlpArtifacts | None = None,
    ) -> list[RecognizerResult]:
        """The value after each cue."""
        assert self._regex is not None and self._prefilter is not None
        if self._prefilter.search(text) is None:
            return []
        results = []
        for m in self._regex.finditer(text):
            if not self.keep(text, m):
                continue
            results.append(
                RecognizerResult(
                    self.ENTITY,
                    m.start("value"),
                    m.end("value"),
                    self.SCORE,
                    recognition_metadata={
                        RecognizerResult.RECOGNIZER_NAME_KEY: type(self).__name__,
                        RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id,
                    },
                )
            )
        return results
