"""Which replies claim an action, and which tool results back them."""

from __future__ import annotations

import json
from zoneinfo import ZoneInfo

import pytest
from langchain_core.messages import ToolMessage

from agent.verified import Facts, facts_from, unverified_claims

TZ = ZoneInfo("America/Argentina/Buenos_Aires")


def _result(tool: str, **data: object) -> ToolMessage:
    return ToolMessage(content=json.dumps(data), tool_call_id=f"c-{tool}", name=tool)


BOOKED = _result("book_appointment", ok=True, appointment={
    "service": "Limpieza dental", "start": "2026-11-24T10:00:00-03:00", "status": "confirmada"})
SLOTS = _result("check_availability", ok=True, service="Limpieza dental", days=[
    {"date": "2026-11-24", "weekday": "martes", "slots": ["09:00", "09:30", "11:00"]}])


@pytest.mark.parametrize(("reply", "claims"), [
    ("¡Listo! Te reservé la limpieza el martes a las 10.", ["booked"]),
    ("Perfecto, tu turno para limpieza dental el miércoles a las 10:00 está reservado.",
     ["booked"]),
    ("Turno confirmado para el martes 24 a las 10:00.", ["booked"]),
    ("Ya quedó agendado, te esperamos.", ["booked"]),
    ("Quedaste anotada para el martes.", ["booked"]),
    ("You're booked for Tuesday at 10.", ["booked"]),
    ("Your appointment has been confirmed.", ["booked"]),
    ("Listo, pasé tu turno al viernes a las 11.", ["moved"]),
    ("Tu turno quedó para el viernes.", ["moved"]),
    ("I've rescheduled your appointment to Friday.", ["moved"]),
    ("Listo, cancelé tu turno.", ["cancelled"]),
    ("Tu turno fue cancelado.", ["cancelled"]),
    ("Your appointment is now cancelled.", ["cancelled"]),
    ("Gracias, ya anoté tus datos.", ["saved"]),
    ("Ya le avisé a una persona del equipo.", ["handed_over"]),
    ("Alguien del equipo te va a responder en breve.", ["handed_over"]),
    ("Sí, el servicio está disponible el sábado a las 11:00.", ["availability"]),
    ("Tenemos lugar el martes a las 9.", ["availability"]),
    ("We have availability on Tuesday at 9.", ["availability"]),
])
def test_claims_without_a_tool_result_are_caught(reply: str, claims: list[str]) -> None:
    assert unverified_claims(reply, Facts()) == claims


@pytest.mark.parametrize("reply", [
    "¿Querés que te reserve el martes a las 10?",
    "¿Te reservo la limpieza el martes a las 10?",
    "Para reservar necesito tu nombre y teléfono.",
    "Tu turno no está reservado todavía: me falta tu teléfono.",
    "No tengo lugar el sábado; ¿te sirve otro día?",
    "El sábado no está disponible.",
    "¿Querés que cancele tu turno?",
    "Puedo pasarte con una persona del equipo si preferís.",
    "Hola, ¿en qué te ayudo?",
    "Shall I book you for Tuesday at 10?",
])
def test_offers_questions_and_negations_are_not_claims(reply: str) -> None:
    assert unverified_claims(reply, Facts()) == []


def test_a_booking_result_backs_the_booking_at_its_time_only() -> None:
    facts = facts_from([BOOKED], TZ)
    assert unverified_claims("Listo, te reservé el martes a las 10:00.", facts) == []
    assert unverified_claims("Listo, te reservé el martes a las 11:00.", facts) == ["booked"]


def test_availability_is_backed_by_the_slots_a_check_returned() -> None:
    facts = facts_from([SLOTS], TZ)
    assert unverified_claims("Hay lugar el martes a las 9:00 o a las 11:00.", facts) == []
    assert unverified_claims("Está disponible el martes a las 15:00.", facts) == \
        ["availability"]


def test_a_failed_tool_backs_nothing_but_its_alternatives_count_as_availability() -> None:
    taken = _result("book_appointment", ok=False, code="slot_taken", error="ocupado",
                    alternatives=["10:30", "11:00"])
    facts = facts_from([taken], TZ)
    assert unverified_claims("Te reservé a las 10.", facts) == ["booked"]
    assert unverified_claims("Tengo lugar a las 10:30 o a las 11:00.", facts) == []
