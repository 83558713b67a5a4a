"""Venezuelan RIF (V-12345678-1, J-31234567-9), check digit via python-stdnum."""

from __future__ import annotations

import re

from presidio_analyzer import Pattern
from stdnum.ve import rif

from redaction.recognizers._bounds import END, START
from redaction.recognizers.base import LocalPatternRecognizer
from redaction.recognizers.priority import CHECKSUM


class VeRifRecognizer(LocalPatternRecognizer):
    """VE RIF with a valid check digit."""

    ENTITY = "VE_RIF"
    COUNTRIES = frozenset({"VE"})
    PRIORITY = CHECKSUM
    PATTERNS = [
        Pattern("VE RIF", START + r"(?i:[vejpgc])-?\d{8}-?\d" + END, 0.5),
    ]
    CONTEXT = ["rif"]
    PREFILTER = re.compile(r"(?i)[vejpgc]-?\d{8}")

    def validate_result(self, pattern_text: str) -> bool:
        """Valid only when the check digit matches."""
        return bool(rif.is_valid(pattern_text.upper()))
