"""Argentine CBU and CVU (22 digits, two check digits) via python-stdnum."""

from __future__ import annotations

import re

from presidio_analyzer import Pattern
from stdnum.ar import cbu

from redaction.recognizers._bounds import END, START
from redaction.recognizers.base import LocalPatternRecognizer
from redaction.recognizers.priority import CHECKSUM


class ArCbuRecognizer(LocalPatternRecognizer):
    """AR CBU/CVU with both check digits valid."""

    ENTITY = "AR_CBU"
    COUNTRIES = frozenset({"AR"})
    PRIORITY = CHECKSUM
    PATTERNS = [
        Pattern("AR CBU", START + r"\d{8}[ -]?\d{14}" + END, 0.5),
        Pattern("AR CBU grouped", START + r"\d{4}(?:[ -]\d{4}){4}[ -]\d{2}" + END, 0.5),
    ]
    CONTEXT = ["cbu", "cvu", "cuenta", "transferencia"]
    PREFILTER = re.compile(r"\d{8}|\d{4}[ -]\d{4}")

    def validate_result(self, pattern_text: str) -> bool:
        """Valid only when both CBU check digits match."""
        return bool(cbu.is_valid(pattern_text))
