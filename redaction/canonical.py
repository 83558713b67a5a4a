"""Canonical text for the recognizers, with a map back to the original offsets.

People disguise numbers and addresses without meaning to: they spell a phone out
("once cinco ocho tres…"), type keycap emoji (3️⃣4️⃣), put a dot after every digit
(1.1.5.8.3…), type ``I``/``O`` for 1/0 ("II 58O3-22I9"), or dictate an e-mail
("juan arroba gmail punto com"), or glue a form's label to its value ("Cel:1160214477").
:func:`canonicalize` rewrites those forms into what the
recognizers know (``1158322190``, ``juan@gmail.com``) and keeps, for every character of
the canonical text, the original range it came from, so a span found in the canonical
text maps back to the original (:meth:`Canonical.to_original`).

Most messages hold none of these forms: a single cheap search decides, and such a text
is its own canonical form (no copy, no map).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from redaction.normalize import strip_accents
from redaction.number_words import (
    JOINERS,
    is_number_word,
    number_word_pattern,
    parse_number_run,
)

_EMOJI = (
    "\u00a9\u00ae\u203c\u2049\u2122\u2139\u2194-\u21aa\u231a-\u23ff\u24c2\u25aa-\u27bf"
    "\u2934\u2935\u2b05-\u2b55\u3030\u303d\u3297\u3299\ufe0f\u200d\u20e3"
    "\U0001f000-\U0001faff"
)
_KEYCAP = re.compile(r"([0-9])\ufe0f?\u20e3")
_EMOJI_BETWEEN_DIGITS = re.compile(r"(?<=[0-9])[ ]*[" + _EMOJI + r"]+[ ]*(?=[0-9])")
_SPACED_SINGLE_DIGITS = re.compile(
    r"(?<![\w.,])[0-9](?:(?:[ ]?[.,·*_/\-][ ]?|[ ])[0-9]){5,}(?![0-9])"
)
_LOOKALIKE_RUN = re.compile(
    r"(?<![^\W\d_])(?:[0-9OoIl|]+)(?:[ .\-][0-9OoIl|]+)*(?![^\W\d_])"
)
_WORD = re.compile(r"[^\W\d_]+|[0-9]+")
_AT = (
    r"(?:[ ]*[(\[{<][ ]*(?:at|arroba|@)[ ]*[)\]}>][ ]*|[ ]+(?:arroba|at)[ ]+|[ ]*@[ ]*)"
)
_DOT = (
    r"(?:[ ]*[(\[{<][ ]*(?:dot|punto|ponto|\.)[ ]*[)\]}>][ ]*|[ ]+(?:punto|dot|ponto)[ ]+"
    r"|[ ]*\.[ ]*)"
)
_LABEL = r"[a-z0-9](?:[a-z0-9_%+\-]*[a-z0-9])?"
_SPOKEN_EMAIL = re.compile(
    rf"(?<![\w.])(?P<local>{_LABEL}(?:{_DOT}{_LABEL})*)(?P<at>{_AT})"
    rf"(?P<domain>{_LABEL}(?:{_DOT}{_LABEL})*{_DOT}(?P<tld>[a-z]{{2,6}}))(?![\w])",
    re.IGNORECASE,
)
_DOT_ONLY = re.compile(_DOT, re.IGNORECASE)
_AT_ONLY = re.compile(_AT, re.IGNORECASE)
_SPOKEN_ALIAS = re.compile(
    r"(?<![\w.])([a-z0-9]{2,20})[ ]+(?:punto|dot|ponto)[ ]+([a-z0-9]{2,20})"
    r"(?:[ ]+(?:punto|dot|ponto)[ ]+([a-z0-9]{2,20}))+(?![\w.])",
    re.IGNORECASE,
)
_SEP = r"(?:[ ]?[.,·*_/\-][ ]?|[ ])"  # between single digits: "1.1.5", "1 - 1 - 5"
# One search over the text decides whether any rewrite can apply.
_TRIGGER = re.compile(
    r"\u20e3|[0-9][ ]*[" + _EMOJI + r"]|[0-9][OoIl|]|[OoIl|][0-9]|(?<!\w)[OI]{2}"
    r"|[0-9](?:" + _SEP + r"[0-9]){3}"
    r"|arroba|\b(?:at|dot|punto|ponto)\b| @ |[0-9]_[0-9]|[^\W\d_]:[^\W_]|(?<!\S)[0-9]{1,2}[)\]]\s"
    r"|[\uff10-\uff19\u0660-\u0669\u06f0-\u06f9\U0001d7ce-\U0001d7ff]"  # other digits
    r"|\b(?:cero|uno|dos|tr[eê]s|cuatro|cinco|seis|siete|ocho|nueve|diez|once|doce|trece|catorce"
    r"|quince|dieci|veint|treinta|cuarenta|cincuenta|sesenta|setenta|ochenta|noventa|cien"
    r"|mil|zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty"
    r"|forty|fifty|sixty|seventy|eighty|ninety|hundred|thousand|dois|duas|quatro|sete|oito"
    r"|nove|dez|onze|doze|treze|quatorze|dezesseis|dezessete|dezoito|dezenove|vinte|trinta"
    r"|quarenta|cinquenta)",
    re.IGNORECASE,
)
# "3) Zapiola 2345, Núñez 4) 11 6512-3498 5) efectivo": list markers are not digits of the
# values around them.
_LIST_MARKER = re.compile(r"(?<!\S)[0-9]{1,2}[)\]](?=\s)")
# "4360_5729_8089_6413": groups of a number joined by underscores.
_UNDERSCORE_IN_NUMBER = re.compile(r"(?<=\d)_(?=\d)")
# "diecinueve millones … doscientos cinco guion K" (a RUT read aloud), once digits.
_SPOKEN_DASH = re.compile(r"(?<=\d)\s+gui[oó]n\s+([0-9kK])(?![\w])")
# "Cel:1160214477", "DNI:27315157": a form label glued to its value.
_GLUED_LABEL = re.compile(r"(?<=[^\W\d_]):(?=[^\W_])")
_NUMBER_RUN = rf"(?:{number_word_pattern()})(?:\s+(?:y\s+|e\s+)?(?:{number_word_pattern()}))*"
_MONTH_NAMES = (
    "enero febrero marzo abril mayo junio julio agosto septiembre setiembre octubre "
    "noviembre diciembre janeiro fevereiro marco maio junho julho setembro outubro "
    "novembro dezembro"
).split()
# "veintidós de julio de 1990", "nueve del nueve del noventa y nueve", "primero de mayo
# del ochenta y dos": a date read aloud (on accent-free lowercase text).
_SPOKEN_DATE = re.compile(
    rf"(?<!\w)(?P<day>primero|{_NUMBER_RUN}|\d{{1,2}})\s+del?\s+"
    rf"(?P<month>{'|'.join(_MONTH_NAMES)}|{_NUMBER_RUN}|\d{{1,2}})\s+del?\s+"
    rf"(?P<year>{_NUMBER_RUN}|\d{{2}}|\d{{4}})(?!\w)"
)
_NON_ASCII_DIGIT = re.compile(r"[\uff10-\uff19\u0660-\u0669\u06f0-\u06f9\U0001d7ce-\U0001d7ff]")
_MIN_WORDS = 3
_MIN_DIGITS_FROM_WORDS = 5
_MIN_LOOKALIKE_DIGITS = 4


@dataclass(frozen=True)
class Canonical:
    """The canonical text and, when it differs, where each of its characters came from."""

    original: str
    text: str
    starts: tuple[int, ...] = ()
    ends: tuple[int, ...] = ()

    @property
    def changed(self) -> bool:
        """True when the canonical text differs from the original."""
        return bool(self.starts)

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """The original range that canonical ``[start, end)`` came from."""
        if not self.starts or end <= start:
            return start, end
        return self.starts[start], self.ends[end - 1]


class _Builder:
    """The text being rewritten, each character carrying its original range."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts = list(range(len(text)))
        self.ends = list(range(1, len(text) + 1))
        self.changed = False

    def apply(self, edits: list[tuple[int, int, str]]) -> None:
        """Replace each current ``[a, b)`` by its string (edits sorted, non-overlapping)."""
        if not edits:
            return
        parts: list[str] = []
        starts: list[int] = []
        ends: list[int] = []
        at = 0
        for a, b, new in edits:
            parts.append(self.text[at:a])
            starts.extend(self.starts[at:a])
            ends.extend(self.ends[at:a])
            if new:
                lo, hi = self.starts[a], self.ends[b - 1]
                parts.append(new)
                starts.extend([lo] * len(new))
                ends.extend([hi] * len(new))
            at = b
        parts.append(self.text[at:])
        starts.extend(self.starts[at:])
        ends.extend(self.ends[at:])
        self.text = "".join(parts)
        self.starts, self.ends = starts, ends
        self.changed = True


def canonicalize(text: str) -> Canonical:
    """``text`` with disguised digits and spoken e-mails written the usual way."""
    if not _TRIGGER.search(text):
        return Canonical(text, text)
    b = _Builder(text)
    b.apply([(m.start(), m.end(), ": ") for m in _GLUED_LABEL.finditer(b.text)])
    b.apply([(m.start(), m.end(), ";") for m in _LIST_MARKER.finditer(b.text)])
    b.apply(_unicode_digits(b.text))
    b.apply([(m.start(), m.end(), m.group(1)) for m in _KEYCAP.finditer(b.text)])
    b.apply([(m.start(), m.end(), "") for m in _EMOJI_BETWEEN_DIGITS.finditer(b.text)])
    b.apply(_spoken_dates(b.text))
    b.apply(_number_words(b.text))
    b.apply(_lookalikes(b.text))
    b.apply(
        [
            (m.start(), m.end(), re.sub(r"[^0-9]", "", m.group()))
            for m in _SPACED_SINGLE_DIGITS.finditer(b.text)
        ]
    )
    b.apply([(m.start(), m.end(), " ") for m in _UNDERSCORE_IN_NUMBER.finditer(b.text)])
    b.apply([(m.start(), m.end(), "-" + m.group(1)) for m in _SPOKEN_DASH.finditer(b.text)])
    b.apply(_spoken_emails(b.text))
    b.apply(_spoken_aliases(b.text))
    if not b.changed or b.text == text:
        return Canonical(text, text)
    return Canonical(text, b.text, tuple(b.starts), tuple(b.ends))


def _unicode_digits(text: str) -> list[tuple[int, int, str]]:
    """Full-width, Arabic-Indic, mathematical… digits as ASCII digits."""
    edits = []
    for m in _NON_ASCII_DIGIT.finditer(text):
        ch = m.group()
        if ch.isdigit():
            value = unicodedata.digit(ch, None)
            if value is not None:
                edits.append((m.start(), m.end(), str(value)))
    return edits


def _number_words(text: str) -> list[tuple[int, int, str]]:
    """Runs of number words (es, en, pt), mixed with digit groups, as one digit string."""
    edits: list[tuple[int, int, str]] = []
    tokens = list(_WORD.finditer(text))
    i = 0
    while i < len(tokens):
        if not is_number_word(tokens[i].group()):
            i += 1
            continue
        j = i
        run: list[str] = []
        last_number = i
        while j < len(tokens):
            word = tokens[j].group()
            gap = text[tokens[j - 1].end() : tokens[j].start()] if j > i else ""
            if j > i and not _joins(gap):
                break
            if word.isdigit() or is_number_word(word):
                run.append(word)
                last_number = j
            elif word.lower() in JOINERS and j > i:
                run.append(word)
            else:
                break
            j += 1
        words = run[: last_number - i + 1]
        n_words = sum(1 for w in words if not w.isdigit() and w.lower() not in JOINERS)
        number = parse_number_run(words)
        # Three number words, or a long number from more than one word ("un millón" alone
        # is not an identifier).
        if number and (n_words >= _MIN_WORDS
                       or (len(number) >= _MIN_DIGITS_FROM_WORDS and len(words) > 1)):
            edits.append((tokens[i].start(), tokens[last_number].end(), number))
        i = last_number + 1
    return edits


def _joins(gap: str) -> bool:
    """True when the characters between two tokens keep them in one spoken number."""
    return len(gap) <= 3 and "\n" not in gap and all(ch in " ,.-–" for ch in gap)


def _lookalikes(text: str) -> list[tuple[int, int, str]]:
    """``O``/``o`` for 0 and ``I``/``l``/``|`` for 1 inside a run of digits."""
    edits = []
    for m in _LOOKALIKE_RUN.finditer(text):
        # Sub-runs of tokens that hold a digit or are capitals ("II"): "lo", "o" are words.
        run: list[re.Match[str]] = []
        for token in [*_RUN_TOKEN.finditer(m.group()), None]:
            if token is not None and (
                any(ch.isdigit() for ch in token.group())
                or (len(token.group()) >= 2 and token.group().isupper())
                or (token.group() in ("I", "O") and "." in m.group())  # "I.O2O.6I8.3O4"
            ):
                run.append(token)
                continue
            if run:
                a, b = m.start() + run[0].start(), m.start() + run[-1].end()
                edit = _lookalike_edit(text[a:b])
                if edit is not None:
                    edits.append((a, b, edit))
            run = []
    return edits


def _lookalike_edit(run: str) -> str | None:
    real_digits = sum(ch.isdigit() for ch in run)
    if real_digits < _MIN_LOOKALIKE_DIGITS:
        return None
    fixed = run.translate(_LOOKALIKE_TABLE)
    return fixed if fixed != run else None


_RUN_TOKEN = re.compile(r"[^ .\-]+")
_LOOKALIKE_TABLE = str.maketrans({"O": "0", "o": "0", "I": "1", "l": "1", "|": "1"})


def _spoken_emails(text: str) -> list[tuple[int, int, str]]:
    """"juan arroba gmail punto com", "juan (at) hotmail.com" as ``juan@gmail.com``."""
    edits = []
    for m in _SPOKEN_EMAIL.finditer(text):
        whole = m.group()
        if "@" in whole and " " not in whole and "(" not in whole and "[" not in whole:
            continue  # already an e-mail
        local = _DOT_ONLY.sub(".", m.group("local"))
        domain = _DOT_ONLY.sub(".", m.group("domain"))
        if m.group("at").strip().lower() == "at" and not _DOT_ONLY.search(m.group("domain")):
            continue
        edits.append((m.start(), m.end(), f"{local}@{domain}".lower()))
    return edits


def _spoken_aliases(text: str) -> list[tuple[int, int, str]]:
    """"blanca punto sol punto rio" (a CBU alias read aloud) as ``blanca.sol.rio``."""
    edits = []
    for m in _SPOKEN_ALIAS.finditer(text):
        if _AT_ONLY.search(m.group()):
            continue
        words = re.split(r"[ ]+(?:punto|dot|ponto)[ ]+", m.group(), flags=re.IGNORECASE)
        edits.append((m.start(), m.end(), ".".join(w.lower() for w in words)))
    return edits


def _spoken_dates(text: str) -> list[tuple[int, int, str]]:
    """A date read aloud, written with digits: "22 de julio de 1990", "9/9/99"."""
    folded = strip_accents(text.lower())
    if len(folded) != len(text):
        return []
    edits = []
    for m in _SPOKEN_DATE.finditer(folded):
        day, month, year = m.group("day"), m.group("month"), m.group("year")
        if all(part[:1].isdigit() or part in _MONTH_NAMES for part in (day, month, year)):
            continue  # already digits: the date recognizer reads it
        d = "1" if day == "primero" else _as_number(day)
        y = _as_number(year)
        if not d or not y or not 1 <= int(d) <= 31 or len(y) not in (2, 4):
            continue
        if month in _MONTH_NAMES:
            edits.append((m.start(), m.end(), f"{d} de {month} de {y}"))
            continue
        mo = _as_number(month)
        if mo and 1 <= int(mo) <= 12:
            edits.append((m.start(), m.end(), f"{d}/{mo}/{y}"))
    return edits


def _as_number(part: str) -> str:
    return part if part.isdigit() else parse_number_run(part.split())
