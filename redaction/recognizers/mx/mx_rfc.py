"""Mexican RFC (persons 13 chars, companies 12), check digit via python-stdnum."""

from __future__ import annotations

import re

from presidio_analyzer import Pattern
from stdnum.mx import rfc

from redaction.recognizers.base import LocalPatternRecognizer
from redaction.recognizers.priority import CHECKSUM


class MxRfcRecognizer(LocalPatternRecognizer):
    """MX RFC with homoclave; the check digit must match."""

    ENTITY = "MX_RFC"
    COUNTRIES = frozenset({"MX"})
    PRIORITY = CHECKSUM
    PATTERNS = [
        Pattern("MX RFC", r"(?<![\w])(?i:[A-ZÑ&]{3,4}-?\d{6}-?[A-Z0-9]{2}[0-9A])(?!\w)", 0.3),
    ]
    CONTEXT = ["rfc"]
    PREFILTER = re.compile(r"[A-Za-z]\d{6}")

    def validate_result(self, pattern_text: str) -> bool | None:
        """A real date and a matching check digit: an RFC. A real date and a check digit
        that does not match (people mistype the homoclave): one only after "RFC" (the
        context raises the low pattern score over the threshold). No real date: not one."""
        try:
            rfc.validate(pattern_text.upper(), validate_check_digits=False)
        except Exception:  # stdnum raises several ValidationError subclasses
            return False
        try:
            rfc.validate(pattern_text.upper(), validate_check_digits=True)
        except Exception:
            return None
        return True
