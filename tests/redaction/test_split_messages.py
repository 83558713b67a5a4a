"""A value split across two messages of one conversation is found in both parts: the
session reads the tail of the previous message, ``analyze_in_context`` both neighbours."""

from __future__ import annotations

import pytest

from redaction import RedactionSession, Redactor

SPLITS = [
    # (first message, second message, part in the first, part in the second)
    ("mi cel es 11 5832", "1190 perdón se cortó", "11 5832", "1190"),
    ("dni 4582", "1177", "4582", "1177"),
    ("mi rut es 24201", "6742 se me cortó", "24201", "6742"),
    ("te paso la clabe 002010579", "173608719 es de banorte", "002010579", "173608719"),
    ("eh mi correo es lore punto vaca", "arroba gmail punto com perdón que mandé el audio",
     "lore punto vaca", "arroba gmail punto com"),
    ("la tarjeta es 4509 3982", "5979 1909 vence 09/27", "4509 3982", "5979 1909"),
    # an e-mail cut mid-word
    ("mi mail es vane.r", "odriguez@gmail.com se mandó antes", "vane.r", "odriguez@gmail.com"),
    ("mi correo es rosaquispe", "71@hotmail.com", "rosaquispe", "71@hotmail.com"),
]


@pytest.mark.parametrize(("first", "second", "part1", "part2"), SPLITS)
def test_the_second_part_is_redacted_with_the_session(
    redactor: Redactor, first: str, second: str, part1: str, part2: str
) -> None:
    session = RedactionSession()
    redactor.redact(first, session=session)
    assert part2 not in redactor.redact(second, session=session)


@pytest.mark.parametrize(("first", "second", "part1", "part2"), SPLITS)
def test_both_parts_are_found_when_the_conversation_is_known(
    redactor: Redactor, first: str, second: str, part1: str, part2: str
) -> None:
    in_first = redactor.analyze_in_context(first, after=second)
    in_second = redactor.analyze_in_context(second, before=first)
    assert part1 in [first[r.start : r.end] for r in in_first]
    assert part2 in [second[r.start : r.end] for r in in_second]


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("reservo para el sábado a las 10", "30 personas más o menos, ¿hay lugar?"),
        ("¿cuánto sale el kilo?", "2 kilos quiero"),
        ("Hola, quería saber si tienen turno el martes para un corte de pelo y color",
         "Gracias, quedo atenta a la respuesta y les confirmo por acá"),
    ],
)
def test_unrelated_neighbours_add_nothing(redactor: Redactor, first: str, second: str) -> None:
    assert redactor.analyze_in_context(second, before=first) == []
    assert redactor.analyze_in_context(first, after=second) == []


def test_a_fresh_session_reads_no_previous_message(redactor: Redactor) -> None:
    assert "1190" in redactor.redact("1190 perdón se cortó", session=RedactionSession())


def test_a_whole_e_mail_after_its_announcement_leaves_the_announcement_alone(
    redactor: Redactor,
) -> None:
    assert redactor.analyze_in_context("te paso mi mail", after="juan@gmail.com") == []
    found = redactor.analyze_in_context("juan@gmail.com", before="te paso mi mail")
    assert [(r.start, r.end) for r in found] == [(0, 14)]
