"""Vehicle plates of AR, BR, CL, CO, ES, MX, PE, UY (current and previous formats).

Plate shapes collide with product codes ("TN-2210"), so a vehicle word must be near,
except for the distinctive uppercase Mercosur shape (AB 123 CD / ABC1D23). Plates typed
in lowercase ("patente ab 123 cd", "la moto fjq73e") need a plate word ("patente",
"placa", "matrícula", "dominio") or a vehicle word right before, and their letters must
not be an ordinary word ("son 150").
"""

from __future__ import annotations

import re

from presidio_analyzer import Pattern, RecognizerResult

from redaction.normalize import strip_accents
from redaction.recognizers.base import LocalPatternRecognizer, words_regex
from redaction.recognizers.common.lexicon import COMMON_WORDS
from redaction.recognizers.common.vocab import COMMON_VOCAB
from redaction.recognizers.priority import SHAPE

_B = r"(?<![\w\-])"
_E = r"(?![\w\-])"


_LOWER_CONTEXT = words_regex(
    [
        "patente",
        "patentes",
        "placa",
        "placas",
        "matricula",
        "matriculas",
        "dominio",
        "auto",
        "coche",
        "carro",
        "moto",
        "camioneta",
        "vehiculo",
        "camion",
        "furgon",
    ]
)


class LicensePlateRecognizer(LocalPatternRecognizer):
    """Uppercase plate shapes; a vehicle context word is required for most."""

    ENTITY = "LICENSE_PLATE"
    PRIORITY = SHAPE
    PATTERNS = [
        Pattern("mercosur AR", _B + r"(?i:[A-Z]{2} ?\d{3} ?[A-Z]{2})" + _E, 0.45),
        Pattern("mercosur BR", _B + r"(?i:[A-Z]{3}\d[A-Z]\d{2})" + _E, 0.45),
        Pattern("AR moto", _B + r"(?i:[A-Z]\d{3} ?[A-Z]{3})" + _E, 0.1),
        Pattern("AR/CO/PE old", _B + r"(?i:[A-Z]{3}[ -]?\d{3})" + _E, 0.1),
        Pattern("CO moto", _B + r"(?i:[A-Z]{3} ?\d{2}[A-Z])" + _E, 0.1),
        Pattern("UY/MX", _B + r"(?i:[A-Z]{3}[ -]?\d{4})" + _E, 0.1),
        Pattern("MX", _B + r"(?i:[A-Z]{3}-?\d{2}-?\d{2})" + _E, 0.1),
        Pattern("MX 2", _B + r"(?i:[A-Z]{3}-?\d{3}-?[A-Z])" + _E, 0.1),
        Pattern("MX 3", _B + r"(?i:[A-Z]{2}-?\d{2}-?\d{3})" + _E, 0.1),
        Pattern("CL", _B + r"(?i:[A-Z]{4}[ -·]?\d{2}|[A-Z]{2}[ -·][A-Z]{2}[ -·]?\d{2})" + _E, 0.1),
        Pattern("CL old", _B + r"(?i:[A-Z]{2}[ -·]?\d{4})" + _E, 0.1),
        Pattern("PE", _B + r"(?i:[A-Z]\d[A-Z][ -]?\d{3}|[A-Z]{2}\d[ -]?\d{3})" + _E, 0.1),
        Pattern("ES", _B + r"(?i:\d{4}[ -]?[BCDFGHJKLMNPRSTVWXYZ]{3})" + _E, 0.1),
        Pattern("ES old", _B + r"[A-Z]{1,2}[ -]?\d{4}[ -]?[A-Z]{1,3}" + _E, 0.1),
        # Paraguay (Mercosur "AAEB 482"), Bolivia ("3472 KDN"), Ecuador ("PBX-1234")
        Pattern("PY", _B + r"[A-Z]{4} ?\d{3}" + _E, 0.1),
        Pattern("BO", _B + r"\d{3,4} ?[A-Z]{3}" + _E, 0.1),  # capitals: "150 mil" is money
    ]
    CONTEXT = [
        "patente",
        "placa",
        "placas",
        "matricula",
        "dominio",
        "auto",
        "coche",
        "carro",
        "moto",
        "camioneta",
        "furgon",
        "vehiculo",
        "camion",
        "itv",
        "soat",
        "vtv",
    ]
    NEGATIVE_CONTEXT = ["codigo", "cod", "ref", "sku", "modelo", "pedido", "orden", "talle"]
    PREFILTER = re.compile(r"(?i:[a-z]{2}|\d[a-z]|\d{4}[ -]?[a-z])")
    CONTEXT_WINDOW = 60
    CONTEXT_BOOST = 0.5
    LOWERCASE_CONTEXT_WINDOW = 35

    def adjust(self, text: str, result: RecognizerResult) -> bool:
        """Uppercase plates: context rules of the base class. Lowercase: stricter."""
        value = text[result.start : result.end]
        if not any(ch.islower() for ch in value):
            return super().adjust(text, result)
        for letters in re.findall(r"[A-Za-z]+", value):
            folded = strip_accents(letters.lower())
            if len(letters) >= 2 and (folded in COMMON_WORDS or folded in COMMON_VOCAB):
                return False
        if self.has_negative_context(text, result.start):
            return False
        window = strip_accents(
            text[max(0, result.start - self.LOWERCASE_CONTEXT_WINDOW) : result.start].lower()
        )
        if _LOWER_CONTEXT is None or _LOWER_CONTEXT.search(window) is None:
            return False
        result.score = 0.6
        return True
