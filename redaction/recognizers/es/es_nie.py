"""Spanish NIE (X/Y/Z, 7 digits, control letter: Y2530829S) via python-stdnum."""

from __future__ import annotations

import re

from presidio_analyzer import Pattern
from stdnum.es import nie

from redaction.recognizers.base import LocalPatternRecognizer
from redaction.recognizers.priority import CHECKSUM


class EsNieIdRecognizer(LocalPatternRecognizer):
    """ES NIE with the right control letter."""

    ENTITY = "ES_NIE"
    COUNTRIES = frozenset({"ES"})
    PRIORITY = CHECKSUM
    PATTERNS = [
        Pattern("ES NIE", r"(?<![\w\-])(?i:[XYZ])[ -]?\d{7}[ -]?(?i:[A-Z])(?!\w)", 0.5),
    ]
    CONTEXT = ["nie", "extranjero"]
    PREFILTER = re.compile(r"[XYZxyz][ -]?\d{7}")

    def validate_result(self, pattern_text: str) -> bool:
        """Valid only when the control letter matches."""
        return bool(nie.is_valid(pattern_text.upper()))
