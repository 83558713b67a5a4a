"""Does the end user say they are a minor? A small, conservative detector (Spanish, English).

Only first-person statements count: "tengo 12 años", "tengo doce", "soy menor, tengo 11",
"soy menor de edad", "mi edad es 12", "cumplí 12", "I'm 12", "I am 12 years old",
"I'm a minor". What others are ("mi hijo de 10", "my son is 9") does not, and neither do
durations, quantities, times and prices ("tengo 12 años de experiencia", "tenemos 12 años
de casados", "tengo 12:30 libre", "tengo 12 turnos", "I'm 12 minutes late").

A bare number ("tengo 12", "12") is an age only when the agent has just asked for one
(``asks_age`` on its last message) or the same message says "soy menor"; a bare number *word*
at the end of a clause ("tengo doce") is an age anyway, since nobody writes quantities that
way in a chat. Ages under 4 or over 120 are not believed (a quantity, or a joke).

The detector errs on the side of silence: a miss leaves the business's own review (staff see
every conversation); a false alarm stops the agent and queues an erasure for staff to cancel.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from agent.offline.text import fold

_ES_NUMBERS = {
    "un": 1, "uno": 1, "dos": 2, "tres": 3, "cuatro": 4, "cinco": 5, "seis": 6, "siete": 7,
    "ocho": 8, "nueve": 9, "diez": 10, "once": 11, "doce": 12, "trece": 13, "catorce": 14,
    "quince": 15, "dieciseis": 16, "diecisiete": 17, "dieciocho": 18, "diecinueve": 19,
    "veinte": 20, "veintiuno": 21, "veintiun": 21,
}
_EN_NUMBERS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
    "twenty": 20, "twenty-one": 21, "twenty one": 21,
}
_MIN_BELIEVED, _MAX_BELIEVED = 4, 120
_ADULT = 18  # "menor de edad" / "a minor": under 18 in every country Mostrador serves


def _alternation(words: dict[str, int]) -> str:
    return "|".join(sorted((re.escape(w) for w in words), key=len, reverse=True))


# A number: digits not part of a time, price, date or decimal ("12:30", "12.000", "12/11").
_DIGITS = r"\d{1,3}(?![\d:.,/]\d)(?![\d])"
_ES_AGE = rf"(?P<age>{_DIGITS}|(?P<word>{_alternation(_ES_NUMBERS)})\b)"
_EN_AGE = rf"(?P<age>{_DIGITS}|(?P<word>{_alternation(_EN_NUMBERS)})\b)"
_YEARS_ES = r"an(?:i?os|itos)\b"
_SOFTENER_ES = r"(?:(?:solo|solamente|recien|apenas|ya)\s+)?"
_SOFTENER_EN = r"(?:(?:only|just)\s+)?"
# What makes "tengo N años ..." a duration, not an age ("de experiencia", "en la empresa",
# "con la misma dentista", "que no vengo", "casada", "trabajando"...). "de edad" is an age.
_DURATION_TAIL = re.compile(
    r"\s*(?:de\s+(?!edad\b)|en\b|con\b|que\b|sin\b|como\b|aca\b|ahi\b|alli\b|juntos\b|"
    r"casad|viviendo|trabajando|usando|haciendo|esperando|estudiando|atendiendome|"
    r"viniendo|yendo|mas\b|menos\b)")
_CLAUSE_END = r"(?=\s*(?:$|[.,;:!?)]|\by\b|\be\b|\bpero\b|\band\b|\bbut\b))"

_ES_YEARS = re.compile(rf"\b(?:tengo|cumpli)\s+{_SOFTENER_ES}{_ES_AGE}\s*{_YEARS_ES}")
_ES_BARE = re.compile(rf"\btengo\s+{_SOFTENER_ES}{_ES_AGE}{_CLAUSE_END}")
_ES_MY_AGE = re.compile(rf"\bmi\s+edad\s*(?:es|:)?\s*(?:de\s+)?{_ES_AGE}")
_ES_MINOR = re.compile(r"\bsoy\s+(?:un[ao]?\s+)?menor(?!\s+que\b)(?:\s+de\s+(?P<bound>\d{1,2})\b)?")
_EN_IM = re.compile(rf"\b(?:i'?m|i\s+am)\s+{_SOFTENER_EN}{_EN_AGE}"
                    r"(?=\s*(?:$|[.,;:!?)]|\band\b|\bbut\b|\by/?o\b|\byrs?\b|\byears?\b))"
                    r"(?P<tail>\s*(?:years?|yrs?)\b(?!\s+old\b|\s+of\s+age\b)(?=\s*\w))?")
_EN_MY_AGE = re.compile(rf"\bmy\s+age\s+is\s+{_EN_AGE}")
_EN_TURNED = re.compile(rf"\bi\s+(?:just\s+)?turned\s+{_EN_AGE}{_CLAUSE_END}")
_EN_MINOR = re.compile(r"\bi(?:'m|\s+am)\s+(?:a\s+minor\b|under\s+(?P<bound>\d{1,2})\b)")
_ALONE_ES = re.compile(rf"^\s*(?:tengo\s+)?{_ES_AGE}\s*(?:{_YEARS_ES})?\s*[.!]*\s*$")
_ALONE_EN = re.compile(rf"^\s*(?:i'?m\s+|i\s+am\s+)?{_EN_AGE}\s*(?:years?\s+old)?\s*[.!]*\s*$")
_ASKS_AGE = re.compile(r"\bedad\b|\bcuantos\s+anos\b|\bhow\s+old\b|\byour\s+age\b")


@dataclass(frozen=True)
class AgeStatement:
    """The end user said they are younger than ``below`` (an age of 12 gives 13)."""

    below: int
    language: str  # "es" | "en": the language the statement was made in

    def under(self, minor_age: int) -> bool:
        """Whether this makes them younger than ``minor_age`` (0: the check is off)."""
        return minor_age > 0 and self.below <= minor_age


def asks_age(agent_text: str) -> bool:
    """Whether the agent's message asks for the user's age."""
    return bool(_ASKS_AGE.search(_normalize(agent_text)))


def stated_age(text: str, *, asked_age: bool = False) -> AgeStatement | None:
    """What the user says about their own age in ``text``, or None.

    ``asked_age``: the agent's previous message asked for an age (``asks_age``), so a bare
    number is an answer to it. When several statements disagree the youngest counts.
    """
    folded = _normalize(text)
    found: list[AgeStatement] = []
    cue = bool(_ES_MINOR.search(folded))
    for match in _ES_YEARS.finditer(folded):
        if not _DURATION_TAIL.match(folded, match.end()):
            _add(found, match, _ES_NUMBERS, "es")
    for match in _ES_BARE.finditer(folded):
        if match.group("word") or asked_age or cue:
            _add(found, match, _ES_NUMBERS, "es")
    for match in _ES_MY_AGE.finditer(folded):
        _add(found, match, _ES_NUMBERS, "es")
    for match in _ES_MINOR.finditer(folded):
        bound = match.group("bound")
        found.append(AgeStatement(int(bound) if bound else _ADULT, "es"))
    for pattern in (_EN_IM, _EN_MY_AGE, _EN_TURNED):
        for match in pattern.finditer(folded):
            if not match.groupdict().get("tail"):
                _add(found, match, _EN_NUMBERS, "en")
    for match in _EN_MINOR.finditer(folded):
        bound = match.group("bound")
        found.append(AgeStatement(int(bound) if bound else _ADULT, "en"))
    if asked_age and not found:
        for pattern, numbers, language in ((_ALONE_ES, _ES_NUMBERS, "es"),
                                           (_ALONE_EN, _EN_NUMBERS, "en")):
            alone = pattern.match(folded)
            if alone:
                _add(found, alone, numbers, language)
                break
    return min(found, key=lambda s: s.below) if found else None


def _add(found: list[AgeStatement], match: re.Match[str], numbers: dict[str, int],
         language: str) -> None:
    raw = match.group("age")
    age = int(raw) if raw.isdigit() else numbers.get(raw.strip())
    if age is not None and _MIN_BELIEVED <= age <= _MAX_BELIEVED:
        found.append(AgeStatement(age + 1, language))


def _normalize(text: str) -> str:
    return fold(text.replace("\u2019", "'").replace("`", "'"))
