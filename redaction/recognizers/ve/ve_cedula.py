"""Venezuelan cédula (V-12.345.678 for nationals, E-84.123.456 for foreigners). No check digit."""

from __future__ import annotations

import re

from presidio_analyzer import Pattern

from redaction.recognizers._bounds import AMOUNT_AFTER, END, ID_NEGATIVE, START
from redaction.recognizers.base import LocalPatternRecognizer
from redaction.recognizers.priority import CUE


class VeCedulaRecognizer(LocalPatternRecognizer):
    """VE cédula: the V/E prefix makes the shape distinctive; bare digits are left to others."""

    ENTITY = "VE_CEDULA"
    COUNTRIES = frozenset({"VE"})
    PRIORITY = CUE
    PATTERNS = [
        Pattern(
            "VE cedula hyphen",
            START + r"(?:[VE]|(?i:[ve])(?=[-.]))[-.]?\s?\d{1,2}\.?\d{3}\.?\d{3}" + END,
            0.6,
        ),
    ]
    CONTEXT = ["cedula", "ci", "c.i", "documento", "venezolano", "venezolana"]
    NEGATIVE_CONTEXT = ID_NEGATIVE
    NEGATIVE_AFTER = AMOUNT_AFTER
    PREFILTER = re.compile(r"(?i)\b[ve][-.]?\s?\d")
