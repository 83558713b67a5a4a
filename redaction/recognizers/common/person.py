"""Person names in chat Spanish (and English): gazetteer plus context cues.

Chat is often lowercase and unaccented, so every lookup is case- and accent-insensitive;
what keeps ordinary words out is the cue before the word and the word lists
(:mod:`lexicon`, :mod:`vocab`). Rules, by the cue right before the first token:

* title ("Sr.", "la dra.", "ing", "don") or naming cue ("me llamo", "a nombre de", "titular",
  "de parte de", "les habla", "saludos,"): 1-6 name tokens, any case, known or unknown
  (an unknown lowercase word must not be an ordinary word nor look like a verb form);
* "soy": a known first name (even one that is also a word: "soy sol") or a capitalized one;
* kin ("mi hija", "mi pololo", "la nuera de") or role ("paciente"): a known first name of
  any kind, or a capitalized word;
* "soy el/la", "habla la", kin with an article ("el abuelo", "la tía"), a relayed greeting
  or errand ("saludos a", "decile a", "preguntale a") and a time + "con" ("a las 17:00 con"):
  a known first name, even one that is also a word ("saludos a luz");
* sign-off followed by punctuation or a line break, whatever the spelling ("saludes,",
  "slds,", "saludos!!", "bendiciones,"): a known first name or name abbreviation ("Ma.");
* greeting ("hola", "che", "gracias"): a known first name; one that is also a word only
  when punctuation follows ("hola amparo,");
* weak ("con", "para", "y"): a known first name that is not a word;
* no cue: a capitalized known first name (with its surnames), or a lowercase known first
  name followed by a known surname.
Names continue over particles when a name follows them ("maria jose de la fuente",
"juan de dios ñancupil", "da silva"), over hyphenated parts, over middle initials
("andres f. ortiz") and over a signature initial ("fede c.").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from presidio_analyzer import EntityRecognizer, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts

from redaction.normalize import strip_accents
from redaction.recognizers.common.gazetteer import NameLexicon, name_lexicon
from redaction.recognizers.common.lexicon import COMMON_WORDS, PLACE_PREFIXES
from redaction.recognizers.common.vocab import COMMON_VOCAB, UNKNOWN_WORD_SUFFIXES, VERBS
from redaction.recognizers.priority import FREE_TEXT

_TOKEN = re.compile(r"[^\W\d_]+(?:['’\-][^\W\d_]+)*")

_KIN_NOUNS = (
    "hijo hija hijos esposo esposa marido mujer senora senor hermano hermana mama mami papa "
    "papi madre padre novio novia pololo polola pareja abuela abuelo abue tio tia primo prima "
    "suegra suegro cunado cunada sobrino sobrina nieto nieta nuera yerno jefe jefa amigo amiga "
    "vecino vecina companero companera socio socia viejo vieja nene nena bebe padrino madrina "
    "ahijado ahijada compadre comadre bisabuelo bisabuela padrastro madrastra"
).split()
# Kin with an article ("el abuelo washington", "la tía rosa") is more often followed by
# "de ..." or a verb than by a name, so only a known first name counts after it.
_ARTICLE_KIN = (
    "abuelo abuela abue tio tia primo prima padrino madrina compadre comadre bisabuelo "
    "bisabuela sobrino sobrina cunado cunada suegro suegra nieto nieta vecino vecina"
).split()
_CUES: dict[str, dict[str, list[str]]] = {
    "title": {
        "es": [
            "sr",
            "sra",
            "srta",
            "sres",
            "dr",
            "dra",
            "doc",
            "lic",
            "licenciado",
            "licenciada",
            "ing",
            "ingeniero",
            "ingeniera",
            "arq",
            "prof",
            "profe",
            "profesor",
            "profesora",
            "don",
            "dona",
            "senor",
            "senora",
            "senorita",
            "doctor",
            "doctora",
            # school and delivery: "Seño Vero", "Miss Milagros", "chofer Derlis"
            "seno",
            "seño",
            "miss",
            "maestra",
            "maestro",
            "conductor",
            "chofer",
            "motorista",
            "repartidor",
            "repartidora",
            "cadete",
            "mensajero",
            "driver",
        ],
        "en": ["mr", "mrs", "ms", "miss", "dr"],
    },
    "naming": {
        "es": [
            "me llamo",
            # Misspelled in chat: "me yamo", "mi nonbre es".
            "me yamo",
            "me iamo",
            "mellamo",
            "meyamo",
            "mi nonbre es",
            "mi nonbre",
            "mi nombe es",
            "mi nombr es",
            "mi nonbre completo es",
            "se llama",
            "se llamaba",
            "llamarse",
            "mi nombre es",
            "mi nombre completo es",
            "nombre completo",
            "mi nombre",
            "nombre",
            "el nombre es",
            "nombre y apellido",
            "nombre del titular es",
            "nombre del titular",
            "a nombre de",
            "a nombre del titular",
            "a nombre de quien",
            "titular",
            "el titular es",
            "la titular es",
            "titular de la cuenta es",
            "titular de la cuenta",
            "le habla",
            "te habla",
            "les habla",
            "habla",
            "de parte de",
            "les escribe",
            "te escribe",
            "le escribe",
            "escribe",
            "preguntar por",
            "pregunta por",
            "pregunten por",
            "preguntas por",
            "atte",
            "att",
            "saludos",
            "saludos cordiales",
            "saludos cordiales de",
            "un saludo",
            "cordialmente",
            "atentamente",
            "slds",
            "firma",
            "me dicen",
            "le dicen",
            "apellido",
            "apellidos",
            "mis datos",
            "quien retira",
            "retira",
            "habla con",
            "hablar con",
        ],
        "en": [
            "my name is",
            "name",
            "i'm called",
            "on behalf of",
            "regards",
            "ask for",
            "this is",
            "best",
        ],
    },
    # "soy ana y él es bruno": a second person introduced in the same message.
    "soy": {
        "es": ["soy", "soi", "yo soy", "aca", "aqui", "el es", "ella es", "este es", "esta es",
               # English or Portuguese in a Spanish chat: "Hi! I'm Emily", "eu sou a Ana"
               "i'm", "i am", "my name is", "eu sou", "meu nome e"],
        "en": ["i am", "i'm", "im"],
    },
    "kin": {
        "es": [
            *(f"{p} {n}" for p in ("mi", "su", "tu", "mis") for n in _KIN_NOUNS),
            *(
                f"{n} de"
                for n in "mama papa hijo hija esposa esposo nuera yerno suegra suegro novia "
                "novio hermana hermano".split()
            ),
            *(f"{p} {n}" for p in ("minha", "meu") for n in (
                "irma irmao filha filho mae pai esposa esposo marido namorada namorado "
                "avo tia tio prima primo amiga amigo sobrinha sobrinho".split())),
            # someone who receives, picks up or is represented: "lo recibe Coco",
            # "apoderada de Tomás", "lo retira Yesenia"
            "lo recibe",
            "la recibe",
            "lo retira",
            "la retira",
            "lo busca",
            "apoderado de",
            "apoderada de",
            "paciente",
            "el paciente es",
            "la paciente es",
            "alumno",
            "alumna",
            "contacto",
            "datos",
            "cliente",
            "clienta",
        ],
        "en": ["my son", "my daughter", "my wife", "my husband", "my mom", "my dad"],
        # Portuguese kin: "da minha irmã Thaís", "meu filho Davi".
        "pt": [],
    },
    "greeting": {
        "es": [
            "hola",
            "holaa",
            "holis",
            "buenas",
            "buen dia",
            "buenos dias",
            "buenas tardes",
            "buenas noches",
            "gracias",
            "muchas gracias",
            "chau",
            "chao",
            "che",
            "hey",
            "querida",
            "querido",
            "estimada",
            "estimado",
            "listo",
            "dale",
            "perfecto",
            "ok",
        ],
        "en": ["hi", "hello", "hey", "thanks", "dear"],
    },
    # "soy el benja", "te habla la cami": a nickname with its article.
    "article": {
        "es": [
            *(
                f"{c} {a}"
                for c in ("soy", "yo soy", "aca", "aqui", "habla", "me dicen", "le dicen")
                for a in ("el", "la")
            ),
        ],
        "en": [],
    },
    "kin_article": {
        "es": [f"{a} {n}" for a in ("el", "la", "los", "las") for n in _ARTICLE_KIN],
        "en": [],
    },
    # Greetings and errands relayed to someone: "saludos a luz", "decile a sol que...".
    "relay": {
        "es": [
            *(
                f"{v} {p}"
                for v in (
                    "saludo",
                    "saludos",
                    "saludes",
                    "saludame",
                    "saludale",
                    "saludeme",
                    "salude",
                    "beso",
                    "besos",
                    "un beso",
                    "abrazo",
                    "un abrazo",
                    "abrazos",
                )
                for p in ("a", "para")
            ),
            *(
                f"{v} {p}"
                for v in (
                    "decile",
                    "dile",
                    "digale",
                    "decirle",
                    "preguntale",
                    "preguntele",
                    "preguntarle",
                    "avisale",
                    "avisele",
                    "avisa",
                    "avisarle",
                    "llamale",
                    "llamala",
                    "pasale",
                    "comunicame con",
                )
                for p in ("a",)
            ),
            "pregunta por",
            "pregunte por",
            "preguntar por",
            "comunicame con",
        ],
        "en": ["say hi to", "tell"],
    },
    "weak": {
        "es": ["con", "con el", "con la", "para", "y", "cliente", "agente", "e"],
        "en": ["with", "and", "for"],
    },
}
# Sign-offs, whatever the spelling: a name follows them only after punctuation or a line
# break ("saludes, andres f. ortiz", "bendiciones,\nAna", "saludos!! Pedro").
_SIGNOFFS = (
    "saludos",
    "saludes",
    "saluditos",
    "slds",
    "sds",
    "salu2",
    "un saludo",
    "saludos cordiales",
    "atte",
    "att",
    "atentamente",
    "cordialmente",
    "bendiciones",
    "abrazo",
    "abrazos",
    "un abrazo",
    "besos",
    "un beso",
    "cariños",
    "gracias",
    "muchas gracias",
    "regards",
    "best",
    "cheers",
)
_SIGNOFF = re.compile(
    r"(?:^|(?<=[\s.,;!?]))(?:"
    + "|".join(re.escape(strip_accents(w)).replace(r"\ ", r"\s+") for w in _SIGNOFFS)
    + r")\s*(?:[.!,:;-]+\s*|\n\s*)$"
)
# "a las 17:00 con begoña", "a las 9hs con la cami": an agent offering a slot with someone.
_TIME_WITH = re.compile(
    r"(?<!\w)\d{1,2}(?:[:.]\d{2})?\s*(?:hs?|hrs?|am|pm|a\.\s?m\.|p\.\s?m\.)?\.?\s+"
    r"con(?:\s+(?:el|la))?\s+$"
)
# Abbreviated first names that end in a dot: "Ma. José", "Fco. Javier".
_NAME_ABBREV = frozenset({"ma", "mª", "fco", "fdo", "gmo", "jno", "ml", "ant", "mg"})
_CUE_ORDER = (
    "title",
    "naming",
    "soy",
    "article",
    "kin_article",
    "kin",
    "relay",
    "signoff",
    "time_with",
    "greeting",
    "weak",
)
_PARTICLE_START = frozenset({"de", "del", "da", "das", "do", "dos", "di", "van", "von", "du"})
_PARTICLE_SECOND = frozenset({"la", "las", "los", "le"})
# "se llama ..." after these is a pet, a product or a place, not a person.
_NOT_PERSON_BEFORE = re.compile(
    r"(?<!\w)(?:mascota|perr[oa]|perrit[oa]|gat[oa]|gatit[oa]|cachorr[oa]|loro|caballo|"
    r"tienda|local|negocio|producto|modelo|libro|curso|pelicula|serie|cancion|calle|barrio|"
    r"pueblo|lugar|restaurante|hotel|empresa|marca|app)\b[^.!?\n]{0,20}$"
)
# "mi perro Toby", "la gata Mora": a pet; "comimos en Don Pepe", "en Lo de Mary": a business.
_PET_BEFORE = re.compile(
    r"(?<!\w)(?:perr[oa]|perrit[oa]|gat[oa]|gatit[oa]|mascota|cachorr[oa]|loro|caballo|"
    r"conejo|hamster|tortuga|canario|yegua)\s+(?:se\s+llama\s+|es\s+|llamad[oa]\s+)?$"
)
_BUSINESS_BEFORE = re.compile(
    r"(?<!\w)(?:en|al|restaurante|resto|parrilla|pizzeria|local|almacen|kiosco|negocio|"
    r"panaderia|rotiseria|bar|cafe|heladeria|carniceria|verduleria|bodegon|comedor|"
    r"despensa|ferreteria|tienda|sucursal|taller|gomeria|lavadero|veterinaria|peluqueria|"
    r"optica|farmacia|libreria|merceria|zapateria)\s+(?:del?\s+)?(?:(?:el|la)\s+)?"
    r"(?:(?:don|dona|lo\s+de)\s+)?$"
)
# "Kira mi perrita", "Toby, el gato": a pet named first.
_PET_AFTER = re.compile(
    r"^\s*,?\s*(?:mi|la|el|nuestr[oa]|su)\s+(?:perr|gat|mascota|cachorr|conej|loro|"
    r"caball|tortuga|hamster)"
)
# "para Toby y Luna, son dos caniches", "el perro que perdí, es Toby": pets.
_PETS_AFTER = re.compile(
    r"^[^.!?\n]{0,60}\b(?:son|es)\s+(?:dos\s+|tres\s+|mis\s+|un[ao]?\s+)?(?:caniche|perr|"
    r"gat|cachorr|mascota|labrador|golden|bulldog|salchicha|michi|conej|loro|caballo)"
)
_PET_BEFORE_ES = re.compile(
    r"(?:perr|gat|mascota|cachorr|caniche)\w*[^.!?\n]{0,25}\bes\s+$"
    # "la dueña de Toby", "el tutor de Luna": a pet's owner
    r"|(?<!\w)duen[oa]\s+de\s+$"
    # "entre Bolívar e Isabel la Católica": streets
    r"|(?<!\w)entre\s+[^,.;\n]{2,30}\s+[ey]\s+$|(?<!\w)entre\s+$"
)
# "con el Klgo. Felipe Araya", "Lic. Pérez": an abbreviated title, not a name.
_ABBREVIATION_AFTER = re.compile(r"^\.\s")
# "una Mercedes", "un Ford": a make or a thing, not someone.
_INDEFINITE_BEFORE = re.compile(r"(?<!\w)(?:una|un)\s+$")
# An interjection that opens the message is not part of the name after it: "Bueno Marce, …"
_OPENERS = frozenset({"bueno", "buena", "bien", "dale", "listo", "ok", "okey", "perfecto"})
# "heladera Patrick", "termo Stanley": a product and its brand.
_PRODUCT_BEFORE = re.compile(
    r"(?<!\w)(?:heladera|nevera|refrigerador|lavarropas|lavadora|termo|celular|notebook|"
    r"laptop|tele|televisor|tv|zapatillas|auto|moto|camioneta|licuadora|cafetera|microondas|"
    r"cocina|horno|bici|bicicleta|aire|ventilador|secador|plancha|parlante|auriculares)\s+$"
)
# "Inversiones Kallpa SAC", "Comercial Andina S.R.L.": a company.
_COMPANY = re.compile(
    r"(?<!\w)(?:s\.?a\.?c|s\.?a\.?s|s\.?r\.?l|s\.?a|ltda|e\.?i\.?r\.?l|spa|inc|llc|cia)\.?$|"
    r"^(?:inversiones|comercial|distribuidora|constructora|importadora|transportes|"
    r"servicios|grupo|industrias|consultora|estudio)\s"
)
# "vivo en Santiago", "soy de Rosario": a place.
_PLACE_CUE_BEFORE = re.compile(
    r"(?<!\w)(?:vivo|vive|viven|vivimos|estoy|estamos|queda|quedo|trabajo|nac[ií]|"
    r"mudamos|mude)\s+en\s+$|(?<!\w)(?:soy|somos|es|vengo|venimos)\s+de\s+$"
)
# A first name with its article, as people say it in the River Plate and Chile: "va el
# Nacho", "pa la Ara", "com o Jordão" (Portuguese). Not "a": "envíos a Santiago" is a city.
_ARTICLE_NAME = re.compile(r"(?<![\w])(?:el|la|o)\s+([A-ZÁÉÍÓÚÑ][a-záéíóúñãõç]{2,14})(?![\w])")
# Nicknames people are called by, with their article: "la Negra", "el Tano", "la Flaca".
_NICKNAME = re.compile(
    r"(?<![\w])(?:la|el)\s+(Negra|Negro|Flaca|Flaco|Gorda|Gordo|Tano|Tana|Colo|Colorada|"
    r"Colorado|Chino|China|Turco|Turca|Ruso|Rusa|Gallego|Gallega|Pelado|Petiso|Petisa|"
    r"Rubia|Rubio|Mono|Monito|Negrita|Negrito|Flaquita|Gordi|Beba|Nena|Nene|Cabezón|"
    r"Cabezon|Loco|Loca|Pato|Pocho|Toto|Pipa|Tucu|Chueco|Chueca)(?![\w])"
)
# Pronouns and particles that a cue may precede but that never start a name.
_NEVER_FIRST = frozenset({"del", "de", "ella", "ellas", "ellos", "el", "la", "los", "las", "lo",
                          "hello", "hi", "hey", "i'm", "im", "yes", "thanks", "okay"})
_INITIAL = re.compile(r" ([A-Za-z])\.(?![\w.@])")
_MAX_TOKENS = 6
_SCORES = {
    "title": 0.8,
    "naming": 0.8,
    "soy": 0.75,
    "article": 0.7,
    "kin_article": 0.7,
    "kin": 0.75,
    "relay": 0.7,
    "signoff": 0.75,
    "time_with": 0.7,
    "greeting": 0.65,
    "weak": 0.6,
}


@dataclass
class _Tok:
    text: str
    folded: str
    start: int
    end: int

    @property
    def capitalized(self) -> bool:
        return self.text[:1].isupper()


def _cue_regex(cues: list[str], suffix: str = "") -> re.Pattern[str]:
    alts = sorted({strip_accents(c) for c in cues}, key=len, reverse=True)
    body = "|".join(re.escape(c).replace(r"\ ", r"\s+") for c in alts)
    # The cue must end right before the name: optional '.', ',' or ':' and spaces.
    return re.compile(r"(?<!\w)(?:" + body + r")" + suffix + r"\.?\s*[:,]?\s*$")


# "mi mujer es Amparo": kin followed by "es".
_CUE_SUFFIX = {"kin": r"(?:\s+es)?"}


class PersonRecognizer(EntityRecognizer):
    """Gazetteer (Faker name lists) + cue rules; see the module docstring."""

    ENTITY = "PERSON"
    PRIORITY = FREE_TEXT
    COUNTRIES: frozenset[str] = frozenset()

    def __init__(self, supported_language: str = "es") -> None:
        self.lexicon: NameLexicon = name_lexicon(supported_language)
        lang = supported_language if supported_language in ("es", "en") else "es"
        self._cues = {
            kind: _cue_regex(
                words.get(lang, []) + (words["es"] if lang != "es" else []),
                _CUE_SUFFIX.get(kind, ""),
            )
            for kind, words in _CUES.items()
        }
        self._special_cues = {"signoff": _SIGNOFF, "time_with": _TIME_WITH}
        super().__init__(
            supported_entities=[self.ENTITY],
            name="PersonRecognizer",
            supported_language=supported_language,
        )

    def load(self) -> None:
        """The gazetteer is loaded in ``__init__`` (from Faker, offline)."""

    def analyze(
        self,
        text: str,
        entities: list[str],
        nlp_artifacts: NlpArtifacts | None = None,
    ) -> list[RecognizerResult]:
        """Name spans, each scored by the rule that found it."""
        folded_text = strip_accents(text.lower())
        if len(folded_text) != len(text):  # rare combining forms: keep offsets exact
            folded_text = "".join(strip_accents(ch.lower())[:1] or ch for ch in text)
        toks = [
            _Tok(m.group(0), folded_text[m.start() : m.end()], m.start(), m.end())
            for m in _TOKEN.finditer(text)
        ]
        results: list[RecognizerResult] = []
        i = 0
        while i < len(toks):
            found = self._match_at(text, folded_text, toks, i)
            if found is None:
                i += 1
                continue
            end_index, score = found
            if self._not_a_person(text, folded_text, toks[i]) or self._not_a_name(
                text, folded_text, toks[i].start, toks[end_index].end
            ):
                i = end_index + 1
                continue
            if toks[i].folded in _OPENERS and end_index > i and not text[:toks[i].start].strip():
                i += 1  # "Bueno Marce, …": the name starts after the interjection
            end = toks[end_index].end
            initial = _INITIAL.match(text, end)
            if initial is not None:
                end = initial.end()
            elif len(toks[end_index].text) == 1 and _INITIAL.match(text, toks[end_index].start - 1):
                end += 1  # a final initial keeps its dot: "Ma. José R."
            results.append(self._result(toks[i].start, end, score))
            i = end_index + 1
        for m in _NICKNAME.finditer(text):
            if all(m.end(1) <= r.start or m.start(1) >= r.end for r in results):
                results.append(self._result(m.start(1), m.end(1), 0.6))
        for m in _ARTICLE_NAME.finditer(text):
            folded = strip_accents(m.group(1).lower())
            if (
                self.lexicon.is_first(folded)
                and not self.lexicon.is_ambiguous(folded)
                and folded not in COMMON_WORDS
                and all(m.end(1) <= r.start or m.start(1) >= r.end for r in results)
            ):
                results.append(self._result(m.start(1), m.end(1), 0.55))
        return results

    @staticmethod
    def _not_a_name(text: str, folded_text: str, start: int, end: int) -> bool:
        """An acronym ("NHC"), a company ("Kallpa SAC"), a pet named first ("Kira mi
        perrita"), a place after "vivo en" / "soy de"."""
        span = text[start:end]
        if span.isupper() and len(span) <= 4:
            return True
        if text[end : end + 2] == ".:":
            return True  # an abbreviated form label: "Dom.: Pasaje Bollini 2217"
        if (
            end - start <= 5
            and " " not in span
            and _ABBREVIATION_AFTER.match(text[end : end + 2])
            and not any(ch in "aeiouáéíóú" for ch in span[1:].lower())
        ):
            return True  # "Klgo.", "Dra.", "Lcdo.": a title written short
        after = folded_text[end : end + 80]
        if _PET_AFTER.match(after) or _PETS_AFTER.match(after):
            return True
        before = folded_text[max(0, start - 40) : start]
        if (_PET_BEFORE_ES.search(before) or _INDEFINITE_BEFORE.search(before)
                or _PRODUCT_BEFORE.search(before)):
            return True
        if _COMPANY.search(folded_text[start : end + 8].strip()) or _COMPANY.search(
            folded_text[start:end]
        ):
            return True
        return _PLACE_CUE_BEFORE.search(folded_text[max(0, start - 30) : start]) is not None

    # -- word classes -----------------------------------------------------------------------

    def _known(self, folded: str) -> bool:
        """A first name or surname of the gazetteer (each part of a hyphenated one)."""
        lex = self.lexicon
        parts = folded.replace("’", "'").split("-")
        return all(lex.is_first(p) or lex.is_last(p) or lex.is_ambiguous(p) for p in parts if p)

    @staticmethod
    def _unknown_ok(folded: str) -> bool:
        """An unknown word that may be a name: not an ordinary word, not a verb form."""
        if len(folded) < 3 or folded in COMMON_WORDS or folded in COMMON_VOCAB:
            return False
        if "-" in folded:
            return all(PersonRecognizer._unknown_ok(p) or len(p) >= 3 for p in folded.split("-"))
        return not folded.endswith(UNKNOWN_WORD_SUFFIXES)

    def _cue(self, before: str) -> str | None:
        for kind in _CUE_ORDER:
            regex = self._special_cues.get(kind) or self._cues[kind]
            if regex.search(before) is not None:
                return kind
        return None

    # -- rules --------------------------------------------------------------------------

    def _match_at(
        self, text: str, folded_text: str, toks: list[_Tok], i: int
    ) -> tuple[int, float] | None:
        tok = toks[i]
        if self._glued(text, tok):
            return None
        lex = self.lexicon
        folded = tok.folded
        before = folded_text[max(0, tok.start - 40) : tok.start]
        if folded in _NEVER_FIRST and not tok.capitalized or folded in (
            "del", "ella", "ellos", "hello", "hi", "i'm", "thanks"
        ):
            return None
        cue = self._cue(before)
        is_first = lex.is_first(folded) and folded not in COMMON_VOCAB
        ambiguous = lex.is_ambiguous(folded)
        known_first = is_first and not ambiguous
        cap_name = (
            tok.capitalized
            and folded not in COMMON_WORDS
            and folded not in _PARTICLE_START
            and (folded not in COMMON_VOCAB or self._known(folded))
        )
        after = text[tok.end : tok.end + 2].lstrip(" ")
        punct_after = after == "" or after[0] in ",.;:!?)\n" or not after[0].isalnum()

        if cue in ("title", "naming"):
            if cue == "naming" and folded in ("se", "me") or folded in _PARTICLE_START:
                if cue == "title" and folded in _PARTICLE_START:
                    end = self._particles(text, toks, i - 1, mode="unknown")
                    if end is not None:
                        return self._extend(text, toks, end, mode="unknown"), _SCORES[cue]
                return None
            if "se llama" in before[-12:] and _NOT_PERSON_BEFORE.search(before[:-9]):
                return None
            if folded in COMMON_VOCAB and not (tok.capitalized or is_first or ambiguous):
                return None  # "habla español", "titular también"
            if cap_name or self._known(folded) or self._unknown_ok(folded):
                return self._extend(text, toks, i, mode="unknown"), _SCORES[cue]
            return None
        if cue == "time_with" and ambiguous and not (tok.capitalized or punct_after):
            return None  # "a las 10 con luz natural"
        if cue in ("article", "kin_article", "relay", "time_with"):
            # A known first name, even one that is also a word ("saludos a luz"); not an
            # ordinary noun ("soy el dueño", "el abuelo de...", "dile a tu mamá").
            if (
                is_first
                or ambiguous
                or (cap_name and folded not in COMMON_VOCAB and cue != "relay")
            ):
                return self._extend(text, toks, i, mode="lower"), _SCORES[cue]
            return None
        if cue == "signoff":
            if is_first or ambiguous or self._abbrev(text, tok):
                return self._extend(text, toks, i, mode="unknown"), _SCORES[cue]
            if cap_name and self._known(folded):
                return self._extend(text, toks, i, mode="unknown"), _SCORES[cue]
            return None
        if cue == "soy":
            if cap_name or is_first or ambiguous:
                return self._extend(text, toks, i, mode="unknown"), _SCORES[cue]
            return None
        if cue == "kin":
            if cap_name or is_first or ambiguous:
                return self._extend(text, toks, i, mode="lower"), _SCORES[cue]
            # "mi hermana evrim va a...": an unknown word followed by a verb or punctuation.
            nxt_word = toks[i + 1].folded if i + 1 < len(toks) else ""
            if before.rstrip().endswith(" es"):
                return None  # "mi hijo es celiaco."
            if self._unknown_ok(folded) and (punct_after or nxt_word in VERBS):
                return i, 0.6
            return None
        if cue == "greeting":
            if known_first or (
                ambiguous and punct_after and (tok.capitalized or folded not in COMMON_VOCAB)
            ):
                return self._extend(text, toks, i, mode="lower"), _SCORES[cue]
            if cap_name:
                return self._extend(text, toks, i, mode="cap"), 0.6
            return None
        if folded in COMMON_WORDS and not ambiguous:
            return None
        if self._self_introduction(text, toks, i) and (
            cap_name or is_first or ambiguous or self._unknown_ok(folded)
        ):
            return i, 0.7
        if cue == "weak":
            if known_first or (tok.capitalized and ambiguous):
                mode = "cap" if tok.capitalized else "lower"
                return self._extend(text, toks, i, mode=mode), _SCORES[cue]
        if not tok.capitalized:
            # Lowercase without a cue: a known first name followed by a known surname.
            if known_first and i + 1 < len(toks) and self._adjacent(text, toks[i], toks[i + 1]):
                nxt = toks[i + 1]
                if lex.is_last(nxt.folded) and not nxt.capitalized:
                    return self._extend(text, toks, i, mode="lower"), 0.55
            return None
        if not (is_first or ambiguous) or (i > 0 and toks[i - 1].folded in PLACE_PREFIXES):
            return None
        end = self._extend(text, toks, i, mode="cap")
        if end > i:
            return end, 0.7
        if ambiguous or self._place_before(text, folded_text, toks, i):
            return None
        return i, 0.5

    @staticmethod
    def _not_a_person(text: str, folded_text: str, tok: _Tok) -> bool:
        """A pet ("mi perro Toby") or a business ("comimos en Don Pepe", "en Lo de Mary")."""
        before = folded_text[max(0, tok.start - 40) : tok.start]
        if _PET_BEFORE.search(before):
            return True
        if tok.folded in ("don", "dona"):
            return _BUSINESS_BEFORE.search(before) is not None
        if text[max(0, tok.start - 6) : tok.start] == "Lo de ":
            return True
        business = _BUSINESS_BEFORE.search(before)
        return business is not None and business.group(0).rstrip().endswith(("don", "dona", "de"))

    @staticmethod
    def _self_introduction(text: str, toks: list[_Tok], i: int) -> bool:
        """ "Martín acá, ..." / "carla aqui" / "benja al habla": a line opening with a name."""
        if i + 1 >= len(toks):
            return False
        if toks[i + 1].folded == "al":
            if i + 2 >= len(toks) or toks[i + 2].folded != "habla":
                return False
        elif toks[i + 1].folded not in ("aca", "aqui", "here"):
            return False
        if text[toks[i].end : toks[i + 1].start] != " ":
            return False
        line_start = text.rfind("\n", 0, toks[i].start) + 1
        head = text[line_start : toks[i].start].strip().lower()
        return head in ("", "cliente:", "hola,", "hola", "buenas,", "buenas")

    def _name_token(self, tok: _Tok, mode: str) -> bool:
        folded = tok.folded
        if tok.capitalized:
            return folded not in COMMON_WORDS or self._known(folded)
        if mode == "cap":
            return False
        if self._known(folded):
            return True
        return mode == "unknown" and self._unknown_ok(folded)

    def _particles(self, text: str, toks: list[_Tok], j: int, *, mode: str) -> int | None:
        """Index of the name token after the particles at ``toks[j + 1]``, if one follows."""
        k = j + 1
        if k >= len(toks) or toks[k].folded not in _PARTICLE_START:
            return None
        if toks[k].folded == "de" and k + 1 < len(toks) and toks[k + 1].folded in _PARTICLE_SECOND:
            if not self._adjacent(text, toks[k], toks[k + 1]):
                return None
            k += 1
        if k + 1 >= len(toks) or not self._adjacent(text, toks[k], toks[k + 1]):
            return None
        nxt = toks[k + 1]
        if self._glued(text, nxt) or not self._name_token(nxt, mode):
            return None
        if (mode == "cap" or not nxt.capitalized) and not self._known(nxt.folded):
            return None  # an unknown word after "de" is more often a place or a thing
        return k + 1

    def _extend(self, text: str, toks: list[_Tok], i: int, *, mode: str) -> int:
        """Index of the last token of the name starting at ``toks[i]``."""
        end = i
        j = i + 1
        while j < len(toks) and j - i < _MAX_TOKENS:
            prev, tok = toks[j - 1], toks[j]
            if self._glued(text, tok):
                break
            if not self._adjacent(text, prev, tok):
                if not (self._dotted_gap(text, prev, tok) and self._name_token(tok, mode)):
                    break
                end = j
                j += 1
                continue
            if (
                len(tok.text) == 1
                and j + 1 < len(toks)
                and self._dotted_gap(text, tok, toks[j + 1])
                and self._name_token(toks[j + 1], mode)
                and not self._glued(text, toks[j + 1])
            ):
                # A middle initial: "andres f. ortiz".
                end = j + 1
                j += 2
                continue
            if tok.folded in _PARTICLE_START:
                if mode == "cap" and self.lexicon.is_ambiguous(toks[i].folded):
                    break  # "Mar del Plata", "Paz de Ariporo": a place
                name_at = self._particles(text, toks, j - 1, mode=mode)
                if name_at is None:
                    break
                end = name_at
                j = name_at + 1
                continue
            if tok.folded in _PARTICLE_SECOND or not self._name_token(tok, mode):
                break
            end = j
            j += 1
        return end

    @staticmethod
    def _dotted_gap(text: str, a: _Tok, b: _Tok) -> bool:
        """ "Ma. José", "f. ortiz": ``a`` is an initial or a name abbreviation with its dot."""
        if text[a.end : b.start] not in (". ", ".  "):
            return False
        return (len(a.text) == 1 and a.text.isalpha()) or a.folded in _NAME_ABBREV

    @staticmethod
    def _abbrev(text: str, tok: _Tok) -> bool:
        return tok.folded in _NAME_ABBREV and text[tok.end : tok.end + 1] == "."

    @staticmethod
    def _adjacent(text: str, a: _Tok, b: _Tok) -> bool:
        gap = text[a.end : b.start]
        return gap in (" ", "  ")

    @staticmethod
    def _glued(text: str, tok: _Tok) -> bool:
        """Part of an email, URL, alias or code (``lucia.ferreyra``, ``@ana``)."""
        before = text[tok.start - 1] if tok.start > 0 else " "
        after = text[tok.end] if tok.end < len(text) else " "
        after2 = text[tok.end + 1] if tok.end + 1 < len(text) else " "
        if before in "@._/#=" or after in "@_/=" or before.isdigit() or after.isdigit():
            return True
        return after == "." and after2.isalnum()

    @staticmethod
    def _place_before(text: str, folded_text: str, toks: list[_Tok], i: int) -> bool:
        """A lone first name right after "San", "Villa", "Av." or another capitalized word."""
        if i == 0:
            return False
        prev = toks[i - 1]
        gap = text[prev.end : toks[i].start]
        if gap.strip(" .") != "":
            return False
        if prev.folded in PLACE_PREFIXES:
            return True
        return prev.capitalized and prev.folded not in COMMON_WORDS

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
