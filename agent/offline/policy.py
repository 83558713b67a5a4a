"""What to do after a user message: the handler table and the slot-filling steps.

`decide(state, turn)` returns a `Call` (emit a tool call) or a `Reply` (answer the user).
Handlers are tried in `HANDLERS` order against the latest message's intents; then an open
goal (book, reschedule, cancel) continues; then small talk; then a fallback that says what
the agent can do. A new intent is a row in `intents.INTENTS` plus, if it needs its own
behaviour, a row here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from agent.offline.replies import day_label, join, say, who
from agent.offline.state import ConversationState
from agent.profile import AgentProfile
from tools.scheduling import appointment_ref


@dataclass(frozen=True)
class Call:
    name: str
    args: dict[str, Any]


@dataclass(frozen=True)
class Reply:
    text: str


Action = Call | Reply


@dataclass(frozen=True)
class Turn:
    """What a decision may look at besides the state."""

    profile: AgentProfile
    tools: frozenset[str]  # the tools bound for this tenant

    def known(self, state: ConversationState, slot: str) -> str | None:
        """A contact detail from this conversation, or the one the CRM already had."""
        value: str | None = getattr(state, slot) or state.saved.get(slot)
        return value or getattr(self.profile, f"contact_{slot}")


Handler = Callable[[ConversationState, Turn], Action]


def decide(state: ConversationState, turn: Turn) -> Action:
    """The next action after the latest user message.

    Contact details the user just gave are saved first (the lead exists even if they never
    book); after the save result, `intent_step` carries on with the rest of the message.
    """
    if state.code is not None and "verify_code" in turn.tools:
        return Call("verify_code", {"code": state.code})
    if "affirm" in state.intents and state.asked == "code_offer" \
            and "send_verification_code" in turn.tools:
        return Call("send_verification_code", {})
    if "affirm" in state.intents and state.asked == "human_offer":
        return _human(state, turn)
    latest = state.latest
    given = latest.name or latest.phone or latest.email
    unsaved = _unsaved(state, turn)
    if given and unsaved and "save_contact_details" in turn.tools and "human" not in state.intents:
        return Call("save_contact_details", {**unsaved, "notes": None})
    step = intent_step(state, turn)
    if step is not None:
        return step
    if "affirm" in state.intents and state.asked is None and state.last_appointment:
        # "Sí, confirmo" after "Te reservé ...": it is booked; say so again.
        return Reply(still_booked(state, turn))
    if "deny" in state.intents and state.asked in {"book_offer", "continue", "code_offer",
                                                    "human_offer"}:
        return Reply(say("no_problem", state.lang))
    for intent in ("thanks", "bye"):
        if intent in state.intents:
            return Reply(say(intent, state.lang))
    if "greeting" in state.intents:
        return Reply(greeting(state, turn))
    if "?" in state.latest_text and "business_info" in turn.tools:
        return Call("business_info", {"topic": state.latest_text.strip()[:200]})
    return Reply(say("fallback", state.lang))


def intent_step(state: ConversationState, turn: Turn) -> Action | None:
    """The action for the latest message's task or question, or the open goal's next step."""
    for intent, handler in HANDLERS:
        if intent in state.intents:
            return handler(state, turn)
    if state.goal:
        return goal_step(state, turn)
    return None


def greeting(state: ConversationState, turn: Turn) -> str:
    """The tenant's greeting, by name for a known contact."""
    name = turn.known(state, "name")
    if state.lang == "es" and not name and turn.profile.greeting:
        return turn.profile.greeting
    return say("greet", state.lang, who=who(name, state.lang))


def goal_step(state: ConversationState, turn: Turn) -> Action:
    """The next step of the open goal: ask the first missing slot, or call the tool."""
    if state.goal == "cancel":
        # Cancelling is offered only with an appointment to cancel (agent.runtime._tools).
        if not _appointments(state, turn):
            return Reply(none_found(state, turn))
        if "cancel_appointment" not in turn.tools:
            return Reply(say("unavailable", state.lang))
        return Call("cancel_appointment", {"which": target_appointment(state, turn)})
    if state.goal == "reschedule":
        return _reschedule_step(state, turn)
    return _book_step(state, turn)


def _book_step(state: ConversationState, turn: Turn) -> Action:
    lang, profile = state.lang, turn.profile
    if "book_appointment" not in turn.tools:
        return Reply(say("unavailable", lang))
    names = profile.service_names
    service = state.service or (names[0] if len(names) == 1 else None)
    if not service:
        return Reply(say("ask_service", lang, services=join(list(names), lang)))
    if not state.day:
        if "availability" in state.intents and "check_availability" in turn.tools:
            today = profile.now_local.date()
            until = (today + timedelta(days=6)).isoformat()
            args = {"service": service, "day": today.isoformat(), "until_day": until}
            return Call("check_availability", args)
        return Reply(say("ask_day", lang, service=service))
    if not state.time:
        return _ask_time(state, turn, service)
    if not turn.known(state, "name"):
        return Reply(say("ask_name", lang))
    if not turn.known(state, "phone"):
        return Reply(say("bad_phone" if state.latest.bad_phone else "ask_phone", lang))
    unsaved = _unsaved(state, turn)
    if unsaved and "save_contact_details" in turn.tools:
        return Call("save_contact_details", {**unsaved, "notes": None})
    return Call("book_appointment", {"service": service, "day": state.day, "time": state.time})


def _reschedule_step(state: ConversationState, turn: Turn) -> Action:
    lang = state.lang
    if not _appointments(state, turn):
        return Reply(none_found(state, turn))
    if "reschedule_appointment" not in turn.tools:
        return Reply(say("unavailable", lang))
    if not state.day:
        return Reply(say("ask_new_day", lang))
    if not state.time:
        return _ask_time(state, turn, _target_service(state, turn) or state.service)
    args = {"day": state.day, "time": state.time, "which": target_appointment(state, turn)}
    return Call("reschedule_appointment", args)


def _ask_time(state: ConversationState, turn: Turn, service: str | None) -> Action:
    assert state.day is not None
    args = {"service": service, "day": state.day, "until_day": None}
    if service and "check_availability" in turn.tools and not state.called(
        "check_availability", args
    ):
        return Call("check_availability", args)
    return Reply(say("ask_time", state.lang, day=day_label(state.day, state.lang)))


def _appointments(state: ConversationState, turn: Turn) -> list[tuple[str, str]]:
    """(reference, service) of the contact's active appointments: the CRM's, those of the
    contact this chat proved to be (verify_code), and those made here. The reference is
    the local start, "YYYY-MM-DD HH:MM", which the tools take as `which` (tools never show
    a model an id)."""
    found = [(appointment_ref(a.start_local), a.service) for a in turn.profile.upcoming
             if a.status != "cancelada"]
    found += [(appointment_ref(a["start"]), str(a.get("service")))
              for a in [*state.verified, *state.booked] if a.get("start")]
    return list(dict.fromkeys(found))


def none_found(state: ConversationState, turn: Turn) -> str:
    """No appointment of this chat's contact: offer to prove a phone or email it booked
    with (a one-time code), else say there is none. Never says whether a value is known."""
    lang = state.lang
    if "send_verification_code" not in turn.tools:
        return say("no_appointments", lang)
    if turn.known(state, "phone"):
        return say("verify_offer", lang, where="phone" if lang == "en" else "teléfono")
    if turn.known(state, "email"):
        return say("verify_offer", lang, where="email")
    return say("verify_ask_contact", lang)


def target_appointment(state: ConversationState, turn: Turn) -> str | None:
    """The appointment the user means, among several: the reference of the one of the
    service they named; None for "the next upcoming one" (also when there is only one,
    which stays right after it is moved in this chat)."""
    found = _appointments(state, turn)
    if state.latest.service and len(found) > 1:
        named = [a for a in found if a[1] == state.latest.service]
        if len(named) == 1:
            return named[0][0]
    return None


def _target_service(state: ConversationState, turn: Turn) -> str | None:
    found = _appointments(state, turn)
    wanted = target_appointment(state, turn)
    return next((s for i, s in found if i == wanted), found[0][1] if found else None)


def _unsaved(state: ConversationState, turn: Turn) -> dict[str, str | None]:
    """Contact details given here that the CRM does not have yet ({} when none)."""
    fields: dict[str, str | None] = {"name": None, "phone": None, "email": None}
    for slot in fields:
        value = getattr(state, slot)
        if value and value != state.saved.get(slot) and value != getattr(
            turn.profile, f"contact_{slot}"
        ):
            fields[slot] = value
    return fields if any(fields.values()) else {}


def _human(state: ConversationState, turn: Turn) -> Action:
    if "request_human" not in turn.tools:
        return Reply(say("unavailable", state.lang))
    return Call("request_human", {"reason": "El cliente pidió hablar con una persona."})


# The questions about the business, in the order they are answered when one message asks
# several ("dirección y horario del sábado", "price and hours"): one call each, then one
# reply with every answer (results.after_tool).
INFO_TOPICS = (("services", None), ("hours", "horarios"), ("address", "direccion"),
               ("payments", "pagos"))


def _info_action(intent: str, topic: str | None, state: ConversationState,
                 turn: Turn) -> Action:
    if topic is None:
        if "list_services" in turn.tools:
            return Call("list_services", {})
        lines = [f"• {s.name} ({s.duration_minutes} min): {s.price}"
                 for s in turn.profile.services]
        return Reply(say("services", state.lang, lines="\n".join(lines)))
    if "business_info" not in turn.tools:
        return Reply(say("unavailable", state.lang))
    return Call("business_info", {"topic": topic})


def pending_info(state: ConversationState, turn: Turn) -> Action | None:
    """The next question of the latest message still to look up (a Call), a Reply when its
    tool is not enabled, or None when every one was looked up this turn."""
    for intent, topic in INFO_TOPICS:
        if intent not in state.intents:
            continue
        action = _info_action(intent, topic, state, turn)
        if isinstance(action, Call) and state.called(action.name, action.args):
            continue
        return action
    return None


def _info(state: ConversationState, turn: Turn) -> Action:
    action = pending_info(state, turn)
    return action if action is not None else Reply(say("fallback", state.lang))


def still_booked(state: ConversationState, turn: Turn) -> str:
    """ "Your appointment ... is confirmed", from the latest book/reschedule result."""
    appointment = state.last_appointment or {}
    try:
        start = datetime.fromisoformat(str(appointment.get("start")))
        start = start.astimezone(ZoneInfo(turn.profile.timezone))
    except ValueError:
        return say("no_problem", state.lang)
    return say("still_booked", state.lang, service=str(appointment.get("service") or ""),
               day=day_label(start.date().isoformat(), state.lang),
               time=start.strftime("%H:%M"))


def _my_appointments(state: ConversationState, turn: Turn) -> Action:
    lang = state.lang
    upcoming = [(a.service, a.start_local) for a in turn.profile.upcoming
                if a.status != "cancelada"]
    upcoming += verified_starts(state, turn)
    if not upcoming:
        return Reply(none_found(state, turn))
    return Reply(appointment_lines(upcoming, lang))


def appointment_lines(upcoming: list[tuple[str, datetime]], lang: str) -> str:
    return " ".join(say("appointment_line", lang, service=service,
                        day=day_label(start.date().isoformat(), lang),
                        time=start.strftime("%H:%M")) for service, start in upcoming)


def verified_starts(state: ConversationState, turn: Turn) -> list[tuple[str, datetime]]:
    """(service, local start) of the appointments verify_code returned."""
    tz = ZoneInfo(turn.profile.timezone)
    found = []
    for appointment in state.verified:
        try:
            start = datetime.fromisoformat(str(appointment.get("start"))).astimezone(tz)
        except ValueError:
            continue
        found.append((str(appointment.get("service") or ""), start))
    return found


def _object_training(state: ConversationState, turn: Turn) -> Action:
    if "record_training_objection" not in turn.tools:
        return Reply(say("objection_unavailable", state.lang))
    if state.called("record_training_objection", {}):
        return Reply(say("objection_recorded", state.lang))
    return Call("record_training_objection", {})


HANDLERS: tuple[tuple[str, Handler], ...] = (
    ("object_training", _object_training),
    ("human", _human),
    ("cancel", goal_step),
    ("reschedule", goal_step),
    ("services", _info),
    ("hours", _info),
    ("address", _info),
    ("payments", _info),
    ("my_appointments", _my_appointments),
)
