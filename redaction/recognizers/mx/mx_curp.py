"""Mexican CURP (18 chars, LOHM900512MDFPRR03), check digit via python-stdnum."""

from __future__ import annotations

import re

from presidio_analyzer import Pattern
from stdnum.mx import curp

from redaction.recognizers.base import LocalPatternRecognizer
from redaction.recognizers.priority import CHECKSUM


class MxCurpRecognizer(LocalPatternRecognizer):
    """MX CURP with a valid check digit."""

    ENTITY = "MX_CURP"
    COUNTRIES = frozenset({"MX"})
    PRIORITY = CHECKSUM
    PATTERNS = [
        Pattern(
            "MX CURP",
            r"(?<![\w])(?i:[A-Z]{4}\d{6}[HMX][A-Z]{5}[A-Z0-9]\d)(?!\w)",
            0.6,
        ),
    ]
    CONTEXT = ["curp"]
    PREFILTER = re.compile(r"\d{6}[HMXhmx]")

    def validate_result(self, pattern_text: str) -> bool:
        """Valid only when the date, state and check digit are consistent."""
        return bool(curp.is_valid(pattern_text.upper()))
