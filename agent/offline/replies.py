"""What the offline model says, in Spanish (rioplatense) and English.

`say(key, lang, **fields)` fills a template. `asked_slot(text)` reads one of our own earlier
replies back and tells which slot it asked for: the state is rebuilt from the transcript
alone, so the question markers below must stay in the templates that ask.
"""

from __future__ import annotations

import re
from datetime import date

TEMPLATES: dict[str, dict[str, str]] = {
    "greet": {
        "es": "¡Hola{who}! ¿En qué te puedo ayudar? Puedo contarte servicios, precios y "
        "horarios, y reservar, cambiar o cancelar turnos.",
        "en": "Hi{who}! How can I help? I can tell you about our services, prices and hours, "
        "and book, change or cancel appointments.",
    },
    "hello": {"es": "¡Hola{who}! ", "en": "Hi{who}! "},
    "ask_service": {
        "es": "¿Qué servicio querés? Tenemos: {services}.",
        "en": "Which service would you like? We offer: {services}.",
    },
    "ask_day": {
        "es": "¿Para qué día querés el turno de {service}?",
        "en": "What day would you like for your {service} appointment?",
    },
    "ask_new_day": {
        "es": "¿Para qué día querés pasar tu turno?",
        "en": "What day would you like to move your appointment to?",
    },
    "ask_time": {
        "es": "¿A qué hora te queda bien el {day}?",
        "en": "What time works for you on {day}?",
    },
    "offer_slots": {
        "es": "El {day} tengo libre: {slots}. ¿A qué hora te queda bien?",
        "en": "On {day} I have: {slots}. What time works for you?",
    },
    "offer_days": {
        "es": "Estos son los próximos turnos libres para {service}: {days}. "
        "¿Qué día y horario preferís?",
        "en": "These are the next free slots for {service}: {days}. What day and time suit you?",
    },
    "no_slots": {
        "es": "El {day} no me quedan turnos libres para {service}. ¿Qué otro día te queda bien?",
        "en": "There are no free slots for {service} on {day}. What other day works for you?",
    },
    "no_slots_range": {
        "es": "No encontré turnos libres para {service} en los próximos días. "
        "¿Qué otro día te queda bien?",
        "en": "I found no free slots for {service} in the next few days. "
        "What other day works for you?",
    },
    "no_problem": {
        "es": "¡Perfecto! Si necesitás algo más, escribime.",
        "en": "Sure! Write anytime if you need anything else.",
    },
    "ask_name": {
        "es": "¿A nombre de quién hago la reserva?",
        "en": "What name should I put the booking under?",
    },
    "ask_phone": {
        "es": "¿Me pasás un teléfono de contacto?",
        "en": "Could you share a contact phone number?",
    },
    "bad_phone": {
        "es": "No pude leer ese número. ¿Me pasás un teléfono de contacto con código de área? "
        "(por ejemplo 11 5555-1234)",
        "en": "I couldn't read that number. Could you share a contact phone number with the "
        "area code?",
    },
    "booked": {
        "es": "¡Listo{who}! Te reservé {service} el {day} a las {time}. ¡Te esperamos!",
        "en": "Done{who}! You're booked for {service} on {day} at {time}. See you then!",
    },
    "rescheduled": {
        "es": "¡Listo! Tu turno de {service} quedó para el {day} a las {time}.",
        "en": "Done! Your {service} appointment is now on {day} at {time}.",
    },
    "cancelled": {
        "es": "Listo, cancelé tu turno de {service} del {day} a las {time}. "
        "Si querés sacar otro, avisame.",
        "en": "Done, I cancelled your {service} appointment on {day} at {time}. "
        "Let me know if you'd like another one.",
    },
    "services": {
        "es": "Estos son nuestros servicios:\n{lines}",
        "en": "Here are our services:\n{lines}",
    },
    "offer_booking": {
        "es": "¿Querés reservar un turno?",
        "en": "Would you like to book an appointment?",
    },
    "continue": {"es": "¿Seguimos con tu turno?", "en": "Shall we go on with your booking?"},
    "still_booked": {
        "es": "¡Perfecto! Tu turno de {service} del {day} a las {time} ya quedó confirmado. "
        "¿Te ayudo con algo más?",
        "en": "Great! Your {service} appointment on {day} at {time} is confirmed. Anything "
        "else I can help with?",
    },
    "saved": {"es": "¡Gracias{who}! Ya lo anoté.", "en": "Thanks{who}! I've saved it."},
    "human": {
        "es": "Listo, le aviso a una persona del equipo para que te responda por acá.",
        "en": "Sure, I've asked someone from the team to reply to you here.",
    },
    "thanks": {
        "es": "¡De nada! Si necesitás algo más, escribime.",
        "en": "You're welcome! Write anytime if you need anything else.",
    },
    "bye": {
        "es": "¡Gracias por escribir! Que tengas un lindo día.",
        "en": "Thanks for writing! Have a nice day.",
    },
    "fallback": {
        "es": "Perdón, no te entendí del todo. Puedo contarte servicios, precios, horarios y "
        "dirección, y reservar, cambiar o cancelar turnos. ¿Qué necesitás?",
        "en": "Sorry, I didn't quite get that. I can tell you about our services, prices, hours "
        "and address, and book, change or cancel appointments. What do you need?",
    },
    "no_appointments": {
        "es": "No encuentro turnos próximos a tu nombre. ¿Querés reservar un turno?",
        "en": "I can't find an upcoming appointment for you. Would you like to book an "
        "appointment?",
    },
    "appointment_line": {
        "es": "Tenés turno de {service} el {day} a las {time}.",
        "en": "You have {service} on {day} at {time}.",
    },
    "slot_taken": {
        "es": "Ese horario no está disponible. Tengo: {slots}. ¿A qué hora te queda bien?",
        "en": "That time isn't available. I have: {slots}. What time works for you?",
    },
    "slot_taken_bare": {
        "es": "Ese horario no está disponible. ¿A qué hora te queda bien?",
        "en": "That time isn't available. What time works for you?",
    },
    "closed_day": {
        "es": "Ese día no atendemos. ¿Qué otro día te queda bien?",
        "en": "We're closed that day. What other day works for you?",
    },
    "past_date": {
        "es": "Esa fecha ya pasó. ¿Para qué día querés el turno?",
        "en": "That date has already passed. What day would you like?",
    },
    "unknown_service": {"es": "No encontré ese servicio. ", "en": "I couldn't find that service. "},
    "error": {
        "es": "{error} ¿Querés que lo intentemos de otra forma?",
        "en": "Sorry, I couldn't complete that. Shall we try another way, or would you like "
        "me to bring in someone from the team?",
    },
    "not_found": {
        "es": "No encontré ese turno. ¿Querés reservar un turno?",
        "en": "I couldn't find that appointment. Would you like to book an appointment?",
    },
    "verify_offer": {
        "es": "No encuentro turnos tuyos en esta conversación. Si reservaste con otro número, "
        "canal o email, te puedo mandar un código de verificación al {where} que me diste para "
        "confirmar que es tuyo. ¿Te lo mando?",
        "en": "I can't find appointments of yours in this conversation. If you booked with "
        "another number, channel or email, I can send a verification code to the {where} you "
        "gave me to confirm it's yours. Shall I send it?",
    },
    "verify_ask_contact": {
        "es": "No encuentro turnos tuyos en esta conversación. Si reservaste con otro número o "
        "canal, decime el teléfono o email con el que reservaste y te mando un código para "
        "confirmar que es tuyo.",
        "en": "I can't find appointments of yours in this conversation. If you booked with "
        "another number or channel, tell me the phone or email you booked with and I'll send "
        "a code to confirm it's yours.",
    },
    "code_sent": {
        "es": "Si {what} tiene turnos con nosotros, te llegó {via} un código de 6 dígitos. "
        "Escribilo acá; vence en 10 minutos.",
        "en": "If {what} has appointments with us, a 6-digit code just arrived {via}. "
        "Type it here; it expires in 10 minutes.",
    },
    "wrong_code": {
        "es": "Ese código no es correcto. Escribí el código de 6 dígitos que te llegó.",
        "en": "That code isn't right. Please type the 6-digit code you received.",
    },
    "code_renew": {
        "es": "Ese código ya no sirve (venció o se usaron todos los intentos). ¿Te mando un "
        "código de verificación nuevo?",
        "en": "That code no longer works (it expired or ran out of tries). Shall I send a new "
        "verification code to you?",
    },
    "too_many_codes": {
        "es": "Ya enviamos varios códigos en la última hora. Probá más tarde, o ¿querés que te "
        "pase con una persona del equipo?",
        "en": "We've already sent several codes in the last hour. Try again later, or would "
        "you like me to bring in someone from the team?",
    },
    "verify_unavailable": {
        "es": "Por acá no puedo confirmar que ese dato es tuyo. ¿Querés que te pase con una "
        "persona del equipo?",
        "en": "I can't confirm that it's yours here. Would you like me to bring in someone "
        "from the team?",
    },
    "verified": {
        "es": "¡Listo{who}, ya confirmé que sos vos!",
        "en": "Done{who}, I've confirmed it's you!",
    },
    "objection_recorded": {
        "es": "Listo, quedó registrado: no vamos a usar tus conversaciones para entrenar "
        "modelos. ¿Te ayudo con algo más?",
        "en": "Done, it's recorded: we won't use your conversations to train models. "
        "Anything else I can help with?",
    },
    "objection_unavailable": {
        "es": "Entendido. Por acá no puedo registrarlo, pero una persona del equipo lo va a "
        "hacer.",
        "en": "Understood. I can't record that here, but someone from the team will.",
    },
    "unavailable": {
        "es": "Eso no lo puedo hacer por acá, pero una persona del equipo te puede ayudar.",
        "en": "I can't do that here, but someone from the team can help you.",
    },
}

# What each question asks, recognized in our own earlier replies (the latest marker wins).
MARKERS: dict[str, tuple[str, ...]] = {
    "service": ("¿Qué servicio querés?", "Which service would you like?"),
    "day": ("¿Para qué día", "¿Qué otro día", "¿Qué día y horario", "What day", "What other day"),
    "time": ("¿A qué hora te queda bien", "What time works"),
    "name": ("¿A nombre de quién", "What name should I"),
    "phone": ("teléfono de contacto", "contact phone number"),
    "book_offer": ("¿Querés reservar un turno?", "Would you like to book an appointment?"),
    "continue": ("¿Seguimos con tu turno?", "Shall we go on with your booking?"),
    "code_offer": ("código de verificación al", "verification code to the",
                   "código de verificación nuevo", "new verification code"),
    "code": ("código de 6 dígitos", "6-digit code"),
    "verify_contact": ("con el que reservaste", "you booked with"),
    "human_offer": ("pase con una persona del equipo?", "bring in someone from the team?"),
}

_WEEKDAYS = {
    "es": ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}
_MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def say(key: str, lang: str, **fields: str) -> str:
    """The template `key` in `lang` ("es" unless "en") filled with `fields`."""
    return TEMPLATES[key]["en" if lang == "en" else "es"].format(**fields)


def asked_slot(reply: str) -> str | None:
    """Which slot one of our replies asked for, or None if it asked nothing we track."""
    best: tuple[int, str | None] = (-1, None)
    for slot, markers in MARKERS.items():
        for marker in markers:
            position = reply.rfind(marker)
            if position > best[0]:
                best = (position, slot)
    return best[1]


def who(name: str | None, lang: str) -> str:
    """", Ana" to address a known contact by first name, or ""."""
    return f", {name.split()[0]}" if name else ""


def day_label(iso_day: str, lang: str) -> str:
    """ "martes 24/11" / "Tuesday, Nov 24" for an ISO date."""
    day = date.fromisoformat(iso_day)
    if lang == "en":
        return f"{_WEEKDAYS['en'][day.weekday()]}, {_MONTHS_EN[day.month - 1]} {day.day}"
    return f"{_WEEKDAYS['es'][day.weekday()]} {day.day}/{day.month}"


_HOURS_PART = re.compile(r"^(?P<day>[a-záéíóú]+): (?P<spans>.+)$")
_SPAN_WORDS_EN = ((" a ", " to "), (" y ", " and "), ("cerrado", "closed"))


def hours_answer(answer: str, lang: str, weekday: int | None = None) -> str:
    """The business's opening hours as business_info gives them ("lunes: 09:00 a 18:00;
    ...; domingo: cerrado"), only `weekday`'s when given, in `lang`. Text in another shape
    is returned as it is."""
    parts = [p.strip() for p in answer.split(";")]
    parsed = [_HOURS_PART.match(p) for p in parts]
    if not parts or not all(parsed):
        return answer
    days = [m.group("day") for m in parsed if m]
    if weekday is not None and _WEEKDAYS["es"][weekday] in days:
        parsed = [m for m in parsed if m and m.group("day") == _WEEKDAYS["es"][weekday]]
    out = []
    for match in parsed:
        assert match is not None
        day, spans = match.group("day"), match.group("spans")
        if lang == "en":
            if day in _WEEKDAYS["es"]:
                day = _WEEKDAYS["en"][_WEEKDAYS["es"].index(day)]
            for spanish, english in _SPAN_WORDS_EN:
                spans = spans.replace(spanish, english)
        out.append(f"{day}: {spans}")
    return "; ".join(out)


_WEEKDAY_WORD = re.compile(r"\b(lunes|martes|miercoles|jueves|viernes|sabado|domingo|monday|"
                           r"tuesday|wednesday|thursday|friday|saturday|sunday)s?\b")
_FOLDED_WEEKDAYS = ("lunes", "martes", "miercoles", "jueves", "viernes", "sabado", "domingo")


def named_weekday(folded: str) -> int | None:
    """The weekday (0 = Monday) a folded text names, singular or plural ("los sábados")."""
    match = _WEEKDAY_WORD.search(folded)
    if match is None:
        return None
    word = match.group(1)
    if word in _FOLDED_WEEKDAYS:
        return _FOLDED_WEEKDAYS.index(word)
    return [d.lower() for d in _WEEKDAYS["en"]].index(word)


def join(items: list[str], lang: str) -> str:
    """ "a, b y c" / "a, b and c"."""
    if len(items) <= 1:
        return "".join(items)
    last = " and " if lang == "en" else " y "
    return ", ".join(items[:-1]) + last + items[-1]
