"""Verified actions: a reply may claim only what a tool did.

The runtime knows from the tool results of the conversation (this turn and the history
it loaded) which actions succeeded — booked, moved, cancelled, saved the customer's
details, handed over to a person — and which times a booking, a move or an availability
check returned. A reply that claims one of them without a matching success ("te reservé…"
with no booking; "el sábado a las 11 está disponible" with no check that said so) is an
*unverified claim*: the runtime does not send it (agent.runtime).

Claims are read per sentence, in Spanish and English, on folded text (lower case, no
accents); a time a claiming sentence names must be one a matching result gave. A negated
phrase ("no está disponible") is not a claim.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from langchain_core.messages import BaseMessage, ToolMessage

from crm.text import fold

TOOL_ACTION = {
    "book_appointment": "booked", "reschedule_appointment": "moved",
    "cancel_appointment": "cancelled", "save_contact_details": "saved",
    "request_human": "handed_over", "check_availability": "availability",
}
ACTION_TOOL = {action: tool for tool, action in TOOL_ACTION.items()}
_NOT = r"(?<!no )(?<!nunca )(?<!not )(?<!que )"  # "que te reserve": an offer, not a claim
# A sentence about an appointment that ends in a participle, with no "no" in between:
# "tu turno para limpieza el miércoles está reservado", "turno confirmado para el martes".
_ABOUT = r"\b(?:turno|cita|reserva)\b(?:(?!\bno\b|\btodavia\b|\baun\b)[^?])*?\b"
CLAIMS: dict[str, tuple[re.Pattern[str], ...]] = {
    action: tuple(re.compile(_NOT + p) for p in patterns) for action, patterns in {
        "booked": (
            r"\b(?:te|le|les) (?:reserve|agende|saque|confirme el turno)\b",
            r"\b(?:te|le) anote (?:para|el turno|un turno|la cita)\b",
            _ABOUT + r"(?:reservad|confirmad|agendad)[oa]s?\b",
            r"\b(?:quedo|queda|quedaste|esta|estas|ya esta) (?:reservad|agendad|anotad)",
            r"\b(?:reserve|agende) (?:tu|el|un|una) (?:turno|cita)",
            r"\bi(?:'ve| have)? booked\b", r"\byou(?:'re| are) (?:all )?booked\b",
            r"\byour appointment (?:is|has been) (?:booked|confirmed|scheduled)\b",
        ),
        "moved": (
            r"\b(?:cambie|movi|pase|reprograme|corri) (?:tu|el|la|su) (?:turno|cita)",
            r"\b(?:turno|cita) (?:quedo|paso|ahora es|ahora esta) para\b",
            _ABOUT + r"(?:reprogramad|cambiad|movid)[oa]s?\b",
            r"\bquedo (?:reprogramad|cambiad|movid)",
            r"\b(?:moved|rescheduled) your\b", r"\byour appointment is now (?:on|at|for)\b",
        ),
        "cancelled": (
            r"\b(?:cancele|anule)\b", r"\bquedo (?:cancelad|anulad)",
            _ABOUT + r"(?:cancelad|anulad)[oa]s?\b",
            r"\bcancell?ed your\b", r"\b(?:has been|is now) cancell?ed\b",
        ),
        "saved": (
            r"\b(?:registre|anote|guarde) (?:tus|sus|los) datos\b", r"\bya (?:lo )?anote\b",
            r"\bquedaste registrad", r"\b(?:saved|noted|registered) your (?:details|info)",
        ),
        "handed_over": (
            r"\b(?:le aviso|le avise|te paso|te pase|derive|te derivo|le pase) (?:a|con) "
            r"(?:una persona|alguien)",
            r"\balguien del equipo (?:te )?(?:va a|te va a) (?:responder|continuar|escribir|"
            r"contactar|seguir)",
            r"\b(?:asked|notified|told) (?:someone|a person|the team)\b",
            r"\bsomeone from (?:the|our) team will\b",
        ),
        "availability": (
            r"\b(?:esta|hay|tengo|tenemos|queda|quedan) (?:disponible|lugar|turnos? libres?|"
            r"libre)",
            r"\bdisponible (?:el|a las|para)\b",
            r"\b(?:is|are|we have|i have) (?:available|free|openings|an opening)\b",
            r"\b(?:there is|there's|we have|i have) (?:availability|a slot|an opening|"
            r"openings)\b",
        ),
    }.items()
}
_TIME = re.compile(r"\b([01]?\d|2[0-3])[:.h]([0-5]\d)\b|\b(\d{1,2})\s*(?:hs|h)\b")
_SENTENCE = re.compile(r"(?<=[.!?\n])\s+")


@dataclass
class Facts:
    """What tools did in the conversation: actions that succeeded and the local times
    ("HH:MM") their results named."""

    done: set[str] = field(default_factory=set)
    times: dict[str, set[str]] = field(default_factory=dict)

    def add_times(self, action: str, values: Iterable[str]) -> None:
        self.times.setdefault(action, set()).update(values)


def _local(iso: object, tz: ZoneInfo) -> str | None:
    try:
        return datetime.fromisoformat(str(iso)).astimezone(tz).strftime("%H:%M")
    except (TypeError, ValueError):
        return None


def facts_from(messages: Sequence[BaseMessage], tz: ZoneInfo) -> Facts:
    """The facts the tool results among `messages` establish."""
    facts = Facts()
    for message in messages:
        if not isinstance(message, ToolMessage):
            continue
        action = TOOL_ACTION.get(message.name or "")
        try:
            data = json.loads(str(message.content))
        except ValueError:
            continue
        if not isinstance(data, dict):
            continue
        alternatives = [str(a) for a in data.get("alternatives") or []]
        facts.add_times("availability", alternatives)  # times a refusal offered instead
        if action is None or not data.get("ok"):
            continue
        facts.done.add(action)
        appointment = data.get("appointment") or {}
        start = _local(appointment.get("start"), tz) if isinstance(appointment, dict) else None
        if start:
            facts.add_times(action, [start])
        if action == "availability":
            for day in data.get("days") or []:
                if isinstance(day, dict):
                    facts.add_times(action, [str(s) for s in day.get("slots") or []])
    return facts


def _times(sentence: str) -> set[str]:
    found = set()
    for hour, minute, bare in _TIME.findall(sentence):
        found.add(f"{int(hour):02d}:{minute}" if hour else f"{int(bare):02d}:00")
    return found


def unverified_claims(reply: str, facts: Facts) -> list[str]:
    """The actions `reply` claims that `facts` do not back, in the order of ACTION_TOOL."""
    found: list[str] = []
    for sentence in _SENTENCE.split(fold(reply)):
        for action, patterns in CLAIMS.items():
            if action in found or not any(p.search(sentence) for p in patterns):
                continue
            if action not in facts.done and not (action == "availability"
                                                  and facts.times.get(action)):
                found.append(action)
                continue
            named = _times(sentence)
            known = facts.times.get(action, set()) | (
                facts.times.get("availability", set()) if action == "availability" else set())
            if named and known and not named <= known:
                found.append(action)
    return [a for a in ACTION_TOOL if a in found]


CORRECTION = {
    "es": ("Nota interna, no la repitas al cliente: tu respuesta afirma {what}, pero ninguna "
           "herramienta lo hizo ni lo confirmó en esta conversación. Si corresponde, llamá "
           "ahora a {tools}; si no, respondé sin afirmarlo."),
    "en": ("Internal note, do not repeat it to the customer: your reply claims {what}, but no "
           "tool did or confirmed it in this conversation. If it applies, call {tools} now; "
           "otherwise answer without claiming it."),
}
_WHAT = {
    "es": {"booked": "una reserva", "moved": "un cambio de turno",
           "cancelled": "una cancelación", "saved": "que se guardaron los datos",
           "handed_over": "que se avisó a una persona", "availability": "disponibilidad"},
    "en": {"booked": "a booking", "moved": "a rescheduling", "cancelled": "a cancellation",
           "saved": "that the details were saved", "handed_over": "a handover to a person",
           "availability": "availability"},
}
SAFE_REPLY = {
    "es": "Perdón, prefiero confirmarlo con el equipo antes de asegurártelo. Ya le avisé a una "
          "persona para que te responda por acá.",
    "en": "Sorry, I'd rather confirm that with the team before promising it. I've asked a "
          "person to answer you here.",
}


def correction(actions: Sequence[str], lang: str) -> str:
    lang = "en" if lang == "en" else "es"
    what = ", ".join(_WHAT[lang][a] for a in actions)
    tools = ", ".join(ACTION_TOOL[a] for a in actions)
    return CORRECTION[lang].format(what=what, tools=tools)
