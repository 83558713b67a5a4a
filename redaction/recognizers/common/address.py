"""Street addresses in the local styles of AR, MX, CL, CO, PE, UY and ES.

A core (street type + name + house number, or a cue such as "vivo en" + street + number,
or street + number followed by "Col."/"C.P."/"depto", a rural lot "manzana 4 lote 12", a
road by kilometre "camino a Melipilla km 25", or a plot "parcela 14, sector ...")
is extended over unit parts ("piso 5 dto C", "torre 3 apto 801", "4to b", "entre 57 y 58",
"x 65 y 67", "km 5.5") and over comma-joined components that look like places
("Col. del Valle", "C.P. 44100", "la florida", "08037 Barcelona"). Chat is often lowercase,
so street and place names may be in any case; what ends a name or a component is a
function word or verb ("mandalo a calle morelos 88, col. san rafael, cdmx pero yo...").
"""

from __future__ import annotations

import re

from presidio_analyzer import EntityRecognizer, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts
from spacy.lang.es.stop_words import STOP_WORDS

from redaction.normalize import strip_accents
from redaction.recognizers.common.vocab import VERBS
from redaction.recognizers.priority import FREE_TEXT

# Words that end a street or place name written in lowercase: function words, verbs and
# chat words ("calle morelos 88 pero", "pocitos pasen", "madrid el portal").
_NAME_OK = frozenset(
    "de del la las los el y e san santa santo nueva nuevo nuevas gran grande mayor bajo alto "
    "primera primero segunda segundo tercera tercero uno dos tres cuatro cinco seis siete ocho "
    "nueve diez once doce sur norte este oeste general final medio junto fin".split()
)
_CHAT = (
    "porfa porfavor gracias hola cerca pasen frente timbre portal favor tel cel celular "
    "telefono whatsapp wsp mail correo rut dni cuit cedula ci curp rfc ruc nie ok dale "
    "listo perfecto besos saludos chau ahi aca alla mi mis tu su pero porque osea q xq"
).split()
_STOP = frozenset(
    w for w in {strip_accents(x) for x in STOP_WORDS} | set(VERBS) | set(_CHAT) if w not in _NAME_OK
)
_STOP_ALT = "|".join(sorted((re.escape(w) for w in _STOP), key=len, reverse=True))
_UP = "A-ZÁÉÍÓÚÑÜ"
_WORD = r"[\wÁÉÍÓÚÑÜáéíóúñü'’]"
# A street-name word in any case (not a function word or verb), or a numbered street.
_CAP = (
    rf"(?:(?!(?i:{_STOP_ALT})(?!{_WORD}))[^\W\d_]{_WORD}*\.?|"
    r"\d{1,3}(?:[A-Za-z]|\s(?i:sur|norte|bis|este|oeste))?)"
)
_CONN = r"(?:de|del|de\s+la|de\s+los|de\s+las|la|las|los|el)"
_STREET_TYPE = (
    r"(?i:av(?:enida|da)?\.?|calle|c/|cl\.?|cll\.?|carrera|cra\.?|kra\.?|kr\.?|cr\.?|"
    r"diagonal|diag\.?|dg\.?|transversal|tv\.?|trans\.?|bv\.?|bvd\.?|bvar\.?|bulevar|"
    r"boulevard|pasaje|psje\.?|pje\.?|jr\.?|jir[oó]n|privada|priv\.?|paseo|camino|ruta|"
    r"carretera|callej[oó]n|cerrada|circuito|calzada|prolongaci[oó]n|andador|plaza|pza\.?|"
    r"ronda|traves[ií]a|carrer|rua|alameda|autopista|rambla|costanera|cjon\.?|"
    r"avda\.?|transv\.?|tr\.?|cl\.?|ak\.?|ac\.?|jiron|pasaje|psj\.?|sendero|vereda|"
    r"bulevard|blvd\.?|calz\.?|carr\.?)"
)
_NUMBER = (
    # Quito numbers its blocks by sector: "Av. Amazonas N34-120", "García Moreno N2-45"
    r"(?:(?-i:[NSEO]|Oe)\d{1,3}-\d{1,4}[A-Za-z]?(?!\d)|"
    r"(?:(?:#|(?i:n[°º.]|no\.|nro\.?|n[uú]m\.?|n[uú]mero))\s*)?\d{1,5}[A-Za-z]?"
    r"(?:\s*[-–]\s*\d{1,4}[A-Za-z]?)?(?!\d)"
    r"(?:\s+(?i:sur|norte|este|oeste|bis)(?=\s*(?:#|(?i:n[°º.]|no\.|nro))))?)"
)
_NAME_PART = rf"(?:{_CAP}|{_CONN})"

_TYPED = re.compile(
    rf"(?<![\w])(?:{_STREET_TYPE})\s+(?:{_NAME_PART}\s+){{0,5}}?"
    # "Calle Mayor, 12", "Avenida Paulista, 1000": a name word, a comma, the house number.
    rf"(?:[^\W\d_]{_WORD}*,\s*(?=\d{{1,5}}(?![\d°º])))?"
    rf"(?:{_NUMBER})(?:\s*(?:#|(?i:n[°º.]|no\.))\s*\d{{1,4}}[A-Za-z]?(?:\s*-\s*\d{{1,4}}[A-Za-z]?)?)?"
)
_CUE = (
    r"(?i:(?<!\w)(?:vivo|viven|vive|vivimos)\s+en|direcci[oó]n(?:\s+de\s+\w+)?(?:\s+es)?"
    r"(?:\s+la)?\s*:?|domicilio(?:\s+es)?\s*:?|"
    r"(?:env[ií]o|delivery|entrega|pedido|paquete)\s+(?:va\s+)?(?:es\s+)?(?:a|para|en)|"
    r"env[ií][ae]n?(?:lo|la|los|las|melo|mela)?\s+a|"
    r"m[aá]nd(?:alo|ala|enlo|enla|amelo|amela|ame|adlo)\s+a|"
    r"(?:llev|tra)(?:alo|ala|enlo|igan(?:lo|la)?|iganmelo)\s+a|"
    r"(?:dej|entreg)(?:alo|ala|adlo|enlo|uelo|ar)\s+en|entregar\s+en|entrega\s+en|"
    r"queda\s+en|retirar\s+es|retiro\s+en|ubicad[oa]\s+en|para\s+ir\s+a|"
    r"(?:nueva\s+)?direcci[oó]n\s*:)"
)
_UNTYPED_CUE = re.compile(
    rf"{_CUE}\s+(?:(?i:la|el)\s+)?((?:{_CAP}\s+)(?:{_NAME_PART}\s+){{0,4}}?(?:{_NUMBER}))"
)
# Capitalized only: "estoy en Belgrano 1540" but not "es en 15 minutos".
_WEAK_CUE = re.compile(
    rf"(?i:(?<!\w)(?:estoy|es|estamos))\s+en\s+((?:[{_UP}]{_WORD}*\s+)"
    rf"(?:{_NAME_PART}\s+){{0,4}}?(?:{_NUMBER}))"
)
_UNTYPED_MARKER = re.compile(
    rf"(?<![\w])((?:{_CAP}\s+)(?:{_NAME_PART}\s+){{0,4}}?\d{{1,5}}[A-Za-z]?)"
    r"(?=,?\s*(?:Col\.|Colonia|C\.\s?P\.|CP\s|Fracc|Barrio|Urb\.|Depto|Dpto|Piso|piso|dpto|"
    r"depto|col\.|colonia|barrio|urb\.|apto|apto\.|casa\s+\d|block|torre\s+\d))"
)
# Rural and informal lots: "manzana 4 lote 12", "mz. b lt. 7", "ruta 8 km 5.5".
_LOT = re.compile(
    r"(?<![\w])(?i:(?:manzana|mzna\.?|mza\.?|mz\.?)\s*[a-z0-9]{1,4}\.?\s*,?\s*"
    r"(?:lote|lte\.?|lt\.?|casa|solar)\s*[a-z0-9]{1,4})(?![\w])"
)
_LOT_FIRST = re.compile(
    r"(?<![\w])(?i:(?:lote|lte\.?|lt\.?)\s*[a-z0-9]{1,4}\.?\s*,?\s*"
    r"(?:manzana|mzna\.?|mza\.?|mz\.?)\s*[a-z0-9]{1,4})(?![\w])"
    r"|(?<![\w])(?i:chacra)\s+(?i:n[°º.]\s*)?\d{1,4}(?![\w])"
)
# Street name and house number with no street type and no cue ("Zapiola 2345, Núñez",
# "Juncal 1985 9 A"): only capitalized, and only when a place or a floor/flat follows.
_BARE = re.compile(
    rf"(?<![\w$.,/#@-])((?:[{_UP}]{_WORD}+\.?\s+(?:(?:de|del|de\s+la)\s+)?){{1,3}}\d{{2,5}})"
    rf"(?=,\s*[{_UP}][^\W\d_]+(?!\s+\d{{3}})|\s+\d{{1,2}}\s?[°º]?\s?[A-H](?![\w])|\s+\d{{1,2}}\s?[°º])"
)
# Streets named after a general, a president or a doctor: "Gral. Paz 1234".
_HONORIFIC = re.compile(
    rf"(?<![\w])(?:Gral\.?|General|Pte\.|Presidente|Cnel\.?|Coronel|Tte\.?|Dr\.|Int\.|"
    rf"Ing\.|Mcal\.?|Mariscal|Alte\.?|Almirante|Cmte\.?|Comandante)\s+"
    rf"(?:[{_UP}]{_WORD}+\s+(?:(?:de|del|de\s+la)\s+)?){{1,3}}\d{{3,5}}(?![\w])"
)
# Roads out of town, located by kilometre: "camino a Melipilla km 25", "carretera federal
# México-Pachuca km 42", "ruta 5 sur km 1024". The "km" is what makes it an address.
_ROAD_NAME = rf"(?:{_CAP}(?:-{_CAP})?|{_CONN})"
_ROAD_KM = re.compile(
    r"(?<![\w])(?i:camino|ruta|carretera|carr\.|autopista|autov[ií]a|v[ií]a)\s+"
    r"(?:(?i:a|al|hacia)\s+)?"
    rf"(?:{_ROAD_NAME}\s+){{0,5}}?"
    r"(?i:km\.?|kil[oó]metro)\s*\d{1,4}(?:[.,]\d{1,3})?(?![\w])"
)
# Rural plots: "parcela 14, sector Los Maitenes", "lote 3, fundo El Roble". Alone, a
# "lote 3" is a batch of goods; a rural locator word in the next comma part makes it a place.
_PLOT = re.compile(
    r"(?<![\w])(?i:parcela|parc\.|lote|lt\.|hijuela|sitio|chacra|fundo)\s*"
    r"(?:(?i:n[°º.]|nro\.?)\s*)?\d{1,4}[A-Za-z]?(?![\w])"
    r"(?=\s*,\s*(?i:sector|fundo|camino|ruta|carretera|parcela|lote|hijuela|km|"
    r"kil[oó]metro|comuna|localidad|paraje|loteo|villa|poblaci[oó]n|ejido|rancho|predio|"
    r"hacienda|estancia|chacra|colonia|vereda|corregimiento|caser[ií]o)(?![\w]))"
)
# A number followed by one of these is a quantity ("camino 3 cuadras"), not a house.
_QUANTITY_AFTER = re.compile(
    r"\s*(?i:horas?|hs|min|minutos|d[ií]as|cuadras|personas|veces|a[nñ]os|meses|kg|kilos|"
    r"pesos|lucas|mil|unidades)(?![\w])"
)
_UNIT = re.compile(
    r"\s*,?\s*(?:"
    r"(?i:piso|p\.|dto\.?|depto\.?|dpto\.?|departamento|apto\.?|apartamento|of\.?|oficina|"
    r"torre|esc\.?|escalera|int\.?|interior|local|casa|bloque|block|puerta|pta\.?|lote|"
    r"lt\.?|mz\.?|manzana|edificio|edif\.?|unidad|ud\.?|casilla|bajo|bajos|planta|pl\.?|"
    r"portal|port\.?|dpt\.?|dep\.?|blq\.?|bloq\.?)\s*[\w°º]{1,4}\.?"
    r"|(?i:bajo|entresuelo|[aá]tico|pb|planta\s+baja|ph)(?![\w])"
    r"|(?i:km\.?)\s*\d{1,4}(?:[.,]\d{1,3})?"
    r"|\d{1,2}\s?[°º]\s?[A-Za-z]?\.?(?:\s?(?i:izq|izda|dcha|der|dch)\.?)?"
    r"|\d{1,2}\s[A-H](?=\s*(?:[,.;!?\n]|$))"
    r"|\d{1,2}(?i:to|ro|do|er|vo|mo|no|ero|ra|ta)\.?\s?[A-Za-z]?(?![\w])"
    r"|(?i:entre)\s+[\w\s.]{1,30}?\s+y\s+[\w.]{1,20}"
    r"|x\s+\d{1,3}[A-Za-z]?\s+y\s+\d{1,3}[A-Za-z]?"
    r"|(?i:pte|ote|nte|sur|norte|bis|este|oeste)\.?"
    r"|[a-zA-Z](?=\s*,)"
    r"|[A-Z](?=\s*,)"
    r")(?![\w])"
)
_KEYWORD_START = re.compile(
    r"(?i:col\.?|colonia|c\.\s?p\.?|cp|barrio|b°|bº|bo\.|urb\.?|urbanizaci[oó]n|fracc\.?|"
    r"aa\.?\s?hh\.?|asentamiento|pueblo\s+joven|p\.\s?j\.|residencial|condominio|etapa|"
    r"conjunto|parcela|vereda|corregimiento|caser[ií]o|paraje|poblaci[oó]n|pobl\.|villa|"
    r"fraccionamiento|depto\.?|dpto\.?|apto\.?|piso|torre|esc\.?|int\.?|of\.?|local|sector|"
    r"villa|manzana|mz\.?|lote|casa|conjunto|edificio|provincia|prov\.?|alcald[ií]a|"
    r"delegaci[oó]n|municipio|comuna|localidad|partido|cerca|junto|fundo|hijuela|chacra|"
    r"parcela|loteo|ejido|rancho|predio|hacienda|estancia|camino|ruta|carretera|km\.?|"
    r"kil[oó]metro)(?![\w])"
)
_COMPONENT = re.compile(
    r",\s*((?:(?i:col|urb|fracc|c\.\s?p|av|avda|bv|prov|depto|dpto|apto|esc|int|aa\.\s?hh|"
    r"a\.\s?h|p\.\s?j|pobl|res|cond|mz|lt|b|sta|sto|gral|pdte|jal|edo|mex|pue|gto)\.\s*)?"
    r"[^,;!?¿¡\n]{1,60}?)(?=\s*(?:[,;!?¿¡\n]|\.\s|\.$|$))"
)
_COMPONENT_WORD = re.compile(r"[\w°º.'’]+")
_ALLOWED_LOWER = frozenset(
    "de del la las los el y e n° no nro izq izda dcha der bis sur norte piso dto depto dpto "
    "apto torre esc int of local barrio col cp".split()
)
_ABBREV_END = re.compile(r"[A-Z][a-z]{1,3}\.$")
_MAX_COMPONENTS = 5
_MONTHS = frozenset(
    "enero febrero marzo abril mayo junio julio agosto septiembre setiembre octubre noviembre "
    "diciembre lunes martes miercoles jueves viernes sabado domingo".split()
)


class AddressRecognizer(EntityRecognizer):
    """Street addresses with their comma-joined parts (see module docstring)."""

    ENTITY = "LOCATION"
    PRIORITY = FREE_TEXT
    COUNTRIES: frozenset[str] = frozenset()

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
            if not _QUANTITY_AFTER.match(text, m.end()):
                cores.append((m.start(), m.end(), 0.75))
        for regex in (_LOT, _LOT_FIRST):
            for m in regex.finditer(text):
                cores.append((m.start(), m.end(), 0.7))
        for m in _HONORIFIC.finditer(text):
            if not _QUANTITY_AFTER.match(text, m.end()):
                cores.append((m.start(), m.end(), 0.7))
        for m in _BARE.finditer(text):
            if _bare_name_ok(m.group(1)):
                cores.append((m.start(1), m.end(1), 0.6))
        for regex in (_ROAD_KM, _PLOT):
            for m in regex.finditer(text):
                cores.append((m.start(), m.end(), 0.7))
        for regex in (_UNTYPED_CUE, _WEAK_CUE):
            for m in regex.finditer(text):
                if not _QUANTITY_AFTER.match(text, m.end(1)):
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
            if m is None:
                break
            length = _place_component_length(m.group(1))
            if length == 0:
                break
            end = m.start(1) + length
            if length < len(m.group(1).rstrip()):
                break
            while (u := _UNIT.match(text, end)) is not None and u.end() > end:
                end = u.end()
        if text[end - 1 : end] == "." and not _ABBREV_END.search(text[max(0, end - 5) : end]):
            end -= 1
        return end


_NOT_STREET = frozenset(
    "modelo talle version pedido orden factura ticket item art articulo codigo lote serie "
    "windows android iphone samsung motorola xiaomi galaxy redmi gol corsa fiesta onix "
    "ruta km kilometro hora horas piso visa mastercard amex naranja cabal maestro mercado "
    "pago office excel tel cel celular whatsapp cuit cuil dni rut ci curp rfc ruc cbu".split()
)


def _bare_name_ok(core: str) -> bool:
    """A bare "Name 1234" looks like a street: no function word, verb, month or brand."""
    words = [strip_accents(w.lower()).rstrip(".") for w in re.findall(r"[^\W\d_]+\.?", core)]
    return not any(
        w in _STOP and w not in ("de", "del", "la") or w in _NOT_STREET or w in _MONTHS
        for w in words
    )


def _place_component_length(component: str) -> int:
    """Length of the leading part of a comma part that continues an address, 0 if none.

    Place names, postcodes and unit keywords in any case; the part ends before a function
    word, verb or chat word ("la florida porfa", "28007 madrid el portal", "ñuñoa y rut").
    """
    stripped = component.rstrip()
    if not stripped:
        return 0
    keyword = _KEYWORD_START.match(stripped)
    words = list(_COMPONENT_WORD.finditer(stripped))
    if not words:
        return 0
    end = 0
    count = 0
    prev = ""
    for m in words:
        word = strip_accents(m.group(0).lower()).rstrip(".")
        if keyword is not None and m.end() <= keyword.end():
            end = m.end()
            prev = word
            continue
        if word in _STOP and not (word in _ALLOWED_LOWER and word not in ("y", "e")):
            break
        if word in ("el", "la", "las", "los") and count > 0 and prev not in ("de", "del"):
            break
        if word in ("y", "e"):
            break
        if word.isdigit() and count > 0 and not _KEYWORD_START.fullmatch(prev):
            break  # "Núñez 4) 11 6543-2109": a list marker or a phone, not the place
        count += 1
        if count > 6:
            return 0
        end = m.end()
        prev = word
    # Trailing connectors ("san juan de") are not part of the place.
    while end and prev in ("de", "del", "la", "las", "los", "el"):
        trimmed = stripped[:end].rsplit(None, 1)
        if len(trimmed) < 2:
            return 0
        end = len(trimmed[0])
        prev = strip_accents(trimmed[0].rsplit(None, 1)[-1].lower())
    if end and stripped[end - 1 : end] == "." and not _ABBREV_END.search(stripped[:end]):
        end -= 1
    return end
