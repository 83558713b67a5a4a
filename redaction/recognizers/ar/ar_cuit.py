"""Argentine CUIT/CUIL (11 digits, 20-34540967-0), check digit via python-stdnum."""

from __future__ import annotations

import re

from presidio_analyzer import Pattern
from stdnum.ar import cuit

from redaction.recognizers._bounds import END, START
from redaction.recognizers.base import LocalPatternRecognizer
from redaction.recognizers.priority import CHECKSUM


class ArCuitRecognizer(LocalPatternRecognizer):
    """AR CUIT/CUIL with a valid check digit."""

    ENTITY = "AR_CUIT"
    COUNTRIES = frozenset({"AR"})
    PRIORITY = CHECKSUM
    PATTERNS = [
        Pattern(
            "AR CUIT",
            START + r"(?:20|23|24|25|26|27|30|33|34)[- .]?\d{2}\.?\d{3}\.?\d{3}[- .]?\d" + END,
            0.5,
        ),
        # Glued to its word: "cuit23283193357".
        Pattern("AR CUIT glued", r"(?<=[cC][uU][iI][tTlL])\d{11}" + END, 0.5),
    ]
    CONTEXT = ["cuit", "cuil", "cdi"]
    PREFILTER = re.compile(r"\d{8}|\d-\d")

    def validate_result(self, pattern_text: str) -> bool:
        """Valid only when the modulo-11 check digit matches."""
        return bool(cuit.is_valid(pattern_text))
