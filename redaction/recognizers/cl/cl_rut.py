"""Chilean RUT/RUN (15.866.024-5, 7430558-K, 16543210K), modulo-11 check digit via python-stdnum."""

from __future__ import annotations

import re

from presidio_analyzer import Pattern, RecognizerResult
from stdnum.cl import rut

from redaction.normalize import strip_accents
from redaction.recognizers._bounds import END, START
from redaction.recognizers.base import LocalPatternRecognizer, words_regex
from redaction.recognizers.priority import CHECKSUM

# A bare digit run with the check digit glued on ("123456785") is also an order number,
# a phone or an amount one time in eleven: it counts only right after "rut"/"run".
_GLUED = re.compile(r"^\d{7,8}[\dkK]$")
_GLUED_CONTEXT = words_regex(["rut", "run", "rol unico", "rol unico tributario"])
_GLUED_WINDOW = 25


class ClRutRecognizer(LocalPatternRecognizer):
    """CL RUT with a valid check digit (digit or K)."""

    ENTITY = "CL_RUT"
    COUNTRIES = frozenset({"CL"})
    PRIORITY = CHECKSUM
    PATTERNS = [
        Pattern("CL RUT dotted", START + r"\d{1,2}\.\d{3}\.\d{3}-?[\dkK]" + END, 0.5),
        Pattern("CL RUT plain", START + r"\d{7,8}-[\dkK]" + END, 0.5),
        Pattern("CL RUT spaced", START + r"\d{1,2} \d{3} \d{3}[ -][\dkK]" + END, 0.4),
        Pattern("CL RUT glued", START + r"\d{7,8}[\dkK]" + END, 0.3),
        # Glued to its word: "rut15866024-5".
        Pattern(
            "CL RUT after word",
            r"(?<=[rR][uU][tTnN])(?:\d{1,2}\.\d{3}\.\d{3}|\d{7,8})-?[\dkK]" + END,
            0.3,
        ),
    ]
    CONTEXT = ["rut", "run", "rol unico"]
    PREFILTER = re.compile(r"\d-[\dkK]|\d{3}\.\d{3}|\d{7}[\dkK]")

    def validate_result(self, pattern_text: str) -> bool:
        """Valid only when the modulo-11 check digit matches."""
        return bool(rut.is_valid(pattern_text))

    def adjust(self, text: str, result: RecognizerResult) -> bool:
        """Context rules; a glued RUT also needs "rut"/"run" just before it."""
        if _GLUED.match(text[result.start : result.end]):
            window = strip_accents(
                text[max(0, result.start - _GLUED_WINDOW) : result.start].lower()
            )
            if _GLUED_CONTEXT is None or _GLUED_CONTEXT.search(window) is None:
                return False
        return super().adjust(text, result)
