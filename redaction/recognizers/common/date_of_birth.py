"""Dates of birth: a full date (with year) near "nací", "nacimiento", "cumpleaños"...

Appointment dates ("el martes 12 a las 10") have no year and are never matched; a full
date with an old year and no birth word is kept with a low score.
"""

from __future__ import annotations

import datetime as dt
import re

from presidio_analyzer import Pattern, RecognizerResult

from redaction.normalize import strip_accents
from redaction.recognizers.base import LocalPatternRecognizer
from redaction.recognizers.priority import CUE

_MONTHS = (
    r"(?:enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|setiembre|octubre|"
    r"noviembre|diciembre|ene|feb|mar|abr|may|jun|jul|ago|sep|sept|set|oct|nov|dic)"
)
# "22", "1º", "1ro", "primero": the day of a written date.
_DAY = r"(?:\d{1,2}(?:º|°|ro|ero)?|primero)"
_YEAR = re.compile(r"(19|20)\d{2}")
_STRONG_BIRTH = re.compile(r"(?<!\w)(?:naci|nacio|nacid[oa]|nacimiento|nac|born|birth|dob)(?!\w)")


class DateOfBirthRecognizer(LocalPatternRecognizer):
    """dd/mm/yyyy, dd-mm-yyyy, dd.mm.yyyy and "9 de setiembre de 1987"."""

    ENTITY = "DATE_OF_BIRTH"
    PRIORITY = CUE
    PATTERNS = [
        Pattern(
            "numeric date",
            r"(?<![\w/.\-])\d{1,2}[/.\-]\d{1,2}[/.\-](?:19|20)\d{2}(?![\w/\-]|\.\d)",
            0.3,
        ),
        Pattern(
            "written date",
            r"(?i)(?<!\w)" + _DAY + r" de " + _MONTHS + r"\.? (?:de |del )?(?:19|20)\d{2}(?!\w)",
            0.3,
        ),
        Pattern("iso date", r"(?<![\w\-])(?:19|20)\d{2}-\d{2}-\d{2}(?![\w\-])", 0.2),
        Pattern(
            "date with a month abbreviation",
            r"(?i)(?<![\w/.\-])\d{1,2}[-/ ]" + _MONTHS + r"\.?[-/ ](?:19|20)\d{2}(?![\w/\-])",
            0.3,
        ),
        # Two-digit years and year-less birthdays: only with a birth word (see adjust).
        Pattern(
            "numeric date, 2-digit year",
            r"(?<![\w/.\-])\d{1,2}[/.\-]\d{1,2}[/.\-]\d{2}(?![\w/\-]|\.\d)",
            0.05,
        ),
        Pattern(
            "written date, short year",
            r"(?i)(?<!\w)" + _DAY + r" de " + _MONTHS + r"\.? (?:de |del )?'?\d{2}(?!\w)",
            0.05,
        ),
        Pattern(
            "written date, no year",
            r"(?i)(?<!\w)" + _DAY + r" de " + _MONTHS + r"(?!\w)(?! (?:de |del )?'?\d)",
            0.05,
        ),
    ]
    CONTEXT = [
        "naci",
        "nacio",
        "nacido",
        "nacida",
        "nacimiento",
        "cumpleanos",
        "f. nac",
        "fnac",
        "fecha de nac",
        "fecha nac",
        "f nac",
        "fec nac",
        "nac.",
        "nac",
        "cumple",
        "mi cumple es",
        "mi cumple es el",
        "cumplo anos",
        "cumplo",
        "nacio el",
        "naci el",
        "soy del",
        "soy de",
        "born",
        "birth",
        "dob",
    ]
    PREFILTER = re.compile(r"\d")
    CONTEXT_WINDOW = 50
    CONTEXT_BOOST = 0.55
    MIN_AGE_WITHOUT_CONTEXT = 12

    def _near_birth_word(self, text: str, start: int) -> bool:
        """A birth word within 25 characters: required for short and year-less dates."""
        window = strip_accents(text[max(0, start - 25) : start].lower())
        return self._context_re is not None and self._context_re.search(window) is not None

    def adjust(self, text: str, result: RecognizerResult) -> bool:
        """Birth words make it a DOB; otherwise only clearly old dates are kept (low score)."""
        if self.has_context(text, result.start):
            if result.score < 0.1 and not self._near_birth_word(text, result.start):
                return False
            year = _YEAR.search(text[result.start : result.end])
            window = strip_accents(text[max(0, result.start - 50) : result.start].lower())
            if (
                year
                and int(year.group(0)) >= dt.date.today().year - 1
                and _STRONG_BIRTH.search(window) is None
            ):
                return False  # "el cumple es el sábado 12/04/2026": a party, not a birth
            result.score = min(1.0, result.score + self.CONTEXT_BOOST)
            return True
        if result.score < 0.1:
            return False
        year = _YEAR.search(text[result.start : result.end])
        this_year = dt.date.today().year
        if year and int(year.group(0)) <= this_year - self.MIN_AGE_WITHOUT_CONTEXT:
            result.score = 0.45
            return True
        return False
