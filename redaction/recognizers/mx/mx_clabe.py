"""Mexican CLABE (18 digits: bank, branch, account, check digit with weights 3-7-1).

python-stdnum has no CLABE module, so the check digit is computed here.
"""

from __future__ import annotations

import re

from presidio_analyzer import Pattern

from redaction.normalize import digits
from redaction.recognizers._bounds import END, START
from redaction.recognizers.base import LocalPatternRecognizer
from redaction.recognizers.priority import CHECKSUM

_WEIGHTS = (3, 7, 1) * 6


def clabe_check_digit(first17: str) -> str:
    """The CLABE check digit of the first 17 digits."""
    total = sum((int(d) * w) % 10 for d, w in zip(first17, _WEIGHTS, strict=False))
    return str((10 - total % 10) % 10)


def is_valid_clabe(number: str) -> bool:
    """True for 18 digits whose last one is the CLABE check digit."""
    number = digits(number)
    return len(number) == 18 and clabe_check_digit(number[:17]) == number[17]


class MxClabeRecognizer(LocalPatternRecognizer):
    """MX CLABE with a valid check digit."""

    ENTITY = "MX_CLABE"
    COUNTRIES = frozenset({"MX"})
    PRIORITY = CHECKSUM
    PATTERNS = [
        Pattern("MX CLABE", START + r"\d{3}[ -]?\d{3}[ -]?\d{11}[ -]?\d" + END, 0.5),
        # Groups of two to four ("0021 8001 2345 6789 01"): 18 digits, checked below.
        Pattern("MX CLABE grouped", START + r"\d{2,4}(?:[ -]\d{2,4}){4,7}" + END, 0.5),
    ]
    CONTEXT = ["clabe", "interbancaria", "spei", "cuenta"]
    PREFILTER = re.compile(r"\d{11}|\d{3,4}[ -]\d{3,4}[ -]\d{3,4}")

    def validate_result(self, pattern_text: str) -> bool:
        """Valid only when the weighted check digit matches."""
        return is_valid_clabe(pattern_text)
