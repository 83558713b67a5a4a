"""One user message in, one decision out: the intent table in Spanish and English."""

from __future__ import annotations

from typing import Any

import pytest

from agent.offline import OfflineChatModel
from agent.offline.intents import detect
from crm.models import ALL_TOOLS
from tests.agent.offline.offline_support import Chat, call_of, make_profile, upcoming

KNOWN = make_profile(
    contact_name="Ana Pérez", contact_phone="+5491155551234", upcoming=(upcoming(),)
)
ALL_SLOTS = {"service": "Limpieza dental", "until_day": None}


@pytest.mark.parametrize(
    ("text", "intent", "tool", "args"),
    [
        # booking: everything given at once goes straight to the tool
        ("quiero un turno de limpieza mañana a las 10", "book", "book_appointment",
         {"service": "Limpieza dental", "day": "2026-11-24", "time": "10:00"}),
        ("turno para limpieza el lunes 15:30", "book", "book_appointment",
         {"service": "Limpieza dental", "day": "2026-11-30", "time": "15:30"}),
        ("reservame una limpieza 15/12 9hs", "book", "book_appointment",
         {"service": "Limpieza dental", "day": "2026-12-15", "time": "09:00"}),
        ("I'd like to book a cleaning next Tuesday at 3pm", "book", "book_appointment",
         {"service": "Limpieza dental", "day": "2026-11-24", "time": "15:00"}),
        # a day without a time: look at what is free that day
        ("quiero un turno de limpieza el miércoles", "book", "check_availability",
         {**ALL_SLOTS, "day": "2026-11-25"}),
        ("tienen lugar para limpieza?", "availability", "check_availability",
         {"service": "Limpieza dental", "day": "2026-11-23", "until_day": "2026-11-29"}),
        # information
        ("qué servicios tienen?", "services", "list_services", {}),
        ("cuánto sale la limpieza?", "services", "list_services", {}),
        ("how much is a cleaning?", "services", "list_services", {}),
        ("a qué hora abren?", "hours", "business_info", {"topic": "horarios"}),
        ("what are your opening hours?", "hours", "business_info", {"topic": "horarios"}),
        ("dónde están?", "address", "business_info", {"topic": "direccion"}),
        ("where are you located?", "address", "business_info", {"topic": "direccion"}),
        ("aceptan tarjeta o mercado pago?", "payments", "business_info", {"topic": "pagos"}),
        # managing an appointment
        ("quiero cancelar mi turno", "cancel", "cancel_appointment", {"which": None}),
        ("please cancel my appointment", "cancel", "cancel_appointment",
         {"which": None}),
        ("quiero pasar el turno al jueves a las 11", "reschedule", "reschedule_appointment",
         {"day": "2026-11-26", "time": "11:00", "which": None}),
        ("can I reschedule to Friday at 10am?", "reschedule", "reschedule_appointment",
         {"day": "2026-11-27", "time": "10:00", "which": None}),
        # a person
        ("quiero hablar con una persona", "human", "request_human",
         {"reason": "El cliente pidió hablar con una persona."}),
        ("can I talk to a human?", "human", "request_human",
         {"reason": "El cliente pidió hablar con una persona."}),
        # misses seen with real conversations (issue 15): each is now understood
        ("pasalo al viernes a las 10", "reschedule", "reschedule_appointment",
         {"day": "2026-11-27", "time": "10:00", "which": None}),
        ("can I move it to Wednesday at 10am", "reschedule", "reschedule_appointment",
         {"day": "2026-11-25", "time": "10:00", "which": None}),
        ("pasame con alguien de la clínica", "human", "request_human",
         {"reason": "El cliente pidió hablar con una persona."}),
        ("¿qué horario tienen los sábados?", "hours", "business_info", {"topic": "horarios"}),
        ("¿qué horarios tienen los sábados?", "hours", "business_info", {"topic": "horarios"}),
        # two questions: the first is looked up now, the second after its result
        ("dirección y horario del sábado", "address", "business_info", {"topic": "horarios"}),
        ("price and hours", "hours", "list_services", {}),
        # misses the salon and shop suites found (evals/suites)
        ("¿lo puedo pasar al sábado a las 12?", "reschedule", "reschedule_appointment",
         {"day": "2026-11-28", "time": "12:00", "which": None}),
        ("quiero hablar con un vendedor", "human", "request_human",
         {"reason": "El cliente pidió hablar con una persona."}),
        ("¿qué productos tienen?", "services", "list_services", {}),
    ],
)
def test_first_message_calls_the_right_tool_with_the_right_args(
    text: str, intent: str, tool: str, args: dict[str, Any]
) -> None:
    assert intent in detect(text)
    reply = Chat(OfflineChatModel(agent_profile=KNOWN)).user(text)
    assert call_of(reply) == (tool, args)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("hola", "¡Hola! ¿En qué te puedo ayudar?"),
        ("buenas tardes", "¡Hola! ¿En qué te puedo ayudar?"),
        ("hi there", "Hi! How can I help?"),
        ("gracias!", "¡De nada!"),
        ("thanks a lot", "You're welcome!"),
        ("chau", "¡Gracias por escribir!"),
        ("asdfgh", "Perdón, no te entendí"),
        ("the weather", "Sorry, I didn't quite get that."),
        ("quiero un turno", "¿Qué servicio querés? Tenemos: Consulta general, Limpieza dental, "
         "Blanqueamiento y Control de ortodoncia."),
        ("I want an appointment", "Which service would you like?"),
    ],
)
def test_small_talk_and_unknown_messages_get_a_short_text_reply(text: str, expected: str) -> None:
    reply = Chat(OfflineChatModel(agent_profile=make_profile())).user(text)
    assert not reply.tool_calls
    assert reply.text.startswith(expected)


def test_known_contact_is_greeted_by_first_name() -> None:
    reply = Chat(OfflineChatModel(agent_profile=KNOWN)).user("hola!")
    assert reply.text.startswith("¡Hola, Ana! ¿En qué te puedo ayudar?")


@pytest.mark.parametrize("text", ["cuándo es mi turno?", "qué turnos tengo?",
                                  "¿Qué turnos tengo?", "¿qué citas tengo?",
                                  "what are my appointments?"])
def test_my_appointments_are_listed_from_the_profile(text: str) -> None:
    reply = Chat(OfflineChatModel(agent_profile=KNOWN)).user(text)
    assert "my_appointments" in detect(text)
    assert str(reply.content).endswith("Limpieza dental on Wednesday, Nov 25 at 11:00." if
                                       "appointments" in text else
                                       "Limpieza dental el miércoles 25/11 a las 11:00.")


def test_reschedule_without_appointments_asks_what_they_booked_with() -> None:
    reply = Chat(OfflineChatModel(agent_profile=make_profile())).user("quiero cambiar mi turno")
    assert str(reply.content).startswith("No encuentro turnos tuyos en esta conversación. Si "
                                         "reservaste con otro número o canal, decime el teléfono")


def test_reschedule_without_appointments_nor_codes_says_so_instead_of_asking_a_day() -> None:
    tools = [t for t in ALL_TOOLS if t not in ("send_verification_code", "verify_code")]
    model = OfflineChatModel(agent_profile=make_profile(), tool_names=tuple(tools))
    reply = Chat(model).user("quiero cambiar mi turno")
    assert reply.content == "No encuentro turnos próximos a tu nombre. ¿Querés reservar un turno?"


def test_unknown_question_is_looked_up_in_the_faq() -> None:
    reply = Chat(OfflineChatModel(agent_profile=make_profile())).user("¿atienden por obra social?")
    assert call_of(reply) == ("business_info", {"topic": "¿atienden por obra social?"})
