"""IBAN (ES62 2100 1408 9266 1318 6091), mod-97 check via python-stdnum."""

from __future__ import annotations

import re

from presidio_analyzer import Pattern
from stdnum import iban

from redaction.recognizers.base import LocalPatternRecognizer
from redaction.recognizers.priority import CHECKSUM


class IbanCodeRecognizer(LocalPatternRecognizer):
    """IBAN of any country, compact or in groups of four."""

    ENTITY = "IBAN_CODE"
    PRIORITY = CHECKSUM
    PATTERNS = [
        Pattern(
            "IBAN",
            r"(?<![\w])[A-Z]{2}\d{2}(?:[ -]?[A-Z0-9]{4}){2,7}(?:[ -]?[A-Z0-9]{1,3})?"
            r"(?![A-Za-z0-9])",
            0.3,
        ),
    ]
    CONTEXT = ["iban"]
    PREFILTER = re.compile(r"[A-Z]{2}\d{2}")

    def validate_result(self, pattern_text: str) -> bool | None:
        """The mod-97 check and the country's format: an IBAN. Otherwise one only right
        after the word "IBAN" (a mistyped IBAN is still someone's account): the context
        raises the low pattern score over the threshold."""
        if iban.is_valid(pattern_text):
            return True
        compact = re.sub(r"[ -]", "", pattern_text)
        return None if 15 <= len(compact) <= 34 and compact[2:4].isdigit() else False
