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
            0.5,
        ),
    ]
    CONTEXT = ["iban", "cuenta", "domiciliar", "transferencia"]
    PREFILTER = re.compile(r"[A-Z]{2}\d{2}")

    def validate_result(self, pattern_text: str) -> bool:
        """Valid only when the mod-97 check and the country format match."""
        return bool(iban.is_valid(pattern_text))
