"""Weekday names: said the same way everywhere, read in Spanish and English."""

from __future__ import annotations

from datetime import date

import pytest

from crm.weekdays import day_label, weekdays_named


@pytest.mark.parametrize(("text", "named"), [
    ("¿qué horario tienen los sábados?", {5}),
    ("el MIERCOLES o el jueves", {2, 3}),
    ("can I move it to Wednesday at 10am", {2}),
    ("los domingos abren?", {6}),
    ("mañana a las 10", set()),
    ("lunesito", set()),
])
def test_weekdays_a_message_names(text: str, named: set[int]) -> None:
    assert weekdays_named(text) == named


def test_a_day_is_labelled_with_its_weekday() -> None:
    assert day_label(date(2026, 12, 10)) == "jueves 10/12"
    assert day_label(date(2026, 12, 10), "en") == "Thursday 10/12"
