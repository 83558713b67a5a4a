"""Numbers named by a label: medical record, health-plan member, staff file, social security.

"NHC: 45871236", "N° de afiliado 12-34567890-01", "NASS: 28 19865453 56", "legajo 12345".
Only the number is reported. Member numbers of clubs and loyalty cards ("socio") are not
personal identifiers in the annotation conventions, so "socio" is not a label here.
"""

from __future__ import annotations

import re

from redaction.normalize import digits, strip_accents
from redaction.recognizers._bounds import AMOUNT_AFTER
from redaction.recognizers.base import words_regex
from redaction.recognizers.cue_value import CueValueRecognizer

_PRICE_BEFORE = re.compile(r"(?:\$|precio|cuesta|sale|vale|valor|cuota|pago|pagar|costo)")
_AMOUNT_AFTER = words_regex(AMOUNT_AFTER)
# "matrícula AB 123 CD" / "4821 KLM": a plate, not a registration number.
_PLATE_AFTER = re.compile(r"\s?[A-Z]{2,3}(?![\w])")


class LabelledIdRecognizer(CueValueRecognizer):
    """A number of 4-20 digits (groups split by spaces, dots or dashes) right after a label
    ("legajo 4471": staff and member numbers are short)."""

    ENTITY = "NATIONAL_ID"
    LABEL = (
        r"(?:n[°º.]?\s*(?:de\s+)?)?historia\s+cl[ií]nica(?:\s+n[°º.])?|(?-i:NHC|HC|H\.C\.)|nhc|"
        r"(?:n[°º.]?\s*(?:de\s+)?)?afiliad[oa](?:\s+(?-i:[A-Z][A-Za-z]{1,11}))?|"
        r"legajo(?:\s+del?\s+(?:alumn[oa]|emplead[oa]|socio))?|(?-i:NASS|NSS|N\.A\.S\.S\.)|"
        r"n[uú]mero\s+de\s+(?:la\s+)?seguridad\s+social|matr[ií]cula(?:\s+profesional)?|"
        r"expediente|credencial(?:\s+de\s+elector)?|carnet\s+de\s+(?:afiliad[oa]|obra\s+social)|"
        r"ficha(?:\s+(?:cl[ií]nica|m[eé]dica))?|tarjeta\s+de\s+identidad|(?-i:T\.I\.)|"
        r"n[uú]mero\s+de\s+paciente|c[oó]digo\s+de\s+paciente"
    )
    PREFILTER = (
        r"(?i)historia|hc|afiliad|legajo|nass|nss|n\.a\.s\.s|seguridad|matr[ií]cula|expediente|"
        r"credencial|carnet|ficha|tarjeta de identidad|T\.I\.|paciente"
    )
    # "HC-0048213", "EXP-2291-B", "UY-2231": a letter prefix or suffix around the number.
    VALUE = (
        r"(?:(?-i:[A-Z]{1,4})-)?\d{1,12}(?:(?:[.\-/]| (?=\d))\d{1,12}){0,4}(?:-(?-i:[A-Z]))?"
        r"(?![\w\-/]|[.,]\d)"
    )
    SCORE = 0.7

    def keep(self, text: str, match: re.Match[str]) -> bool:
        """4-20 digits, not a price ("la matrícula sale 150000") nor a plate."""
        value = match.group("value")
        if not 4 <= len(digits(value)) <= 20:
            return False
        before = strip_accents(text[max(0, match.start() - 20) : match.end("value")].lower())
        if _PRICE_BEFORE.search(before):
            return False
        after = text[match.end("value") : match.end("value") + 12]
        if _PLATE_AFTER.match(after):
            return False
        amount = _AMOUNT_AFTER is not None and _AMOUNT_AFTER.match(
            strip_accents(after.lower()).lstrip()
        )
        return not amount
