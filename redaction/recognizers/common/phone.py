"""Phone numbers of AR (with the 15 / 9 mobile forms), MX, CL, CO, PE, UY, ES, US and BR.

A cheap regex finds digit runs that could be phone numbers; ``phonenumbers`` decides.
Numbers with ``+`` are parsed as international; the others are tried against each region
and kept when valid in one of them.
"""

from __future__ import annotations

import re

import phonenumbers
from presidio_analyzer import EntityRecognizer, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts

from redaction.normalize import digits, strip_accents
from redaction.recognizers.base import words_regex
from redaction.recognizers.priority import SHAPE

DEFAULT_REGIONS = ("AR", "MX", "CL", "CO", "PE", "UY", "VE", "ES", "US", "BR")

_CANDIDATE = re.compile(
    r"(?<![\w$€.,/:#+\-])(?:\+\s?)?(?:\(\d{1,4}\)[ \-]?)?\d[\d \-()]{5,20}\d(?![\w/%:\-]|[.,]\d)"
)
# Dotted numbers ("951.223.884", "11.5832.1190") are phones only with a phone word before.
_DOTTED = re.compile(r"(?<![\w$€.,/:#+\-])(?:\+\s?)?\d{2,4}(?:\.\d{2,4}){2,3}(?![\w/%:\-]|[.,]\d)")
# Old Mexican mobile prefixes (044 local, 045 long distance) before a 10-digit number,
# dropped from the numbering plan in 2019 but still written: "044 55 1234 5678".
_MX_OLD_MOBILE = re.compile(r"^04[45][\s\-.]*(?=(?:\d[\s\-.]*){10}$)")
# Country codes written without '+' ("57 301 555 0923", "0034 655 443 322").
_COUNTRY_CODES = ("54", "52", "56", "57", "51", "598", "34", "55", "1")
# Day-month-year and ISO year-month-day dates ("24-11-2026", "2026-11-24", "2026/11/24").
_DATE_LIKE = re.compile(r"^(?:\d{1,2}-\d{1,2}-\d{2,4}|\d{4}[-/]\d{1,2}[-/]\d{1,2})$")
_CONTEXT = words_regex(
    [
        "cel",
        "celu",
        "celular",
        "tel",
        "telefono",
        "whatsapp",
        "wsp",
        "wa",
        "numero",
        "fono",
        "movil",
        "llamar",
        "llamame",
        "llamarme",
        "llamo al",
        "llamas al",
        "marcame",
        "marcar",
        "marca al",
        "marcale",
        "marcas al",
        "whats",
        "whatsap",
        "wats",
        "wasap",
        "guasap",
        "llamenme",
        "contacto",
        "fijo",
        "phone",
        "mobile",
        "call",
        "nro",
        "num",
        "interno",
    ]
)
_NEGATIVE = words_regex(
    [
        "pedido",
        "orden",
        "order",
        "folio",
        "guia",
        "tracking",
        "ref",
        "referencia",
        "codigo",
        "socio",
        "serie",
        "modelo",
        "dni",
        "cedula",
        "rut",
        "cuit",
        "cuil",
        "ruc",
        "ci",
        "curp",
        "cbu",
        "cvu",
        "clabe",
        "cuenta",
        "cta",
        "tarjeta",
        "iban",
        "nie",
        "precio",
        "factura nro",
        "ticket",
        "sku",
        "lote",
        "comprobante",
        "seguimiento",
        "tracking",
        "guia",
        "poliza",
        "cep",
        "tramite",
        "numero de tramite",
        "recibo",
        "factura",
        "boleta",
        "remito",
        "operacion",
        "transaccion",
        "pedido nro",
        "expediente",
        "legajo",
        "afiliado",
        "historia clinica",
        "nhc",
        "pasaporte",
        "matricula",
        "credencial",
        "cpf",
        "cnpj",
        "rif",
    ]
)


# A list marker before the number ("4) 11 6543-2109") is not part of it.
_LIST_MARKER = re.compile(r"^\d{1,2}\)\s+")
# A currency sign just before: an amount written in groups ("$ 15 300 000").
_CURRENCY_BEFORE = re.compile(r"(?:[$€]|us\$|usd|ars|mxn|clp|cop|pen|s/\.?)\s*$")

# Cues that also introduce order, member or ticket numbers: they never outweigh a negative.
_WEAK_CUES = frozenset({"nro", "num", "numero", "interno", "contacto"})


def _vetoed(before: str) -> bool:
    """A negative word ("pedido", "DNI") just before the number, with no phone cue after it.

    "DNI 34.540.967, cel 11 5832-1190": the cue "cel" is closer to the number than "dni",
    so the number is a phone.
    """
    if _NEGATIVE is None:
        return False
    window_start = max(0, len(before) - 22)
    negatives = [m.end() for m in _NEGATIVE.finditer(before) if m.end() > window_start]
    if not negatives:
        return False
    cues = [m.end() for m in _CONTEXT.finditer(before)
            if m.group(0) not in _WEAK_CUES] if _CONTEXT is not None else []
    return not cues or max(negatives) > max(cues)


class LatamPhoneRecognizer(EntityRecognizer):
    """Phone numbers validated by ``phonenumbers`` against LatAm, ES, US and BR metadata."""

    ENTITY = "PHONE_NUMBER"
    PRIORITY = SHAPE
    COUNTRIES: frozenset[str] = frozenset()

    def __init__(
        self, supported_language: str = "es", regions: tuple[str, ...] = DEFAULT_REGIONS
    ) -> None:
        self.regions = regions
        super().__init__(
            supported_entities=[self.ENTITY],
            name="LatamPhoneRecognizer",
            supported_language=supported_language,
        )

    def load(self) -> None:
        """Nothing to load: metadata ships inside ``phonenumbers``."""

    def analyze(
        self,
        text: str,
        entities: list[str],
        nlp_artifacts: NlpArtifacts | None = None,
    ) -> list[RecognizerResult]:
        """Every candidate digit run that is a valid number in one of the regions."""
        results: list[RecognizerResult] = []
        for match in _DOTTED.finditer(text):
            before = strip_accents(text[max(0, match.start() - 30) : match.start()].lower())
            if _CONTEXT is None or _CONTEXT.search(before) is None:
                continue
            if _vetoed(before):
                continue
            candidate = match.group(0)
            valid, _possible = self._check(candidate.replace(".", " "))
            if valid:
                results.append(self._result(match.start(), match.end(), 0.85))
        for match in _CANDIDATE.finditer(text):
            candidate = match.group(0).rstrip(" -(")
            if candidate.count("(") != candidate.count(")"):
                marker = _LIST_MARKER.match(candidate)
                if marker is not None:
                    candidate = candidate[marker.end() :]
                elif candidate.startswith("("):
                    candidate = candidate.lstrip("(")
            start = match.start() + match.group(0).find(candidate)
            end = start + len(candidate)
            score = self._score(text, candidate, start)
            if score > 0:
                results.append(self._result(start, end, score))
        return results

    def _result(self, start: int, end: int, score: float) -> RecognizerResult:
        return RecognizerResult(
            self.ENTITY,
            start,
            end,
            score,
            recognition_metadata={
                RecognizerResult.RECOGNIZER_NAME_KEY: type(self).__name__,
                RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id,
            },
        )

    def _score(self, text: str, candidate: str, start: int) -> float:
        number = digits(candidate)
        if not 7 <= len(number) <= 15 or _DATE_LIKE.match(candidate):
            return 0.0
        before = strip_accents(text[max(0, start - 30) : start].lower())
        international = candidate.startswith("+")
        if not international and (_vetoed(before) or _CURRENCY_BEFORE.search(before)):
            return 0.0
        has_context = _CONTEXT is not None and _CONTEXT.search(before) is not None
        valid, possible = self._check(candidate)
        if valid:
            return 0.9 if has_context else 0.6
        if possible and len(number) >= 8 and (has_context or candidate.startswith("+")):
            return 0.5
        return 0.0

    def _check(self, candidate: str) -> tuple[bool, bool]:
        valid, possible = self._check_once(candidate)
        if valid:
            return valid, possible
        old_mobile = _MX_OLD_MOBILE.match(candidate)
        if old_mobile is not None:
            return self._check_once("+52 " + candidate[old_mobile.end() :])
        compact = candidate.lstrip("(")
        if compact.startswith("00"):
            return self._check_once("+" + compact[2:])
        if compact.startswith(_COUNTRY_CODES) and len(digits(compact)) >= 10:
            plus_valid, plus_possible = self._check_once("+" + compact)
            return plus_valid, possible or plus_possible
        return valid, possible

    def _check_once(self, candidate: str) -> tuple[bool, bool]:
        possible = False
        regions: tuple[str | None, ...] = (None,) if candidate.startswith("+") else self.regions
        if candidate.startswith("+52"):
            # The old "+52 1" mobile prefix is gone from the numbering plan but still written.
            candidate = re.sub(r"^\+52[\s\-]*1[\s\-]+", "+52 ", candidate)
        for region in regions:
            try:
                parsed = phonenumbers.parse(candidate, region)
            except phonenumbers.NumberParseException:
                continue
            if phonenumbers.is_valid_number(parsed):
                return True, True
            possible = possible or phonenumbers.is_possible_number(parsed)
        return False, possible
