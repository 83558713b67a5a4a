"""Spanish DNI (8 digits and a control letter: 53464097E) via python-stdnum."""

from __future__ import annotations

import re

from presidio_analyzer import Pattern
from stdnum.es import dni

from redaction.recognizers.base import LocalPatternRecognizer
from redaction.recognizers.priority import CHECKSUM


class EsDniRecognizer(LocalPatternRecognizer):
    """ES DNI with the right control letter."""

    ENTITY = "ES_DNI"
    COUNTRIES = frozenset({"ES"})
    PRIORITY = CHECKSUM
    PATTERNS = [
        Pattern("ES DNI", r"(?<![\w.\-])\d{2}\.?\d{3}\.?\d{3}[ -]?(?i:[A-Z])(?!\w)", 0.5),
    ]
    CONTEXT = ["dni", "nif", "documento"]
    PREFILTER = re.compile(r"\d[ -]?[A-Za-z]")

    def validate_result(self, pattern_text: str) -> bool:
        """Valid only when the control letter matches."""
        return bool(dni.is_valid(pattern_text.upper()))
