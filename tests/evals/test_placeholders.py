"""evals.placeholders: relative dates in scenario files."""

from __future__ import annotations

from datetime import date

import pytest

from evals.placeholders import PlaceholderError, resolve

MONDAY = date(2026, 11, 23)


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("{today}", "es", "2026-11-23"),
        ("{tomorrow}", "es", "2026-11-24"),
        ("{date+3}", "es", "2026-11-26"),
        ("{date-1}", "es", "2026-11-22"),
        ("{next thu} 10:00", "es", "2026-11-26 10:00"),
        ("{next mon}", "es", "2026-11-30"),  # never today: the Monday after
        ("{next jueves}", "es", "2026-11-26"),
        ("{next sábado}", "es", "2026-11-28"),
        ("{next thu+7}", "es", "2026-12-03"),
        ("el {next thu:%d/%m}", "es", "el 26/11"),
        ("el {date+13:%-d/%-m}", "es", "el 6/12"),
        ("el {next thu:%A %-d de %B}", "es", "el jueves 26 de noviembre"),
        ("on {next thu:%A, %b %-d}", "en", "on Thursday, Nov 26"),
        ("{{literal}} and {date+1}", "es", "{literal} and 2026-11-24"),
        ("no placeholders", "es", "no placeholders"),
        ("100%", "es", "100%"),
    ],
)
def test_placeholders_resolve_against_today(text: str, language: str, expected: str) -> None:
    assert resolve(text, today=MONDAY, language=language) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{nex thu}", "unknown placeholder {nex thu}"),
        ("{next xyz}", "unknown weekday"),
        ("{date}", "needs a number of days"),
        ("turno {mañana}", "unknown placeholder"),
        ("{date+1", "unbalanced brace"),
        ("date+1}", "unbalanced brace"),
    ],
)
def test_bad_placeholders_say_how_to_write_them(text: str, message: str) -> None:
    with pytest.raises(PlaceholderError) as caught:
        resolve(text, today=MONDAY)
    assert message in str(caught.value)
