"""Weekday names, one home: how dates are said to customers and to the model, and which
weekdays a customer's message names."""

from __future__ import annotations

import re
from datetime import date

from crm.text import fold

WEEKDAY_NAMES = {
    "es": ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}
_NAMED = re.compile(r"\b(lunes|martes|miercoles|jueves|viernes|sabados?|domingos?|"
                    r"monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b")
_INDEX = {name: i for names in (("lunes", "martes", "miercoles", "jueves", "viernes",
                                 "sabado", "domingo"),
                                tuple(n.lower() for n in WEEKDAY_NAMES["en"]))
          for i, name in enumerate(names)}


def weekday_name(day: date, lang: str = "es") -> str:
    return WEEKDAY_NAMES["en" if lang == "en" else "es"][day.weekday()]


def day_label(day: date, lang: str = "es") -> str:
    """"martes 24/11" ("Tuesday 24/11")."""
    return f"{weekday_name(day, lang)} {day.day}/{day.month}"


def weekdays_named(text: str) -> set[int]:
    """The weekdays (0 = Monday) a text names, in Spanish or English."""
    folded = fold(text)
    return {_INDEX[m.rstrip("s") if m.endswith(("sabados", "domingos")) else m]
            for m in _NAMED.findall(folded)}
