"""Vehicle plates of AR, BR, CL, CO, ES, MX, PE, UY (current and previous formats).

Plate shapes collide with product codes ("TN-2210"), so a vehicle word must be near,
except for the distinctive Mercosur shape (AB 123 CD / ABC1D23).
"""

from __future__ import annotations

import re

from presidio_analyzer import Pattern

from redaction.recognizers.base import LocalPatternRecognizer

_B = r"(?<![\w\-])"
_E = r"(?![\w\-])"


class LicensePlateRecognizer(LocalPatternRecognizer):
    """Uppercase plate shapes; a vehicle context word is required for most."""

    ENTITY = "LICENSE_PLATE"
    PATTERNS = [
        Pattern("mercosur AR", _B + r"[A-Z]{2} ?\d{3} ?[A-Z]{2}" + _E, 0.45),
        Pattern("mercosur BR", _B + r"[A-Z]{3}\d[A-Z]\d{2}" + _E, 0.45),
        Pattern("AR/CO/PE old", _B + r"[A-Z]{3}[ -]?\d{3}" + _E, 0.1),
        Pattern("CO moto", _B + r"[A-Z]{3} ?\d{2}[A-Z]" + _E, 0.1),
        Pattern("UY/MX", _B + r"[A-Z]{3}[ -]?\d{4}" + _E, 0.1),
        Pattern("MX", _B + r"[A-Z]{3}-?\d{2}-?\d{2}" + _E, 0.1),
        Pattern("MX 2", _B + r"[A-Z]{3}-?\d{3}-?[A-Z]" + _E, 0.1),
        Pattern("CL", _B + r"[A-Z]{4}[ -·]?\d{2}" + _E, 0.1),
        Pattern("CL old", _B + r"[A-Z]{2}[ -·]?\d{4}" + _E, 0.1),
        Pattern("PE", _B + r"[A-Z]\d[A-Z][ -]?\d{3}" + _E, 0.1),
        Pattern("ES", _B + r"\d{4}[ -]?[BCDFGHJKLMNPRSTVWXYZ]{3}" + _E, 0.1),
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
    PREFILTER = re.compile(r"[A-Z]{2}|\d{4}[ -]?[A-Z]")
    CONTEXT_WINDOW = 60
    CONTEXT_BOOST = 0.5
