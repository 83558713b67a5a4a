"""Peruvian RUC (11 digits starting 10/15/17/20), check digit via python-stdnum."""

from __future__ import annotations

import re

from presidio_analyzer import Pattern
from stdnum.pe import ruc

from redaction.recognizers._bounds import END, START
from redaction.recognizers.base import LocalPatternRecognizer
from redaction.recognizers.priority import CHECKSUM


class PeRucRecognizer(LocalPatternRecognizer):
    """PE RUC with a valid check digit."""

    ENTITY = "PE_RUC"
    COUNTRIES = frozenset({"PE"})
    PRIORITY = CHECKSUM
    PATTERNS = [Pattern("PE RUC", START + r"(?:10|15|17|20)\d{9}" + END, 0.5)]
    CONTEXT = ["ruc"]
    PREFILTER = re.compile(r"\d{11}")

    def validate_result(self, pattern_text: str) -> bool:
        """Valid only when the modulo-11 check digit matches."""
        return bool(ruc.is_valid(pattern_text))
