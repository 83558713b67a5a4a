"""Extraction of day, time, service, name, phone and e-mail from one message."""

from __future__ import annotations

from datetime import date

import pytest

from agent.offline.slots import SlotContext, extract

SERVICES = ("Consulta general", "Limpieza dental", "Blanqueamiento", "Control de ortodoncia")
MONDAY = date(2026, 11, 23)


def ctx(asked: str | None = None) -> SlotContext:
    return SlotContext(SERVICES, "AR", MONDAY, asked=asked, default_area="11")


@pytest.mark.parametrize(
    ("text", "day", "time"),
    [
        # relative days
        ("mañana a las 10", "2026-11-24", "10:00"),
        ("pasado mañana a las 4", "2026-11-25", "16:00"),
        ("hoy 18.30", "2026-11-23", "18:30"),
        ("tomorrow at 9am", "2026-11-24", "09:00"),
        # weekdays: the next one; said on a Monday, "el lunes" is next week's
        ("el lunes 15:30", "2026-11-30", "15:30"),
        ("el jueves a las 11 y media", "2026-11-26", "11:30"),
        ("el lunes que viene", "2026-11-30", None),
        ("next Tuesday at 3pm", "2026-11-24", "15:00"),
        ("sábado al mediodía", "2026-11-28", "12:00"),
        # absolute dates, day first
        ("15/12 9hs", "2026-12-15", "09:00"),
        ("15/12 9 hs", "2026-12-15", "09:00"),
        ("3/1 a las 10", "2027-01-03", "10:00"),
        ("15 de diciembre a las 9 hs", "2026-12-15", "09:00"),
        ("December 15 at 2 pm", "2026-12-15", "14:00"),
        ("el 15 a las 9", "2026-12-15", "09:00"),
        # times alone; an hour from 1 to 7 without am/pm is the afternoon
        ("a las 10", None, "10:00"),
        ("a las 4", None, "16:00"),
        ("a las 8 de la mañana", None, "08:00"),
        ("a las 7 de la tarde", None, "19:00"),
        ("at 10:30pm", None, "22:30"),
        # the morning is not tomorrow
        ("a la mañana", None, None),
        # decoys: prices, quantities and ages are no dates or times
        ("cuánto sale? $25.000", None, None),
        ("son 25.000 pesos", None, None),
        ("quiero 2 turnos", None, None),
        ("tengo 12 años", None, None),
        ("mi cel es 11 5555-1234", None, None),
    ],
)
def test_day_and_time_are_read_from_chat_forms(
    text: str, day: str | None, time: str | None
) -> None:
    found = extract(text, ctx())
    assert (found.day, found.time) == (day, time)


@pytest.mark.parametrize(
    ("text", "asked", "time"),
    [("10", "time", "10:00"), ("las 4", "time", "16:00"), ("11 y media", "time", "11:30"),
     ("10", None, None), ("10", "name", None)],
)
def test_a_bare_number_is_a_time_only_as_an_answer_to_the_time_question(
    text: str, asked: str | None, time: str | None
) -> None:
    assert extract(text, ctx(asked)).time == time


@pytest.mark.parametrize(
    ("text", "asked", "service"),
    [
        ("quiero una limpieza", None, "Limpieza dental"),
        ("LIMPIEZAS", None, "Limpieza dental"),
        ("cuánto sale el blanqueamiento", None, "Blanqueamiento"),
        ("turno para ortodoncia", None, "Control de ortodoncia"),
        ("consulta", "service", "Consulta general"),
        ("a cleaning please", None, "Limpieza dental"),
        ("Control de ortodoncia", None, "Control de ortodoncia"),
        # a distinctive word beats a weak one
        ("tengo una consulta, cuánto sale el blanqueamiento?", None, "Blanqueamiento"),
        # decoys
        ("tengo una consulta", None, None),
        ("un turno dental", None, None),
    ],
)
def test_service_is_matched_by_distinctive_words_without_accents_or_case(
    text: str, asked: str | None, service: str | None
) -> None:
    assert extract(text, ctx(asked)).service == service


@pytest.mark.parametrize(
    ("text", "asked", "name"),
    [
        ("Hola, quiero un turno mañana a las 10, soy Ana", None, "Ana"),
        ("me llamo juan carlos y mi cel es 11 5555-1234", None, "Juan Carlos"),
        ("mi nombre es maría de los ángeles", None, "María de los Ángeles"),
        ("a nombre de Pedro Gómez", None, "Pedro Gómez"),
        ("Hi, I'm John Smith", None, "John Smith"),
        ("my name is ana lopez", None, "Ana Lopez"),
        ("ana pérez", "name", "Ana Pérez"),
        ("Ana, 1155667788", "name", "Ana"),
        # decoys: not names
        ("soy nuevo", None, None),
        ("I'm free tomorrow", None, None),
        ("ana pérez", None, None),
        ("mañana a las 10", "name", None),
        ("limpieza", "name", None),
    ],
)
def test_names_come_from_cue_words_or_a_bare_answer(
    text: str, asked: str | None, name: str | None
) -> None:
    assert extract(text, ctx(asked)).name == name


@pytest.mark.parametrize(
    ("text", "phone"),
    [
        ("11 5555-1234", "+541155551234"),
        ("+54 9 11 5555 1234", "+5491155551234"),
        ("15-5555-1234", "+5491155551234"),
        ("1155667788", "+541155667788"),
        ("mi cel es 011 4555-1234", "+541145551234"),
        ("15/12 9hs", None),
    ],
)
def test_phones_are_normalized_to_e164_in_the_tenant_region(text: str, phone: str | None) -> None:
    assert extract(text, ctx()).phone == phone


def test_unreadable_digits_answering_the_phone_question_are_flagged() -> None:
    found = extract("12345678", ctx("phone"))
    assert found.phone is None
    assert found.bad_phone


def test_email_is_found_and_lower_cased() -> None:
    assert extract("mi mail es Ana.Perez@Example.com", ctx()).email == "ana.perez@example.com"
