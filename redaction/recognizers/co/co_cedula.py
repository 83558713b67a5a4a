"""Colombian cédula de ciudadanía (6-10 digits, often dotted: 1.020.745.318). No check digit."""

from __future__ import annotations

import re

from presidio_analyzer import Pattern

from redaction.recognizers._bounds import AMOUNT_AFTER, END, ID_NEGATIVE, START
from redaction.recognizers.base import LocalPatternRecognizer
from redaction.recognizers.priority import CUE


class CoCedulaRecognizer(LocalPatternRecognizer):
    """CO cédula: 10-digit dotted form alone is a weak signal; others need "cédula"."""

    ENTITY = "CO_CEDULA"
    COUNTRIES = frozenset({"CO"})
    PRIORITY = CUE
    PATTERNS = [
        Pattern("CO cedula 10 dotted", START + r"1\.\d{3}\.\d{3}\.\d{3}" + END, 0.4),
        Pattern("CO cedula dotted", START + r"\d{1,3}\.\d{3}\.\d{3}" + END, 0.1),
        Pattern("CO cedula bare", START + r"\d{6,10}" + END, 0.1),
    ]
    CONTEXT = ["cedula", "c.c", "cc", "documento", "identificacion", "ciudadania"]
    NEGATIVE_CONTEXT = ID_NEGATIVE
    NEGATIVE_AFTER = AMOUNT_AFTER
    PREFILTER = re.compile(r"\d{3}")
    CONTEXT_WINDOW = 60
    CONTEXT_BOOST = 0.5
