"""Relative dates in scenario files, so a suite written today still works next month.

A placeholder is `{EXPR}` or `{EXPR:FORMAT}` inside a turn's text, an appointment's
`start`, or a scenario's `today`. EXPR is one of

    today, tomorrow          the run's "today" and the day after
    date+N, date-N           N days after / before today ("date+3")
    next mon ... next sun    the first such weekday *after* today (1 to 7 days ahead;
                             Spanish names work too: "next jue", "next sábado")
    next thu+7               ... plus or minus N days (the Thursday after that one)

FORMAT is a `strftime` format (default `%Y-%m-%d`); `%A`/`%a` (weekday) and `%B`/`%b`
(month) are written in the scenario's language ("jueves", "Thursday"), never the machine's
locale. `{{` and `}}` are literal braces. Examples with today = Monday 2026-11-23:

    "{date+1}"            -> "2026-11-24"
    "{next thu} 10:00"    -> "2026-11-26 10:00"
    "el {next thu:%d/%m}" -> "el 26/11"
    "el {next thu:%A %d}" -> "el jueves 26"
    "el {date+13:%-d/%-m}" -> "el 6/12"     (%-d, %-m: no leading zero)

`resolve` raises PlaceholderError (a ValueError) naming the bad placeholder; the loader
adds the scenario and field.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

_PLACEHOLDER = re.compile(r"\{\{|\}\}|\{([^{}]*)\}")
_EXPR = re.compile(
    r"^\s*(?:(?P<base>today|tomorrow|date)|next\s+(?P<weekday>[a-záéíóúñ]+))"
    r"\s*(?:(?P<sign>[+-])\s*(?P<days>\d{1,4}))?\s*$"
)
_WEEKDAY_NAMES = {
    0: ("mon", "monday", "lun", "lunes"),
    1: ("tue", "tuesday", "mar", "martes"),
    2: ("wed", "wednesday", "mie", "mié", "miercoles", "miércoles"),
    3: ("thu", "thursday", "jue", "jueves"),
    4: ("fri", "friday", "vie", "viernes"),
    5: ("sat", "saturday", "sab", "sáb", "sabado", "sábado"),
    6: ("sun", "sunday", "dom", "domingo"),
}
WEEKDAYS = {name: number for number, names in _WEEKDAY_NAMES.items() for name in names}
_NAMES = {
    "es": {
        "A": ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo"),
        "a": ("lun", "mar", "mié", "jue", "vie", "sáb", "dom"),
        "B": ("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto",
              "septiembre", "octubre", "noviembre", "diciembre"),
        "b": ("ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sep", "oct", "nov",
              "dic"),
    },
    "en": {
        "A": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
        "a": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
        "B": ("January", "February", "March", "April", "May", "June", "July", "August",
              "September", "October", "November", "December"),
        "b": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov",
              "Dec"),
    },
}
HELP = ("write {today}, {tomorrow}, {date+N}, {date-N} or {next mon}..{next sun} "
        "(optionally +N/-N days), with an optional strftime format after a colon, "
        "e.g. {next thu:%d/%m}; {{ and }} are literal braces")


class PlaceholderError(ValueError):
    """A placeholder that cannot be read; the message says which and how to write it."""


def day_of(expression: str, today: date) -> date:
    """The date an EXPR (without braces or format) names, counted from `today`."""
    match = _EXPR.match(expression.lower())
    if match is None:
        raise PlaceholderError(f"unknown placeholder {{{expression}}}: {HELP}")
    if match.group("weekday"):
        wanted = WEEKDAYS.get(match.group("weekday"))
        if wanted is None:
            raise PlaceholderError(f"unknown weekday in {{{expression}}}: use mon, tue, wed, "
                                   "thu, fri, sat, sun (or lunes ... domingo)")
        day = today + timedelta(days=(wanted - today.weekday() - 1) % 7 + 1)
    else:
        day = today + timedelta(days=1 if match.group("base") == "tomorrow" else 0)
    if match.group("days"):
        offset = int(match.group("days"))
        day += timedelta(days=offset if match.group("sign") == "+" else -offset)
    elif match.group("base") == "date":
        raise PlaceholderError(f"{{{expression}}} needs a number of days: {{date+3}}, "
                               "{date-1}")
    return day


def format_day(day: date, fmt: str, language: str) -> str:
    """`day` through strftime `fmt`, with weekday and month names in `language`."""
    names = _NAMES["en" if language == "en" else "es"]
    out = []
    i = 0
    while i < len(fmt):  # our own names first, so the machine's locale never shows
        if fmt[i] == "%" and i + 1 < len(fmt):
            code = fmt[i + 1]
            if code in ("A", "a"):
                out.append(names[code][day.weekday()])
            elif code in ("B", "b"):
                out.append(names[code][day.month - 1])
            elif code == "%":
                out.append("%")
            elif code == "-" and i + 2 < len(fmt):  # "%-d": no leading zero ("6/12")
                out.append(str(int(day.strftime("%" + fmt[i + 2]))))
                i += 3
                continue
            else:
                out.append(day.strftime(fmt[i:i + 2]))
            i += 2
        else:
            out.append(fmt[i])
            i += 1
    return "".join(out)


def resolve(text: str, *, today: date, language: str = "es") -> str:
    """`text` with every placeholder replaced (see the module docstring)."""

    def one(match: re.Match[str]) -> str:
        whole = match.group(0)
        if whole in ("{{", "}}"):
            return whole[0]
        inner = match.group(1)
        expression, _, fmt = inner.partition(":")
        return format_day(day_of(expression, today), fmt or "%Y-%m-%d", language)

    resolved = _PLACEHOLDER.sub(one, text)
    stray = re.search(r"[{}]", _PLACEHOLDER.sub("", text))
    if stray:
        raise PlaceholderError(f"unbalanced brace in {text!r}: {HELP}")
    return resolved
