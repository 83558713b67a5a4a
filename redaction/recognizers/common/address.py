"""Street addresses in the local styles of AR, MX, CL, CO, PE, UY and ES.

A core (street type + name + house number, or a cue such as "vivo en" + capitalized
street + number, or street + number followed by "Col."/"C.P.") is extended over unit
parts ("piso 5 dto C", "torre 3 apto 801", "entre 57 y 58", "x 65 y 67") and over
comma-joined components that look like places ("Col. del Valle", "C.P. 44100",
"Chapinero", "08037 Barcelona"). A component starting with a lowercase word that is
not an address keyword ends the address.
"""

from __future__ import annotations

import re

from presidio_analyzer import EntityRecognizer, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts

_UP = "A-ZÁÉÍÓÚÑÜ"
_WORD = r"[\wÁÉÍÓÚÑÜáéíóúñü'’]"
_CAP = rf"(?:[{_UP}]{_WORD}*\.?|\d{{1,3}}(?:[A-Za-z]|\s(?:Sur|Norte|Bis|Este|Oeste))?)"
_CONN = r"(?:de|del|de\s+la|de\s+los|de\s+las|la|las|los|el)"
_STREET_TYPE = (
    r"(?i:av(?:enida|da)?\.?|calle|c/|cl\.?|cll\.?|carrera|cra\.?|kra\.?|kr\.?|cr\.?|"
    r"diagonal|diag\.?|dg\.?|transversal|tv\.?|trans\.?|bv\.?|bvd\.?|bvar\.?|bulevar|"
    r"boulevard|pasaje|psje\.?|pje\.?|jr\.?|jir[oó]n|privada|priv\.?|paseo|camino|ruta|"
    r"carretera|callej[oó]n|cerrada|circuito|calzada|prolongaci[oó]n|andador|plaza|pza\.?|"
    r"ronda|traves[ií]a|carrer|rua|alameda|autopista|rambla|costanera|cjon\.?)"
)
_NUMBER = (
    r"(?:(?:#|n[°º.]|no\.|nro\.?|n[uú]m\.?|n[uú]mero)\s*)?\d{1,5}[A-Za-z]?"
    r"(?:\s*[-–]\s*\d{1,4}[A-Za-z]?)?(?!\d)"
)
_NAME_PART = rf"(?:{_CAP}|{_CONN})"

_TYPED = re.compile(
    rf"(?<![\w])(?:{_STREET_TYPE})\s+(?:{_NAME_PART}\s+){{0,5}}?"
    rf"(?:{_NUMBER})(?:\s*(?:#|n[°º.]|no\.)\s*\d{{1,4}}[A-Za-z]?(?:\s*-\s*\d{{1,4}}[A-Za-z]?)?)?"
)
_CUE = (
    r"(?i:vivo\s+en|viven\s+en|direcci[oó]n(?:\s+de\s+\w+)?(?:\s+es)?(?:\s+la)?\s*:?|"
    r"domicilio(?:\s+es)?\s*:?|env[ií]o\s+(?:va\s+)?(?:es\s+)?(?:a|para)|env[ií][ae]n?(?:lo|la|los)?\s+a|"
    r"m[aá]nd(?:alo|enlo|amelo|amela|ame)\s+a|entregar\s+en|entrega\s+en|queda\s+en|"
    r"estoy\s+en|es\s+en|retirar\s+es|retiro\s+en|ubicad[oa]\s+en|para\s+ir\s+a)"
)
_UNTYPED_CUE = re.compile(
    rf"{_CUE}\s+(?:la\s+|el\s+)?((?:{_CAP}\s+)(?:{_NAME_PART}\s+){{0,4}}?(?:{_NUMBER}))"
)
_UNTYPED_MARKER = re.compile(
    rf"(?<![\w])((?:[{_UP}]{_WORD}+\s+)(?:{_NAME_PART}\s+){{0,4}}?\d{{1,5}}[A-Za-z]?)"
    r"(?=,?\s*(?:Col\.|Colonia|C\.\s?P\.|CP\s|Fracc|Barrio|Urb\.|Depto|Dpto|Piso|piso|dpto|depto))"
)
_UNIT = re.compile(
    r"\s*,?\s*(?:"
    r"(?i:piso|p\.|dto\.?|depto\.?|dpto\.?|departamento|apto\.?|apartamento|of\.?|oficina|"
    r"torre|esc\.?|escalera|int\.?|interior|local|casa|bloque|block|puerta|pta\.?|lote|"
    r"lt\.?|mz\.?|manzana|edificio|edif\.?|unidad|ud\.?|casilla)\s*[\w°º]{1,4}\.?"
    r"|\d{1,2}\s?[°º]\s?[A-Za-z]?\.?(?:\s?(?:izq|izda|dcha|der|dch)\.?)?"
    r"|(?i:entre)\s+[\w\s.]{1,30}?\s+y\s+[\w.]{1,20}"
    r"|x\s+\d{1,3}[A-Za-z]?\s+y\s+\d{1,3}[A-Za-z]?"
    r"|(?:Pte|Ote|Nte|Sur|Norte|Bis)\.?"
    r"|[A-Z](?=\s*,)"
    r")(?![\w])"
)
_KEYWORD_START = re.compile(
    r"(?i:col\.?|colonia|c\.\s?p\.?|cp|barrio|b°|urb\.?|urbanizaci[oó]n|fracc\.?|"
    r"fraccionamiento|depto\.?|dpto\.?|apto\.?|piso|torre|esc\.?|int\.?|of\.?|local|sector|"
    r"villa|manzana|mz\.?|lote|casa|conjunto|edificio|provincia|prov\.?|alcald[ií]a|"
    r"delegaci[oó]n|municipio|comuna|localidad|partido|cerca|junto)(?![\w])"
)
_COMPONENT = re.compile(
    r",\s*((?:(?i:col|urb|fracc|c\.\s?p|av|avda|bv|prov|depto|dpto|apto|esc|int)\.\s*)?"
    r"[^,;!?¿¡\n]{1,60}?)(?=\s*(?:[,;!?¿¡\n]|\.\s|\.$|$))"
)
_COMPONENT_WORD = re.compile(r"[\w°º.'’]+")
_ALLOWED_LOWER = frozenset(
    "de del la las los el y e n° no nro izq izda dcha der bis sur norte piso dto depto dpto "
    "apto torre esc int of local barrio col cp".split()
)
_ABBREV_END = re.compile(r"[A-Z][a-z]{1,3}\.$")
_MAX_COMPONENTS = 5


class AddressRecognizer(EntityRecognizer):
    """Street addresses with their comma-joined parts (see module docstring)."""

    ENTITY = "LOCATION"

    def __init__(self, supported_language: str = "es") -> None:
        super().__init__(
            supported_entities=[self.ENTITY],
            name="AddressRecognizer",
            supported_language=supported_language,
        )

    def load(self) -> None:
        """Nothing to load."""

    def analyze(
        self,
        text: str,
        entities: list[str],
        nlp_artifacts: NlpArtifacts | None = None,
    ) -> list[RecognizerResult]:
        """Address spans: typed (0.75), after a cue (0.65), before Col./C.P. (0.6)."""
        if not any(ch.isdigit() for ch in text):
            return []
        cores: list[tuple[int, int, float]] = []
        for m in _TYPED.finditer(text):
            cores.append((m.start(), m.end(), 0.75))
        for m in _UNTYPED_CUE.finditer(text):
            cores.append((m.start(1), m.end(1), 0.65))
        for m in _UNTYPED_MARKER.finditer(text):
            cores.append((m.start(1), m.end(1), 0.6))
        results: list[RecognizerResult] = []
        covered_until = -1
        for start, end, score in sorted(cores, key=lambda c: (c[0], -c[1])):
            if start < covered_until:
                continue
            end = self._extend(text, end)
            covered_until = end
            results.append(
                RecognizerResult(
                    self.ENTITY,
                    start,
                    end,
                    score,
                    recognition_metadata={
                        RecognizerResult.RECOGNIZER_NAME_KEY: type(self).__name__,
                        RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id,
                    },
                )
            )
        return results

    @staticmethod
    def _extend(text: str, end: int) -> int:
        while (m := _UNIT.match(text, end)) is not None and m.end() > end:
            end = m.end()
        for _ in range(_MAX_COMPONENTS):
            m = _COMPONENT.match(text, end)
            if m is None or not _is_place_component(m.group(1)):
                break
            end = m.end(1)
            while (u := _UNIT.match(text, end)) is not None and u.end() > end:
                end = u.end()
        if text[end - 1 : end] == "." and not _ABBREV_END.search(text[max(0, end - 5) : end]):
            end -= 1
        return end


def _is_place_component(component: str) -> bool:
    """A comma part that continues an address: place names, postcodes, unit keywords."""
    component = component.strip()
    if not component:
        return False
    if _KEYWORD_START.match(component):
        return True
    first = component[0]
    if not (first.isupper() or first.isdigit()):
        return False
    words = _COMPONENT_WORD.findall(component)
    if len(words) > 6:
        return False
    for word in words[1:]:
        if word[0].islower() and word.lower().rstrip(".") not in _ALLOWED_LOWER:
            return False
    return True
