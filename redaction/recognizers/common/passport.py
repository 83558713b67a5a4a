"""Passport numbers (any country): 6-9 letters and digits right after "pasaporte"."""

from __future__ import annotations

from redaction.recognizers.cue_value import CueValueRecognizer


class PassportRecognizer(CueValueRecognizer):
    """A passport number is only recognizable by its label: "pasaporte AB1234567"."""

    ENTITY = "PASSPORT"
    # "pasaporte venezolano 112233445": a nationality may stand between label and number.
    LABEL = (
        r"(?:pasaporte|passaporte|passport|pasap\.?|psp)"
        r"(?:\s+(?:[a-záéíóúñ]+(?:an[oa]|[eé]s|esa|ense|ino|ina|e[nñ]o|e[nñ]a|ian|ese|ish|"
        r"ileno|ilena)))?"
    )
    VALUE = r"[A-Za-z]{0,3}\d{5,9}[A-Za-z]?(?![\w\-/]|[.,]\d)"

    def validate(self, value: str) -> bool:
        """6-10 characters with at least five digits."""
        return 6 <= len(value) <= 10
