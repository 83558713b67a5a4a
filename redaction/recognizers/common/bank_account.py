"""Bank account numbers without a public check digit (BCP, BROU, Bancolombia, cuenta RUT).

They look like any other number, so they are only taken right after "cuenta"/"cta".
"""

from __future__ import annotations

import re

from presidio_analyzer import Pattern

from redaction.recognizers._bounds import END, START
from redaction.recognizers.base import LocalPatternRecognizer
from redaction.recognizers.priority import CUE


class BankAccountRecognizer(LocalPatternRecognizer):
    """8-22 digits, dashes allowed, after a "cuenta" context word."""

    ENTITY = "BANK_ACCOUNT"
    PRIORITY = CUE
    PATTERNS = [Pattern("account", START + r"\d(?:-?\d){7,21}" + END, 0.1)]
    CONTEXT = [
        "cuenta",
        "cta",
        "nro de cuenta",
        "caja de ahorro",
        "ahorros",
        "cuenta corriente",
        "consignar",
        "account",
    ]
    NEGATIVE_CONTEXT = ["pedido", "orden", "folio", "guia", "socio", "serie", "dni", "cedula"]
    PREFILTER = re.compile(r"(?i)\bc(?:uen)?ta\b|consign|account")
    REQUIRE_CONTEXT = True
    CONTEXT_WINDOW = 45
    CONTEXT_BOOST = 0.45
