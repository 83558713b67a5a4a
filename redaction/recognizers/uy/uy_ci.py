"""Uruguayan cédula de identidad (4.567.890-5): 6-7 digits and a check digit.

python-stdnum has no UY CI module (only the RUT), so the check digit is computed here:
weights 2987634 on the 7 digits (left-padded with zeros), check = (10 - sum % 10) % 10.
"""

from __future__ import annotations

import re

from presidio_analyzer import Pattern

from redaction.normalize import digits
from redaction.recognizers._bounds import END, START
from redaction.recognizers.base import LocalPatternRecognizer
from redaction.recognizers.priority import CHECKSUM

_WEIGHTS = (2, 9, 8, 7, 6, 3, 4)


def uy_ci_check_digit(body: str) -> str:
    """Check digit of a CI body of up to 7 digits."""
    body = body.zfill(7)
    total = sum(int(d) * w for d, w in zip(body, _WEIGHTS, strict=True))
    return str((10 - total % 10) % 10)


def is_valid_uy_ci(number: str) -> bool:
    """True when the last digit is the check digit of the 6-7 before it."""
    number = digits(number)
    return 7 <= len(number) <= 8 and uy_ci_check_digit(number[:-1]) == number[-1]


class UyCiRecognizer(LocalPatternRecognizer):
    """UY CI written with its check digit separated (dash, space or dots)."""

    ENTITY = "UY_CI"
    COUNTRIES = frozenset({"UY"})
    PRIORITY = CHECKSUM
    PATTERNS = [
        Pattern("UY CI dotted", START + r"\d\.?\d{3}\.\d{3}[-/ ]\d" + END, 0.5),
        Pattern("UY CI plain", START + r"\d{6,7}-\d" + END, 0.5),
    ]
    CONTEXT = ["cedula", "ci", "c.i", "documento"]
    PREFILTER = re.compile(r"\d[-/ .]\d")

    def validate_result(self, pattern_text: str) -> bool:
        """Valid only when the check digit matches."""
        return is_valid_uy_ci(pattern_text)
