"""Chilean RUT/RUN (15.866.024-5, 7430558-K), modulo-11 check digit via python-stdnum."""

from __future__ import annotations

import re

from presidio_analyzer import Pattern
from stdnum.cl import rut

from redaction.recognizers._bounds import END, START
from redaction.recognizers.base import LocalPatternRecognizer


class ClRutRecognizer(LocalPatternRecognizer):
    """CL RUT with a valid check digit (digit or K)."""

    ENTITY = "CL_RUT"
    COUNTRY = "CL"
    PATTERNS = [
        Pattern("CL RUT dotted", START + r"\d{1,2}\.\d{3}\.\d{3}-?[\dkK]" + END, 0.5),
        Pattern("CL RUT plain", START + r"\d{7,8}-[\dkK]" + END, 0.5),
        Pattern("CL RUT spaced", START + r"\d{1,2} \d{3} \d{3}[ -][\dkK]" + END, 0.4),
    ]
    CONTEXT = ["rut", "run", "rol unico"]
    PREFILTER = re.compile(r"\d-[\dkK]|\d{3}\.\d{3}")

    def validate_result(self, pattern_text: str) -> bool:
        """Valid only when the modulo-11 check digit matches."""
        return bool(rut.is_valid(pattern_text))
