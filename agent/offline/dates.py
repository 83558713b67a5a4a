"""Days and times in chat text, resolved against the tenant's local "now".

Contract: `find_day(folded, today)` returns an ISO date ("YYYY-MM-DD") or None and
`find_time(folded)` returns "HH:MM" or None. Both take text already passed through
`text.fold` (lower case, no accents) from which phones, e-mails and prices were removed.

Dates are resolved by `dateparser`; this module only *locates* the date expression (chat
text trips `search_dates` with false hits such as "a" or "de") and rewrites the few forms
dateparser does not know ("pasado mañana", "el lunes que viene").

Time rule: an hour without am/pm between 1 and 7 is read as afternoon ("a las 4" -> 16:00),
because businesses rarely open before 8; "de la mañana" / "am" keeps it in the morning.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from functools import lru_cache

import dateparser

_WEEKDAYS = {
    "lunes": "monday", "martes": "tuesday", "miercoles": "wednesday", "jueves": "thursday",
    "viernes": "friday", "sabado": "saturday", "domingo": "sunday",
    **{d: d for d in ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
                      "sunday")},
}
_MONTHS = (
    "enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|setiembre|octubre|"
    "noviembre|diciembre|january|february|march|april|june|july|august|september|october|"
    "november|december|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec"
)
_WD = "|".join(_WEEKDAYS)

# (pattern, kind) in priority order; the first that matches wins.
_DAY_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\b(?:pasado\s+manana|day\s+after\s+tomorrow)\b"), "after_tomorrow"),
    (re.compile(rf"\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:de\s+|of\s+)?(?:{_MONTHS})\b"
                r"(?:\s+(?:de\s+)?\d{4})?"), "text"),
    (re.compile(rf"\b(?:{_MONTHS})\s+\d{{1,2}}(?:st|nd|rd|th)?\b(?:,?\s+\d{{4}})?"), "text"),
    (re.compile(r"\b\d{1,2}[/-]\d{1,2}(?:[/-]\d{2,4})?\b"), "numeric"),
    (re.compile(r"(?<!la )(?<!por la )\b(?:manana|tomorrow)\b"), "tomorrow"),
    (re.compile(r"\b(?:hoy|today|tonight)\b"), "today"),
    (re.compile(rf"\b(?:(?:next|this|on|el|este|proximo)\s+)?({_WD})\b"), "weekday"),
    (re.compile(r"\bel\s+(\d{1,2})\b(?!\s*[:/.-]|\s*(?:hs|h)\b)"), "day_of_month"),
)

_MONEY = re.compile(r"\$\s*[\d.,]+|\b[\d.,]+\s*(?:pesos|ars|usd|dolares|dollars)\b")

_AP = r"(?P<ap>am|pm|a\.m\.|p\.m\.)"
_TIME_PATTERNS: tuple[re.Pattern[str], ...] = (
    re.compile(rf"\b(?P<h>\d{{1,2}})[:.](?P<m>\d{{2}})(?:\s*(?:hs|hrs|h|horas)\b)?\s*{_AP}?"),
    re.compile(rf"\b(?P<h>\d{{1,2}})\s*{_AP}"),
    re.compile(r"\b(?P<h>\d{1,2})\s*(?:hs|hrs|h|horas)\b"),
    re.compile(r"\b(?:a\s+las|a\s+la|las|para\s+las|tipo|at|around)\s+(?P<h>\d{1,2})\b"
               r"(?!\s*[/-]\d)"),
)
_HALF = re.compile(r"^\s*y\s+(media|cuarto)\b")
_MERIDIEM = re.compile(r"^\s*(?:de\s+la\s+|por\s+la\s+|a\s+la\s+|in\s+the\s+)?"
                       r"(manana|morning|tarde|noche|afternoon|evening)\b")
_NOON = re.compile(r"\b(?:mediodia|noon)\b")
_BARE_TIME = re.compile(r"^\s*(?:a\s+las\s+|las\s+)?(\d{1,2})(?:[:.](\d{2}))?\s*(?:hs|h)?"
                        r"(\s+y\s+media)?\s*[.!]?\s*$")


def strip_money(folded: str) -> str:
    """Blank out prices so "$25.000" is never read as a time or date."""
    return _MONEY.sub(lambda m: " " * len(m.group()), folded)


def find_day(folded: str, today: date) -> str | None:
    """The first day mentioned in `folded`, as ISO, or None."""
    for pattern, kind in _DAY_PATTERNS:
        match = pattern.search(folded)
        if match:
            resolved = _resolve(kind, match, today)
            if resolved is not None:
                return resolved.isoformat()
    return None


def day_span(folded: str) -> tuple[int, int] | None:
    """Where `find_day` found its day (so a caller can blank it before looking for a time)."""
    for pattern, _kind in _DAY_PATTERNS:
        match = pattern.search(folded)
        if match:
            return match.span()
    return None


def _resolve(kind: str, match: re.Match[str], today: date) -> date | None:
    if kind == "today":
        return today
    if kind == "tomorrow":
        return _parse("tomorrow", today)
    if kind == "after_tomorrow":
        return _parse("day after tomorrow", today)
    if kind == "weekday":
        day = _parse(_WEEKDAYS[match.group(1)], today)
        # "el lunes" said on a Monday means the next one; "hoy" is how people say today.
        return day + timedelta(days=7) if day == today else day
    if kind == "day_of_month":
        number = int(match.group(1))
        month = today if number >= today.day else today.replace(day=1) + timedelta(days=32)
        return _parse(f"{number}/{month.month}/{month.year}", today)
    return _parse(match.group(0), today)


@lru_cache(maxsize=512)
def _parse(expression: str, today: date) -> date | None:
    settings = {
        "RELATIVE_BASE": datetime(today.year, today.month, today.day),
        "PREFER_DATES_FROM": "future",
        "DATE_ORDER": "DMY",
    }
    parsed = dateparser.parse(expression, languages=["es", "en"], settings=settings)
    return parsed.date() if parsed else None


def warm_up() -> None:
    """Load dateparser's language data now (~100 ms once per process), not mid-conversation."""
    _parse("15/12", date(2000, 1, 3))
    _parse("lunes", date(2000, 1, 3))
    _parse("tomorrow", date(2000, 1, 3))


def find_time(folded: str) -> str | None:
    """The first clock time mentioned in `folded` as "HH:MM", or None."""
    if _NOON.search(folded):
        return "12:00"
    for pattern in _TIME_PATTERNS:
        for match in pattern.finditer(folded):
            groups = match.groupdict()
            hour = int(groups["h"])
            minute = int(groups["m"]) if groups.get("m") else 0
            rest = folded[match.end():]
            half = _HALF.match(rest)
            if half:
                minute = 30 if half.group(1) == "media" else 15
                rest = rest[half.end():]
            marker = (groups.get("ap") or "").replace(".", "")
            period = _MERIDIEM.match(rest)
            result = _clock(hour, minute, marker, period.group(1) if period else "")
            if result:
                return result
    return None


def bare_time(folded: str) -> str | None:
    """A whole message that is only a time ("10", "10:30", "las 11 y media"), as HH:MM."""
    match = _BARE_TIME.match(folded)
    if not match:
        return None
    minute = int(match.group(2)) if match.group(2) else (30 if match.group(3) else 0)
    return _clock(int(match.group(1)), minute, "", "")


def _clock(hour: int, minute: int, marker: str, period: str) -> str | None:
    if minute > 59 or hour > 23:
        return None
    pm = marker == "pm" or period in {"tarde", "noche", "afternoon", "evening"}
    am = marker == "am" or period in {"manana", "morning"}
    if pm and hour < 12:
        hour += 12
    elif am and hour == 12:
        hour = 0
    elif not am and 1 <= hour <= 7:
        hour += 12
    if hour == 0 and not am:
        return None
    return f"{hour:02d}:{minute:02d}"
