"""Peruvian carné de extranjería (9-12 digits): only after its name or "CE"."""

from __future__ import annotations

from redaction.recognizers.cue_value import CueValueRecognizer


class PeCarneExtranjeriaRecognizer(CueValueRecognizer):
    """PE carné de extranjería: "carné de extranjería 001234567", "CE 001234567"."""

    ENTITY = "PE_CE"
    COUNTRIES = frozenset({"PE"})
    LABEL = r"carn[eé]t?\s+de\s+extranjer[ií]a|(?-i:C\.?E\.?)"
    VALUE = r"\d{9,12}(?![\w\-/]|[.,]\d)"
