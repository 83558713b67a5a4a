"""Person names in chat Spanish (and English): gazetteer plus context cues.

Rules, in order of confidence:
* after a cue ("soy", "me llamo", "a nombre de", "Sr./Dra.", "mi hijo", "pregunta por"),
  1-5 name tokens: known first names/surnames in any case, or capitalized words that are
  not ordinary words;
* a known first name followed by known or capitalized surnames (no cue needed);
* a lone capitalized first name that is not an ordinary word and not part of a place
  ("San Juan", "Villa María");
* a lowercase first name + surname pair where neither is an ordinary word.
Names that are also words (Rosa, Luz, Paz...) need a cue or a surname next to them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from presidio_analyzer import EntityRecognizer, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts

from redaction.normalize import strip_accents
from redaction.recognizers.common.gazetteer import NameLexicon, name_lexicon
from redaction.recognizers.common.lexicon import COMMON_WORDS, PLACE_PREFIXES

_TOKEN = re.compile(r"[^\W\d_]+(?:['’\-][^\W\d_]+)*")

# Cues that make the next tokens a name even when unknown (if capitalized).
_STRONG_CUES = {
    "es": [
        "soy",
        "me llamo",
        "se llama",
        "mi nombre es",
        "mi nombre completo es",
        "nombre completo",
        "mi nombre",
        "nombre",
        "a nombre de",
        "a nombre del titular",
        "titular",
        "el titular es",
        "la titular es",
        "sr",
        "sra",
        "srta",
        "sres",
        "dr",
        "dra",
        "lic",
        "ing",
        "arq",
        "prof",
        "don",
        "dona",
        "senor",
        "senora",
        "senorita",
        "preguntar por",
        "pregunta por",
        "pregunten por",
        "de parte de",
        "le habla",
        "te habla",
        "les habla",
        "habla",
        "atte",
        "saludos",
        "cordialmente",
        "firma",
        "att",
        "mi hijo",
        "mi hija",
        "mi mama",
        "mi papa",
        "mi esposo",
        "mi esposa",
        "mi marido",
        "mi mujer",
        "mi hermano",
        "mi hermana",
        "mi novio",
        "mi novia",
        "mi abuela",
        "mi abuelo",
        "mi tio",
        "mi tia",
        "mi suegra",
        "mi suegro",
        "mi primo",
        "mi prima",
        "mi pareja",
        "mi jefe",
        "mi jefa",
        "mama de",
        "papa de",
        "hijo de",
        "hija de",
        "esposa de",
        "esposo de",
        "paciente",
        "el paciente es",
        "la paciente es",
        "alumno",
        "alumna",
        "contacto",
        "apellido",
        "apellidos",
        "llamarse",
        "me dicen",
        "yo soy",
        "habla con",
        "hablar con",
        "mis datos",
        "datos",
        "saludos cordiales",
        "un saludo",
        "atentamente",
        "slds",
        "titular de la cuenta es",
        "titular de la cuenta",
        "nombre del titular es",
        "el nombre es",
        "nombre y apellido",
        "a nombre de quien",
        "quien retira",
    ],
    "en": [
        "i am",
        "i'm",
        "im",
        "my name is",
        "name",
        "this is",
        "mr",
        "mrs",
        "ms",
        "dr",
        "ask for",
        "regards",
        "my son",
        "my daughter",
        "my wife",
        "my husband",
        "on behalf of",
    ],
}
# Cues after which the next words are a name even in lowercase ("me llamo ana").
_NAMING_CUES = {
    "es": [
        "me llamo",
        "mi nombre es",
        "se llama",
        "les habla",
        "le habla",
        "te habla",
        "a nombre de",
        "titular de la cuenta es",
        "el titular es",
        "la titular es",
        "nombre completo es",
        "nombre del titular es",
        "me dicen",
    ],
    "en": ["my name is", "i'm called", "on behalf of"],
}
# Greetings: a capitalized word next is taken as a name even if unknown ("Hola Lunna!").
_GREETING_CUES = {
    "es": [
        "hola",
        "holaa",
        "buenas",
        "gracias",
        "chau",
        "querida",
        "querido",
        "estimada",
        "estimado",
    ],
    "en": ["hi", "hello", "hey", "thanks", "dear"],
}
# Cues that only accept a known first name next (greetings, "con").
_WEAK_CUES = {
    "es": [
        "hola",
        "holaa",
        "buenas",
        "buen dia",
        "buenos dias",
        "gracias",
        "chau",
        "con",
        "para",
        "cliente",
        "agente",
        "querida",
        "querido",
        "estimada",
        "estimado",
        "y",
    ],
    "en": ["hi", "hello", "hey", "thanks", "dear", "with", "and"],
}
_PARTICLES = frozenset({"de", "del", "la", "las", "los", "da", "dos", "y"})
_MAX_TOKENS = 5


@dataclass
class _Tok:
    text: str
    folded: str
    start: int
    end: int

    @property
    def capitalized(self) -> bool:
        return self.text[:1].isupper()


def _cue_regex(cues: list[str]) -> re.Pattern[str]:
    alts = sorted({strip_accents(c) for c in cues}, key=len, reverse=True)
    body = "|".join(re.escape(c).replace(r"\ ", r"\s+") for c in alts)
    # The cue must end right before the name: optional '.', ',' or ':' and spaces.
    return re.compile(r"(?<!\w)(?:" + body + r")\.?\s*[:,]?\s*$")


class PersonRecognizer(EntityRecognizer):
    """Gazetteer (Faker name lists) + cue rules; see the module docstring."""

    ENTITY = "PERSON"

    def __init__(self, supported_language: str = "es") -> None:
        self.lexicon: NameLexicon = name_lexicon(supported_language)
        lang = supported_language if supported_language in _STRONG_CUES else "es"
        self._strong = _cue_regex(_STRONG_CUES[lang] + _STRONG_CUES["es"])
        self._weak = _cue_regex(_WEAK_CUES[lang])
        self._naming = _cue_regex(_NAMING_CUES[lang] + _NAMING_CUES["es"])
        self._greeting = _cue_regex(_GREETING_CUES[lang])
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
            results.append(self._result(toks[i].start, toks[end_index].end, score))
            i = end_index + 1
        return results

    # -- rules --------------------------------------------------------------------------

    def _match_at(
        self, text: str, folded_text: str, toks: list[_Tok], i: int
    ) -> tuple[int, float] | None:
        tok = toks[i]
        if self._glued(text, tok):
            return None
        lex = self.lexicon
        before = folded_text[max(0, tok.start - 40) : tok.start]
        strong = self._strong.search(before) is not None
        weak = not strong and self._weak.search(before) is not None
        is_first = lex.is_first(tok.folded)
        ambiguous = lex.is_ambiguous(tok.folded)
        known_first = is_first and not ambiguous

        if strong:
            if tok.capitalized and tok.folded not in COMMON_WORDS:
                return self._extend(text, toks, i, lowercase_ok=True), 0.85
            if known_first:
                return self._extend(text, toks, i, lowercase_ok=True), 0.75
            if (
                len(tok.folded) >= 3
                and tok.folded not in COMMON_WORDS
                and self._naming.search(before) is not None
            ):
                return self._extend(text, toks, i, lowercase_ok=True, unknown_ok=True), 0.7
            return None
        if tok.folded in COMMON_WORDS and not ambiguous:
            return None
        if weak and tok.capitalized and (is_first or ambiguous):
            return self._extend(text, toks, i, lowercase_ok=False), 0.7
        if weak and tok.capitalized and self._greeting.search(before) is not None:
            return self._extend(text, toks, i, lowercase_ok=False), 0.6
        if not tok.capitalized:
            # Lowercase without a cue: a known first name followed by a known surname.
            if known_first and i + 1 < len(toks) and self._adjacent(text, toks[i], toks[i + 1]):
                nxt = toks[i + 1]
                if lex.is_last(nxt.folded) and not nxt.capitalized:
                    return self._extend(text, toks, i, lowercase_ok=True), 0.55
            return None
        if not (is_first or ambiguous):
            return None
        end = self._extend(text, toks, i, lowercase_ok=False)
        if end > i:
            return end, 0.7
        if ambiguous or self._place_before(text, folded_text, toks, i):
            return None
        return i, 0.5

    def _extend(
        self, text: str, toks: list[_Tok], i: int, *, lowercase_ok: bool, unknown_ok: bool = False
    ) -> int:
        """Index of the last token of the name starting at ``toks[i]``."""
        lex = self.lexicon
        end = i
        j = i + 1
        while j < len(toks) and j - i < _MAX_TOKENS:
            prev, tok = toks[j - 1], toks[j]
            if not self._adjacent(text, prev, tok) or self._glued(text, tok):
                break
            folded = tok.folded
            if tok.capitalized:
                if folded in COMMON_WORDS and folded not in _PARTICLES:
                    break
                if folded in _PARTICLES:
                    break
                end = j
            elif lowercase_ok and (lex.is_first(folded) or lex.is_last(folded)):
                end = j
            elif unknown_ok and len(folded) >= 3 and folded not in COMMON_WORDS:
                end = j
            else:
                break
            j += 1
        return end

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
