"""Multi-turn booking: one missing thing asked at a time, in the order
service -> day -> time -> name -> phone, then save_contact_details, then book_appointment."""

from __future__ import annotations

from agent.offline import OfflineChatModel
from tests.agent.offline.offline_support import Chat, appointment, call_of, make_profile

FRIDAY_SLOTS = {
    "service": "Blanqueamiento",
    "days": [{"date": "2026-11-27", "weekday": "viernes", "slots": ["09:00", "14:00"]}],
}


def test_whatsapp_booking_in_one_sentence_asks_only_the_service(whatsapp_chat: Chat) -> None:
    save = whatsapp_chat.user("Hola, quiero un turno mañana a las 10, soy Ana")
    # The phone is known from WhatsApp: only the new name is saved, right away.
    assert call_of(save) == (
        "save_contact_details", {"name": "Ana", "phone": None, "email": None, "notes": None}
    )
    first = whatsapp_chat.tool({"ok": True, "contact": {"name": "Ana", "phone": "+5491155551234"}})
    assert first.content == (
        "¡Hola, Ana! ¿Qué servicio querés? Tenemos: Consulta general, Limpieza dental, "
        "Blanqueamiento y Control de ortodoncia."
    )
    book = whatsapp_chat.user("limpieza")
    assert call_of(book) == (
        "book_appointment", {"service": "Limpieza dental", "day": "2026-11-24", "time": "10:00"}
    )
    done = whatsapp_chat.tool(appointment("confirmada"))
    assert done.content == (
        "¡Listo, Ana! Te reservé Limpieza dental el martes 24/11 a las 10:00. ¡Te esperamos!"
    )


def test_web_booking_asks_one_thing_at_a_time(chat: Chat) -> None:
    assert chat.user("buenas, quiero sacar un turno").text.startswith(
        "¡Hola! ¿Qué servicio querés?"
    )
    assert chat.user("blanqueamiento").content == "¿Para qué día querés el turno de Blanqueamiento?"
    check = chat.user("el viernes")
    assert call_of(check) == (
        "check_availability", {"service": "Blanqueamiento", "day": "2026-11-27", "until_day": None}
    )
    assert chat.tool(FRIDAY_SLOTS).content == (
        "El viernes 27/11 tengo libre: 09:00 y 14:00. ¿A qué hora te queda bien?"
    )
    assert chat.user("a las 2").content == "¿A nombre de quién hago la reserva?"
    save_name = chat.user("ana maría gonzález")
    assert call_of(save_name) == (
        "save_contact_details",
        {"name": "Ana María González", "phone": None, "email": None, "notes": None},
    )
    assert chat.tool({"ok": True, "contact": {}}).content == (
        "¡Gracias, Ana! Ya lo anoté. ¿Me pasás un teléfono de contacto?"
    )
    save = chat.user("11 5555-1234")
    assert call_of(save) == (
        "save_contact_details",
        {"name": None, "phone": "+541155551234", "email": None, "notes": None},
    )
    book = chat.tool({"ok": True, "contact": {}})
    assert call_of(book) == (
        "book_appointment", {"service": "Blanqueamiento", "day": "2026-11-27", "time": "14:00"}
    )


def test_english_booking_is_answered_in_english() -> None:
    chat = Chat(OfflineChatModel(agent_profile=make_profile(contact_name="John Smith")))
    assert chat.user("Hi, I want to book an appointment").text.startswith(
        "Hi, John! Which service would you like? We offer:"
    )
    assert chat.user("whitening").content == (
        "What day would you like for your Blanqueamiento appointment?"
    )
    # the time came with the day and the name is known: the next question is the phone
    assert chat.user("next Tuesday at 3pm").content == "Could you share a contact phone number?"
    save = chat.user("+54 9 11 5555 1234")
    assert call_of(save) == (
        "save_contact_details",
        {"name": None, "phone": "+5491155551234", "email": None, "notes": None},
    )
    book = chat.tool({"ok": True, "contact": {}})
    assert call_of(book) == (
        "book_appointment", {"service": "Blanqueamiento", "day": "2026-11-24", "time": "15:00"}
    )
    done = chat.tool(
        appointment("confirmada", start="2026-11-24T18:00:00Z", service="Blanqueamiento")
    )
    # the result's UTC instant is shown in the tenant's timezone
    assert done.content == (
        "Done, John! You're booked for Blanqueamiento on Tuesday, Nov 24 at 15:00. See you then!"
    )


def test_an_unreadable_phone_is_asked_again_with_an_example(chat: Chat) -> None:
    chat.user("quiero una limpieza mañana a las 10")
    assert call_of(chat.user("Ana"))[0] == "save_contact_details"
    chat.tool({"ok": True, "contact": {"name": "Ana"}})
    assert chat.user("12345678").text.startswith("No pude leer ese número.")


def test_a_question_in_the_middle_of_a_booking_is_answered_and_the_booking_resumes(
    chat: Chat,
) -> None:
    chat.user("quiero un turno para limpieza")
    assert call_of(chat.user("dónde están?")) == ("business_info", {"topic": "direccion"})
    reply = chat.tool({"topic": "direccion", "answer": "Estamos en Av. Corrientes 1234."})
    assert reply.content == (
        "Estamos en Av. Corrientes 1234. ¿Para qué día querés el turno de Limpieza dental?"
    )


def test_asking_prices_then_saying_yes_starts_a_booking_for_the_named_service(chat: Chat) -> None:
    assert call_of(chat.user("cuánto sale el blanqueamiento?")) == ("list_services", {})
    listing = chat.tool({"services": [
        {"name": "Blanqueamiento", "duration_minutes": 60, "price": "$ 80.000"},
    ]})
    assert listing.content == (
        "Estos son nuestros servicios:\n• Blanqueamiento (60 min): $ 80.000\n"
        "¿Querés reservar un turno?"
    )
    assert chat.user("sí, dale").content == "¿Para qué día querés el turno de Blanqueamiento?"


def test_a_known_contact_is_not_asked_for_name_or_phone_again() -> None:
    profile = make_profile(contact_name="Ana Pérez", contact_phone="+5491155551234")
    chat = Chat(OfflineChatModel(agent_profile=profile))
    assert call_of(chat.user("limpieza el 15/12 9hs")) == (
        "book_appointment", {"service": "Limpieza dental", "day": "2026-12-15", "time": "09:00"}
    )


def test_a_second_booking_starts_from_scratch(whatsapp_chat: Chat) -> None:
    whatsapp_chat.user("soy Ana, quiero una limpieza mañana a las 10")
    whatsapp_chat.tool({"ok": True, "contact": {}})
    whatsapp_chat.tool(appointment("confirmada"))
    assert whatsapp_chat.user("gracias!").text.startswith("¡De nada!")
    assert whatsapp_chat.user("quiero otro turno").text.startswith("¿Qué servicio querés?")


def test_introducing_yourself_saves_the_name_and_greets_by_it(chat: Chat) -> None:
    save = chat.user("hola, soy Ana")
    assert call_of(save) == (
        "save_contact_details", {"name": "Ana", "phone": None, "email": None, "notes": None}
    )
    assert chat.tool({"ok": True, "contact": {"name": "Ana"}}).text.startswith(
        "¡Hola, Ana! ¿En qué te puedo ayudar?"
    )
