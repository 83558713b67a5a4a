"""Payment card numbers: every current IIN range (Mastercard 2-series included) and Luhn."""

from __future__ import annotations

import re

from presidio_analyzer import Pattern
from stdnum import luhn

from redaction.normalize import digits
from redaction.recognizers.base import LocalPatternRecognizer
from redaction.recognizers.priority import CHECKSUM

# (prefix low, prefix high, lengths); prefixes compared on the same number of digits.
_IIN_RANGES: tuple[tuple[str, str, tuple[int, ...]], ...] = (
    ("4", "4", (13, 16, 19)),  # Visa
    ("51", "55", (16,)),  # Mastercard
    ("2221", "2720", (16,)),  # Mastercard 2-series
    ("34", "34", (15,)),  # American Express
    ("37", "37", (15,)),
    ("300", "305", (14, 16, 19)),  # Diners Club
    ("36", "36", (14, 16, 19)),
    ("38", "39", (14, 16, 19)),
    ("6011", "6011", (16, 19)),  # Discover
    ("644", "649", (16, 19)),
    ("65", "65", (16, 19)),
    ("3528", "3589", (16, 19)),  # JCB
    ("62", "62", (16, 17, 18, 19)),  # UnionPay
    ("50", "50", (12, 13, 14, 15, 16, 17, 18, 19)),  # Maestro and local debit
    ("56", "69", (12, 13, 14, 15, 16, 17, 18, 19)),  # Maestro, Elo, Hipercard, Cabal...
    ("2200", "2204", (16, 17, 18, 19)),  # Mir
    ("589562", "589562", (16,)),  # Tarjeta Naranja (AR)
)


def has_known_iin(number: str) -> bool:
    """True when ``number`` (digits only) starts in a known card range with a valid length."""
    for low, high, lengths in _IIN_RANGES:
        if len(number) in lengths and low <= number[: len(low)] <= high:
            return True
    return False


class PaymentCardRecognizer(LocalPatternRecognizer):
    """Card numbers of 12-19 digits, in groups or not, Luhn-valid and in an IIN range."""

    ENTITY = "CREDIT_CARD"
    PRIORITY = CHECKSUM
    PATTERNS = [
        Pattern("card", r"(?<![\w.\-/$])[2-6]\d{3}(?:[ -]?\d{2,6}){2,4}(?![\w\-/]|[.,]\d)", 0.3),
    ]
    CONTEXT = ["tarjeta", "visa", "mastercard", "amex", "credito", "debito", "card", "naranja"]
    PREFILTER = re.compile(r"[2-6]\d{3}")

    def validate_result(self, pattern_text: str) -> bool:
        """Luhn-valid and inside a known IIN range."""
        number = digits(pattern_text)
        return 12 <= len(number) <= 19 and has_known_iin(number) and luhn.is_valid(number)
