"""Any identity or tax number right after its label, for the countries and forms without a
recognizer of their own: "CI: 0126468206" (Ecuador), "CI 6543218 LP" (Bolivia, with the
department), "RUC 5281454-8" (Paraguay), "RUC 0905662086001" (Ecuador), "NIT: 4829173015"
(Bolivia), "CI N°: 4.981.397" (Paraguay).

The label is what makes it one, so only the number is reported, with a Bolivian department
suffix when there is one. Where python-stdnum knows the country's check digit and it fails
the number must pass it when it is written with its check digit ("4.567.890-4") or has a
Peruvian RUC's 11 digits: such a number with a wrong check digit is a decoy (an order or a
receipt), as for the country recognizers.
"""

from __future__ import annotations

import re

from stdnum.cl import rut as cl_rut
from stdnum.co import nit as co_nit
from stdnum.pe import ruc as pe_ruc
from stdnum.py import ruc as py_ruc

from redaction.normalize import digits
from redaction.recognizers.cue_value import CueValueRecognizer
from redaction.recognizers.priority import CUE
from redaction.recognizers.uy.uy_ci import is_valid_uy_ci

_CHECK_DIGIT = re.compile(r"-\d$")
# Bolivian departments, written after the CI: "6543218 LP".
_DEPARTMENTS = r"(?:\s(?-i:LP|CB|SC|OR|PT|TJ|CH|BN|PD|L\.P\.|S\.C\.))?"


class DocumentNumberRecognizer(CueValueRecognizer):
    """``CI``/``C.I.``/cédula/documento/``RUC``/``NIT`` + 6-13 digits."""

    ENTITY = "NATIONAL_ID"
    PRIORITY = CUE
    LABEL = (
        r"(?-i:CI|C\.I\.?|RUC|R\.U\.C\.?|NIT)|ci|c\.i\.?|c[eé]dula(?:\s+de\s+identidad)?|"
        r"documento(?:\s+de\s+identidad)?|doc\.?|ruc|carnet\s+de\s+identidad|"
        r"n[uú]mero\s+de\s+documento|identificaci[oó]n"
    )  # not RUN/RUT: Chile's recognizer checks those
    PREFILTER = (
        r"(?i)\bci\b|c\.i|c[eé]dula|documento|\bdoc\b|\bruc\b|r\.u\.c|\bnit\b|carnet|"
        r"identificaci"
    )
    VALUE = r"\d{1,3}(?:[.\s]?\d{3}){1,3}(?:-?\d{1,3})?" + _DEPARTMENTS + r"(?![\w\-/]|[.,]\d)"
    SCORE = 0.5  # below the country recognizers, which win the same span

    def validate(self, value: str) -> bool:
        """6 to 13 digits; a number written with a check digit ("4.567.890-4") or shaped like
        a Peruvian RUC (11 digits) must pass a country's check (a wrong one is a decoy)."""
        number = digits(value)
        if not 6 <= len(number) <= 13:
            return False
        if _CHECK_DIGIT.search(value):
            return is_valid_uy_ci(value) or any(_valid(c, value) for c in (cl_rut, py_ruc, co_nit))
        if len(number) == 11:
            return bool(pe_ruc.is_valid(number))
        return True


def _valid(module: object, value: str) -> bool:
    try:
        return bool(module.is_valid(value))  # type: ignore[attr-defined]
    except Exception:  # a validator that chokes on another country's shape
        return False
