"""Spoken numbers in Spanish, English and Portuguese, read as the digits a person meant.

A run of number words is read the way people dictate: compound numbers where the words
combine ("veintinueve millones cuatrocientos mil ciento doce" → ``29400112``,
"cuarenta y cinco" → ``45``) and digit after digit where they do not ("once cinco
ocho tres" → ``11583``, "quince sesenta y dos" → ``1562``). The parts are written one
after the other, as a phone or an ID number would be.
"""

from __future__ import annotations

from redaction.normalize import strip_accents

_UNITS = {
    # Spanish
    "cero": 0, "uno": 1, "dos": 2, "tres": 3, "cuatro": 4, "cinco": 5, "seis": 6,
    "siete": 7, "ocho": 8, "nueve": 9, "diez": 10, "once": 11, "doce": 12, "trece": 13,
    "catorce": 14, "quince": 15, "dieciseis": 16, "diecisiete": 17, "dieciocho": 18,
    "diecinueve": 19, "veinte": 20, "veintiuno": 21, "veintiun": 21, "veintidos": 22,
    "veintitres": 23, "veinticuatro": 24, "veinticinco": 25, "veintiseis": 26,
    "veintisiete": 27, "veintiocho": 28, "veintinueve": 29, "treinta": 30, "cuarenta": 40,
    "cincuenta": 50, "sesenta": 60, "setenta": 70, "ochenta": 80, "noventa": 90,
    "cien": 100, "ciento": 100, "doscientos": 200, "doscientas": 200, "trescientos": 300,
    "trescientas": 300, "cuatrocientos": 400, "cuatrocientas": 400, "quinientos": 500,
    "quinientas": 500, "seiscientos": 600, "seiscientas": 600, "setecientos": 700,
    "setecientas": 700, "ochocientos": 800, "ochocientas": 800, "novecientos": 900,
    "novecientas": 900,
    # English
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90,
    # Portuguese (forms shared with Spanish are above)
    "um": 1, "dois": 2, "duas": 2, "quatro": 4, "sete": 7, "oito": 8, "nove": 9, "dez": 10,
    "onze": 11, "doze": 12, "treze": 13, "quatorze": 14, "dezesseis": 16, "dezasseis": 16,
    "dezessete": 17, "dezoito": 18, "dezenove": 19, "vinte": 20, "trinta": 30,
    "quarenta": 40, "cinquenta": 50, "sessenta": 60, "oitenta": 80, "cem": 100,
    "duzentos": 200, "trezentos": 300, "quatrocentos": 400, "quinhentos": 500,
    "seiscentos": 600, "setecentos": 700, "oitocentos": 800, "novecentos": 900,
}  # fmt: skip
_MULTIPLIERS = {
    "mil": 1000, "thousand": 1000, "millon": 10**6, "millones": 10**6, "million": 10**6,
    "millions": 10**6, "milhao": 10**6, "milhoes": 10**6, "hundred": 100,
}  # fmt: skip
# Words that join parts of one number: "cuarenta y cinco", "forty-five", "vinte e um".
JOINERS = frozenset({"y", "e", "and"})


def _key(word: str) -> str:
    return strip_accents(word.lower())


def is_number_word(word: str) -> bool:
    """True for a number word that can start or continue a spoken number."""
    key = _key(word)
    return key in _UNITS or key in _MULTIPLIERS


def _room_after(value: int) -> int:
    """How much can still be added to a number whose last part was ``value``."""
    if value >= 100:
        return 99
    if value >= 20 and value % 10 == 0:
        return 9
    return 0


def parse_number_run(words: list[str]) -> str:
    """The digits a run of number words and digit groups stands for ('' when none)."""
    parts: list[str] = []
    millions = thousands = small = 0
    room = -1  # -1: no number open
    seen_word = False

    def close() -> None:
        nonlocal millions, thousands, small, room
        if room >= 0:
            parts.append(str(millions + thousands + small))
        millions = thousands = small = 0
        room = -1

    for word in words:
        key = _key(word)
        if word.isdigit():
            close()
            parts.append(word)
            continue
        if key in JOINERS:
            continue
        if key in _MULTIPLIERS:
            factor = _MULTIPLIERS[key]
            seen_word = True
            if factor == 100:
                small = (small or 1) * 100
                room = 99
            elif factor == 1000:
                thousands = (small or 1) * 1000 if room >= 0 else 1000
                small, room = 0, 999
            else:
                millions = ((thousands + small) or 1) * factor if room >= 0 else factor
                thousands = small = 0
                room = 999_999
            continue
        value = _UNITS.get(key)
        if value is None:
            continue
        seen_word = True
        if value == 0:
            close()
            parts.append("0")
            continue
        if 0 < value <= room:
            small += value
        else:
            close()
            small = value
        room = _room_after(value)
    close()
    return "".join(parts) if seen_word else ""


def number_word_pattern() -> str:
    """A regex alternation of every number word (accent-free, lowercase), longest first."""
    words = sorted({*_UNITS, *_MULTIPLIERS}, key=len, reverse=True)
    return "|".join(words)
