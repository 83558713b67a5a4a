"""Peruvian DNI (8 digits, no check digit in the number itself): needs "DNI" nearby."""

from __future__ import annotations

import re

from presidio_analyzer import Pattern

from redaction.recognizers._bounds import AMOUNT_AFTER, END, ID_NEGATIVE, START
from redaction.recognizers.base import LocalPatternRecognizer
from redaction.recognizers.priority import CUE


class PeDniRecognizer(LocalPatternRecognizer):
    """PE DNI: 8 digits (optionally '-k' with the CUI check digit) after "DNI"."""

    ENTITY = "PE_DNI"
    COUNTRIES = frozenset({"PE"})
    PRIORITY = CUE
    PATTERNS = [
        Pattern("PE DNI", START + r"\d{8}(?:-\d)?" + END, 0.05),
        Pattern("PE DNI glued", r"(?<=[dD][nN][iI])\d{8}(?:-\d)?" + END, 0.05),
    ]
    CONTEXT = ["dni", "documento de identidad"]
    NEGATIVE_CONTEXT = ID_NEGATIVE
    NEGATIVE_AFTER = AMOUNT_AFTER
    PREFILTER = re.compile(r"\d{8}")
    REQUIRE_CONTEXT = True
    CONTEXT_WINDOW = 60
    CONTEXT_BOOST = 0.5
