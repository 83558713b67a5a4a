"""Colombian NIT (tax id of people and companies: 9 digits and a check digit, often dotted:
961.130.026-5) after the word "NIT", check digit via python-stdnum."""

from __future__ import annotations

from stdnum.co import nit

from redaction.recognizers.cue_value import CueValueRecognizer
from redaction.recognizers.priority import CHECKSUM


class CoNitRecognizer(CueValueRecognizer):
    """"NIT 961.130.026-5": the label and a valid check digit (ten digits alone are too
    common to take without the label)."""

    ENTITY = "CO_NIT"
    COUNTRIES = frozenset({"CO"})
    PRIORITY = CHECKSUM
    LABEL = r"nit(?:\s+(?:de\s+)?(?:la\s+|mi\s+)?(?:empresa|compa[ñn][ií]a|sociedad|negocio))?"
    VALUE = r"\d{3}\.?\d{3}\.?\d{3}-?\d(?![\w\-/]|[.,]\d)"
    SCORE = 0.9

    def validate(self, value: str) -> bool:
        """Valid only when the check digit matches."""
        return bool(nit.is_valid(value))
