"""Reading tool results: confirmations built from the data, and every error path."""

from __future__ import annotations

from typing import Any

import pytest
from langchain_core.messages import AIMessage, HumanMessage, ToolMessage

from agent.offline import OfflineChatModel
from tests.agent.offline.offline_support import Chat, appointment, call_of, make_profile, upcoming

KNOWN = make_profile(
    contact_name="Ana Pérez", contact_phone="+5491155551234", upcoming=(upcoming(),)
)


def booking_chat() -> Chat:
    """A known contact whose booking request has just gone to book_appointment."""
    chat = Chat(OfflineChatModel(agent_profile=KNOWN))
    assert call_of(chat.user("quiero una limpieza mañana a las 10"))[0] == "book_appointment"
    return chat


def error(code: str, message: str = "No se pudo.", **extra: Any) -> dict[str, Any]:
    return {"ok": False, "error": message, "code": code, **extra}


def test_booking_confirmation_shows_service_day_and_time_in_tenant_timezone() -> None:
    chat = booking_chat()
    done = chat.tool(appointment("confirmada", start="2026-11-24T13:00:00+00:00"))
    assert done.content == (
        "¡Listo, Ana! Te reservé Limpieza dental el martes 24/11 a las 10:00. ¡Te esperamos!"
    )


def test_slot_taken_with_alternatives_offers_them_and_a_bare_answer_books_one() -> None:
    chat = booking_chat()
    offer = chat.tool(error("slot_taken", alternatives=["10:30", "11:00"]))
    assert offer.content == (
        "Ese horario no está disponible. Tengo: 10:30 y 11:00. ¿A qué hora te queda bien?"
    )
    assert call_of(chat.user("10:30")) == (
        "book_appointment", {"service": "Limpieza dental", "day": "2026-11-24", "time": "10:30"}
    )


def test_slot_taken_without_alternatives_checks_availability_once() -> None:
    chat = booking_chat()
    check = chat.tool(error("slot_taken"))
    assert call_of(check) == (
        "check_availability", {"service": "Limpieza dental", "day": "2026-11-24", "until_day": None}
    )
    empty = chat.tool({"service": "Limpieza dental", "days": [
        {"date": "2026-11-24", "weekday": "martes", "slots": []},
    ]})
    assert empty.content == (
        "El martes 24/11 no me quedan turnos libres para Limpieza dental. "
        "¿Qué otro día te queda bien?"
    )
    # the day was dropped, so a new day is read and checked
    assert call_of(chat.user("el jueves"))[1]["day"] == "2026-11-26"


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("closed_day", "Ese día no atendemos. ¿Qué otro día te queda bien?"),
        ("past_date", "Esa fecha ya pasó. ¿Para qué día querés el turno?"),
        ("unknown_service", "No encontré ese servicio. ¿Qué servicio querés?"),
        ("not_found", "No encontré ese turno."),
        ("outside_hours", "Ese horario no está disponible. Tengo: 09:00."),
    ],
)
def test_tool_errors_become_a_helpful_question(code: str, expected: str) -> None:
    chat = booking_chat()
    alternatives = ["09:00"] if code == "outside_hours" else []
    reply = chat.tool(error(code, alternatives=alternatives))
    assert not reply.tool_calls
    assert reply.text.startswith(expected)


def test_an_unexpected_error_relays_the_tools_spanish_message() -> None:
    chat = booking_chat()
    reply = chat.tool(error("whatever", "No se pudo guardar el turno"))
    assert reply.content == (
        "No se pudo guardar el turno. ¿Querés que lo intentemos de otra forma?"
    )


def test_invalid_phone_from_save_contact_asks_for_the_phone_again(chat: Chat) -> None:
    chat.user("soy Ana, quiero una limpieza mañana a las 10")
    assert call_of(chat.user("1155667788"))[0] == "save_contact_details"
    assert chat.tool(error("invalid_phone")).text.startswith("No pude leer ese número.")


def test_closed_day_followed_by_a_new_day_asks_nothing_already_known() -> None:
    chat = booking_chat()
    chat.tool(error("closed_day"))
    # the time asked for still stands; only the day is new
    assert call_of(chat.user("el jueves")) == (
        "book_appointment", {"service": "Limpieza dental", "day": "2026-11-26", "time": "10:00"}
    )


def test_availability_over_a_week_lists_the_first_days_with_free_slots() -> None:
    chat = Chat(OfflineChatModel(agent_profile=KNOWN))
    chat.user("tienen lugar para limpieza?")
    reply = chat.tool({"service": "Limpieza dental", "days": [
        {"date": "2026-11-23", "weekday": "lunes", "slots": []},
        {"date": "2026-11-24", "weekday": "martes", "slots": ["09:00", "09:30", "10:00"]},
        {"date": "2026-11-25", "weekday": "miércoles", "slots": ["15:00"]},
    ]})
    assert reply.content == (
        "Estos son los próximos turnos libres para Limpieza dental: martes 24/11 (09:00, 09:30 "
        "y 10:00); miércoles 25/11 (15:00). ¿Qué día y horario preferís?"
    )
    assert call_of(chat.user("el martes a las 9:30")) == (
        "book_appointment", {"service": "Limpieza dental", "day": "2026-11-24", "time": "09:30"}
    )


def test_reschedule_and_cancel_confirmations_read_the_result() -> None:
    chat = Chat(OfflineChatModel(agent_profile=KNOWN))
    chat.user("quiero pasar el turno al jueves a las 11")
    moved = chat.tool(appointment("reprogramada", start="2026-11-26T11:00:00-03:00"))
    assert moved.content == (
        "¡Listo! Tu turno de Limpieza dental quedó para el jueves 26/11 a las 11:00."
    )
    cancel = chat.user("mejor cancelalo")
    assert call_of(cancel) == ("cancel_appointment", {"which": None})
    gone = chat.tool(appointment("cancelada", start="2026-11-26T11:00:00-03:00"))
    assert gone.text.startswith(
        "Listo, cancelé tu turno de Limpieza dental del jueves 26/11 a las 11:00."
    )


def test_reschedule_without_a_time_checks_the_appointments_service() -> None:
    chat = Chat(OfflineChatModel(agent_profile=KNOWN))
    assert chat.user("necesito cambiar el turno").content == "¿Para qué día querés pasar tu turno?"
    assert call_of(chat.user("el viernes")) == (
        "check_availability", {"service": "Limpieza dental", "day": "2026-11-27", "until_day": None}
    )


def test_human_handoff_relays_the_tools_message(chat: Chat) -> None:
    chat.user("quiero hablar con un humano")
    reply = chat.tool({"ok": True, "message": "Ya le avisé al equipo; te escriben en breve."})
    assert reply.content == "Ya le avisé al equipo; te escriben en breve."


def test_business_info_answer_is_passed_on_verbatim(chat: Chat) -> None:
    chat.user("a qué hora abren?")
    reply = chat.tool({"topic": "horarios", "answer": "Lunes a viernes de 9 a 18."})
    assert reply.content == "Lunes a viernes de 9 a 18."


def test_a_tool_that_raised_plain_text_gets_a_polite_reply() -> None:
    model = OfflineChatModel(agent_profile=KNOWN)
    call = {"name": "list_services", "args": {}, "id": "call_1"}
    messages = [
        HumanMessage("precios"),
        AIMessage(content="", tool_calls=[call]),
        ToolMessage("Error: boom", tool_call_id="call_1", name="list_services"),
    ]
    reply = model.invoke(messages)
    assert not reply.tool_calls
    assert reply.content == "Error: boom. ¿Querés que lo intentemos de otra forma?"


HOURS = {"ok": True, "topic": "horarios", "answer": (
    "lunes: 09:00 a 18:00; martes: 09:00 a 18:00; miércoles: 09:00 a 18:00; jueves: 09:00 "
    "a 18:00; viernes: 09:00 a 18:00; sábado: 09:00 a 13:00; domingo: cerrado")}
ADDRESS = {"ok": True, "topic": "direccion", "answer": "Av. Corrientes 1234, CABA"}
SERVICES = {"ok": True, "services": [{"name": "Limpieza dental", "duration_minutes": 45,
                                      "price": "$ 25.000"}]}


@pytest.mark.parametrize(
    ("text", "results", "expected"),
    [
        # two questions in one message: both looked up, both answered
        ("dirección y horario del sábado", [HOURS, ADDRESS],
         "sábado: 09:00 a 13:00\nAv. Corrientes 1234, CABA"),
        ("price and hours", [SERVICES, HOURS],
         "Here are our services:\n• Limpieza dental (45 min): $ 25.000\nMonday: 09:00 to "
         "18:00; Tuesday: 09:00 to 18:00; Wednesday: 09:00 to 18:00; Thursday: 09:00 to 18:00; "
         "Friday: 09:00 to 18:00; Saturday: 09:00 to 13:00; Sunday: closed\n"
         "Would you like to book an appointment?"),
        # English hours in English ("Hello," is English), a named day answered alone
        ("Hello, what are your opening hours?", [HOURS],
         "Hi! Monday: 09:00 to 18:00; Tuesday: 09:00 to 18:00; Wednesday: 09:00 to 18:00; "
         "Thursday: 09:00 to 18:00; Friday: 09:00 to 18:00; Saturday: 09:00 to 13:00; "
         "Sunday: closed"),
        ("¿qué horario tienen los sábados?", [HOURS], "sábado: 09:00 a 13:00"),
        ("what time do you open on Saturday?", [HOURS], "Saturday: 09:00 to 13:00"),
    ],
)
def test_questions_are_answered_from_every_result_in_the_customers_language(
    text: str, results: list[dict[str, Any]], expected: str
) -> None:
    chat = Chat(OfflineChatModel(agent_profile=make_profile()))
    reply = chat.user(text)
    for result in results:
        assert reply.tool_calls, reply.content
        reply = chat.tool(result)
    assert reply.content == expected


@pytest.mark.parametrize("text", ["Sí, confirmo", "si", "confirmo", "yes, confirmed"])
def test_confirming_after_a_booking_says_it_is_booked(text: str) -> None:
    chat = booking_chat()
    chat.tool(appointment("confirmada", start="2026-11-24T13:00:00+00:00"))
    reply = chat.user(text)
    assert not reply.tool_calls
    assert "confirm" in str(reply.content)
    assert "24/11" in str(reply.content) or "Nov 24" in str(reply.content)


@pytest.mark.parametrize(
    ("asked", "text"),
    [
        # answering "¿a nombre de quién?" with the phone in the same message
        ("quiero una limpieza mañana a las 10", "Nora Campos 11 7777 8888"),
        ("quiero una limpieza mañana a las 10", "Nora Campos, 11 7777 8888"),
        # unprompted, next to a phone: capitalized words that are all a name can be
        ("hola", "Nora Campos 11 7777 8888"),
        ("hola", "Nombre: Nora Campos"),
    ],
)
def test_a_name_without_soy_or_me_llamo_is_saved(asked: str, text: str) -> None:
    chat = Chat(OfflineChatModel(agent_profile=make_profile()))
    chat.user(asked)
    name, args = call_of(chat.user(text))
    assert name == "save_contact_details" and args["name"] == "Nora Campos"


@pytest.mark.parametrize("text", ["hola 11 7777 8888", "mi cel 11 7777 8888",
                                  "quiero turno 1177778888", "Ana 1177778888"])
def test_words_next_to_a_phone_that_are_not_a_full_name_are_not_a_name(text: str) -> None:
    chat = Chat(OfflineChatModel(agent_profile=make_profile()))
    name, args = call_of(chat.user(text))
    assert name == "save_contact_details" and args["name"] is None
