"""A reply built from the turn's tool results, when the model wrote none.

After tools succeeded, an empty (or all-machinery) final reply would leave the customer
without an answer, or with an apology for a booking that exists. The last successful
action of the turn says what to tell them (`confirmation`). When the turn's last tool
call was refused for a reason the customer can fix (no name or phone yet, a taken time, a
closed day…), `follow_up` asks them for it instead (before confirming an earlier action of
the turn: "ya anoté tus datos" would hide that the booking failed); small models often
answer a refusal by echoing it, which the customer must never see.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from langchain_core.messages import BaseMessage, ToolMessage

from crm.weekdays import weekday_name

_TEXTS: dict[str, dict[str, str]] = {
    "es": {
        "book_appointment": "Listo, te reservé {service} el {when}. ¡Te esperamos!",
        "reschedule_appointment": "Listo, tu turno de {service} quedó para el {when}.",
        "cancel_appointment": "Listo, cancelé tu turno de {service} del {when}.",
        "save_contact_details": "¡Gracias! Ya anoté tus datos. ¿En qué más te ayudo?",
        "request_human": "Listo, le aviso a una persona del equipo para que te responda "
                         "por acá.",
        "record_training_objection": "Listo, quedó registrado: no vamos a usar tus "
                                     "conversaciones para entrenar modelos.",
    },
    "en": {
        "book_appointment": "Done, you're booked for {service} on {when}. See you then!",
        "reschedule_appointment": "Done, your {service} appointment is now on {when}.",
        "cancel_appointment": "Done, I cancelled your {service} appointment on {when}.",
        "save_contact_details": "Thanks! I've saved your details. Anything else?",
        "request_human": "Sure, I've asked someone from the team to reply to you here.",
        "record_training_objection": "Done, it's recorded: we won't use your conversations "
                                     "to train models.",
    },
}

# The actions a confirmation can be built for: repeating one that succeeded is a loop.
ACTIONS = frozenset(_TEXTS["es"])



def _when(iso: object, tz: ZoneInfo, lang: str) -> str:
    start = datetime.fromisoformat(str(iso)).astimezone(tz)
    day = weekday_name(start.date(), lang)
    if lang == "en":
        return f"{day} {start:%d/%m} at {start:%H:%M}"
    return f"{day} {start.day}/{start.month} a las {start:%H:%M}"


# Actions on appointments: confirmed even before a question about a later refusal.
APPOINTMENT_ACTIONS = frozenset({"book_appointment", "reschedule_appointment",
                                 "cancel_appointment"})


def confirmation(turn: Sequence[BaseMessage], *, lang: str, tz: ZoneInfo,
                 only: frozenset[str] = ACTIONS) -> str | None:
    """What to tell the customer after this turn's last successful action (among
    ``only``); None when no such action of the turn succeeded (or none has a sentence)."""
    lang = "en" if lang == "en" else "es"
    for message in reversed(turn):
        if (not isinstance(message, ToolMessage) or message.name not in _TEXTS[lang]
                or message.name not in only):
            continue
        try:
            data = json.loads(str(message.content))
        except ValueError:
            continue
        if not isinstance(data, dict) or not data.get("ok"):
            continue
        appointment = data.get("appointment") or {}
        try:
            when = _when(appointment.get("start"), tz, lang) if appointment else ""
        except (TypeError, ValueError):
            when = ""
        if appointment and not when:
            continue
        return _TEXTS[lang][str(message.name)].format(
            service=appointment.get("service") or "", when=when)
    return None


_FOLLOW_UPS = {
    "es": {
        "missing_contact": "Para reservarlo necesito tu nombre y un teléfono. ¿Me los pasás?",
        "slot_taken": "Ese horario ya está ocupado.",
        "outside_hours": "En ese horario no atendemos.",
        "closed_day": "Ese día no atendemos. ¿Te sirve otro día?",
        "past_date": "Esa fecha ya pasó. ¿Para qué día lo querés?",
        "unknown_service": "No encontré ese servicio. ¿Me decís cuál de nuestros servicios "
                           "buscás?",
        "invalid_phone": "Ese teléfono no parece completo. ¿Me lo pasás con el código de "
                         "área?",
        "invalid_email": "Ese email no parece válido. ¿Me lo pasás de nuevo?",
        "free": " Tengo libre ese día a las {times}. ¿Te sirve alguno?",
        "other": " ¿Querés probar otro día u horario?",
    },
    "en": {
        "missing_contact": "To book it I need your name and a phone number. Could you send "
                           "them?",
        "slot_taken": "That time is already taken.",
        "outside_hours": "We are not open at that time.",
        "closed_day": "We are closed that day. Would another day work?",
        "past_date": "That date has already passed. Which day would you like?",
        "unknown_service": "I couldn't find that service. Which of our services are you "
                           "looking for?",
        "invalid_phone": "That phone number looks incomplete. Could you send it with the "
                         "area code?",
        "invalid_email": "That email doesn't look valid. Could you send it again?",
        "free": " That day I have {times} free. Does any of them work?",
        "other": " Would you like to try another day or time?",
    },
}
_WITH_TIMES = frozenset({"slot_taken", "outside_hours"})


def follow_up(turn: Sequence[BaseMessage], *, lang: str) -> str | None:
    """What to ask the customer when the turn's last tool result is a refusal they can fix
    (module docstring); None otherwise."""
    texts = _FOLLOW_UPS["en" if lang == "en" else "es"]
    last = next((m for m in reversed(turn) if isinstance(m, ToolMessage)), None)
    if last is None:
        return None
    try:
        data = json.loads(str(last.content))
    except ValueError:
        return None
    code = data.get("code") if isinstance(data, dict) and data.get("ok") is False else None
    if not isinstance(code, str) or code not in texts or code in ("free", "other"):
        return None
    if code not in _WITH_TIMES:
        return texts[code]
    times = [t for t in data.get("alternatives") or [] if isinstance(t, str)][:4]
    if not times:
        return texts[code] + texts["other"]
    joined = times[0] if len(times) == 1 else ", ".join(times[:-1]) + (
        " or " if lang == "en" else " o ") + times[-1]
    return texts[code] + texts["free"].format(times=joined)
