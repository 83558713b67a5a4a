"""A reply built from the turn's tool results, when the model wrote none.

After tools succeeded, an empty (or all-machinery) final reply would leave the customer
without an answer, or with an apology for a booking that exists. The last successful
action of the turn says what to tell them.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from langchain_core.messages import BaseMessage, ToolMessage

from crm.weekdays import weekday_name

_TEXTS = {
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


def _when(iso: object, tz: ZoneInfo, lang: str) -> str:
    start = datetime.fromisoformat(str(iso)).astimezone(tz)
    day = weekday_name(start.date(), lang)
    if lang == "en":
        return f"{day} {start:%d/%m} at {start:%H:%M}"
    return f"{day} {start.day}/{start.month} a las {start:%H:%M}"


def confirmation(turn: Sequence[BaseMessage], *, lang: str, tz: ZoneInfo) -> str | None:
    """What to tell the customer after this turn's last successful action; None when no
    action of the turn succeeded (or none has a sentence)."""
    lang = "en" if lang == "en" else "es"
    for message in reversed(turn):
        if not isinstance(message, ToolMessage) or message.name not in _TEXTS[lang]:
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
