"""Argentine DNI (7-8 digits, usually written with dots: 34.540.967). No check digit."""

from __future__ import annotations

import re

from presidio_analyzer import Pattern
from stdnum.ar import dni

from redaction.normalize import digits
from redaction.recognizers._bounds import AMOUNT_AFTER, END, ID_NEGATIVE, START
from redaction.recognizers.base import LocalPatternRecognizer
from redaction.recognizers.priority import CUE


class ArDniRecognizer(LocalPatternRecognizer):
    """AR DNI: dotted form alone is a weak signal; bare digits need "DNI" nearby."""

    ENTITY = "AR_DNI"
    COUNTRIES = frozenset({"AR"})
    PRIORITY = CUE
    PATTERNS = [
        Pattern("AR DNI dotted", START + r"\d{1,2}\.\d{3}\.\d{3}" + END, 0.4),
        Pattern("AR DNI bare", START + r"\d{7,8}" + END, 0.1),
        # Spaced or dashed groups ("34 540 967", "34-540-967"): only next to "DNI".
        Pattern("AR DNI grouped", START + r"\d{1,2}([ \-])\d{3}\1\d{3}" + END, 0.1),
        # Glued to its word: "dni30111222".
        Pattern("AR DNI glued", r"(?<=[dD][nN][iI])(?:\d{7,8}|\d{1,2}\.\d{3}\.\d{3})" + END, 0.1),
    ]
    CONTEXT = ["dni", "d.n.i", "documento", "doc", "nro de documento"]
    NEGATIVE_CONTEXT = ID_NEGATIVE
    NEGATIVE_AFTER = AMOUNT_AFTER
    PREFILTER = re.compile(r"\d{3}")
    CONTEXT_WINDOW = 60
    CONTEXT_BOOST = 0.5

    def validate_result(self, pattern_text: str) -> bool | None:
        """Reject malformed numbers; a valid shape does not raise the score by itself."""
        return None if dni.is_valid(digits(pattern_text)) else False
