"""What to do after a tool result: confirm, answer with the data, or take the next step.

`after_tool(state, turn)` reads `state.last_result` (the JSON the tool returned, already
applied to the state) and returns a `Reply` built only from that data, or the next `Call`
(e.g. book_appointment after save_contact_details succeeded).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from agent.offline.policy import (
    Action,
    Call,
    Reply,
    Turn,
    appointment_lines,
    goal_step,
    greeting,
    intent_step,
    none_found,
    pending_info,
    verified_starts,
)
from agent.offline.replies import day_label, hours_answer, join, named_weekday, say, who
from agent.offline.state import ConversationState, ToolResult
from agent.offline.text import fold

_MAX_SLOTS = 8
_MAX_DAYS = 3


def after_tool(state: ConversationState, turn: Turn) -> Action:
    """The next action after the tool result that ends the message list."""
    result = state.last_result
    assert result is not None
    lang = state.lang
    if not result.ok:
        return _on_error(state, turn, result)
    data = result.data
    if result.name in {"list_services", "business_info"}:
        following = pending_info(state, turn)  # "dirección y horario": the next question
        if isinstance(following, Call):
            return following
        return Reply(_info_reply(state, turn))
    if result.name == "check_availability":
        return Reply(_availability(state, result))
    if result.name == "save_contact_details":
        step = intent_step(state, turn)
        if isinstance(step, Call) and not state.called(step.name, step.args):
            return step
        thanks = say("saved", lang, who=who(turn.known(state, "name"), lang))
        if isinstance(step, Reply):
            # "hola, soy Ana" -> "¡Hola, Ana! <next question>" (the model adds the hello)
            return step if "greeting" in state.intents else Reply(f"{thanks} {step.text}")
        if "greeting" in state.intents:
            return Reply(greeting(state, turn))
        return Reply(thanks)
    if result.name in {"book_appointment", "reschedule_appointment", "cancel_appointment"}:
        return Reply(_appointment_reply(state, turn, result))
    if result.name == "record_training_objection":
        return Reply(say("objection_recorded", lang))
    if result.name == "send_verification_code":
        what, via = _code_destination(lang, str(data.get("sent_via") or ""))
        return Reply(say("code_sent", lang, what=what, via=via))
    if result.name == "verify_code":
        verified = say("verified", lang, who=who(state.verified_name, lang))
        if state.goal in {"cancel", "reschedule"}:
            step = goal_step(state, turn)
            if isinstance(step, Call):
                return step
            return Reply(f"{verified} {step.text}")
        starts = verified_starts(state, turn)
        listed = appointment_lines(starts, lang) if starts else say("no_appointments", lang)
        return Reply(f"{verified} {listed}")
    if result.name == "request_human":
        message = str(data.get("message") or "")
        return Reply(message if message and lang == "es" else say("human", lang))
    return Reply(say("fallback", lang))


def _info_reply(state: ConversationState, turn: Turn) -> str:
    """Every answer looked up since the user spoke, in order, then what comes next."""
    lang = state.lang
    texts: list[str] = []
    listed = False
    for result in state.turn_results:
        if not result.ok:
            continue
        if result.name == "list_services":
            lines = [_service_line(s) for s in result.data.get("services") or []]
            texts.append(say("services", lang, lines="\n".join(lines)))
            listed = True
        elif result.name == "business_info":
            answer = str(result.data.get("answer") or "").strip() or say("fallback", lang)
            if result.data.get("topic") == "horarios":
                day = state.latest.day
                weekday = (date.fromisoformat(day).weekday() if day
                           else named_weekday(fold(state.latest_text)))
                answer = hours_answer(answer, lang, weekday)
            texts.append(answer)
    if not texts:
        texts.append(say("fallback", lang))
    following = _continuation(state, turn, default="offer_booking" if listed else None)
    separator = "\n" if listed or len(texts) > 1 else " "
    return separator.join([*texts, following]).strip()


def _continuation(state: ConversationState, turn: Turn, default: str | None = None) -> str:
    """The question that takes an open goal forward, after answering something else."""
    if state.goal:
        step = goal_step(state, turn)
        return step.text if isinstance(step, Reply) else say("continue", state.lang)
    return say(default, state.lang) if default else ""


def _code_destination(lang: str, channel: str) -> tuple[str, str]:
    """("ese número", "por WhatsApp") for where a code went."""
    if lang == "en":
        return ("that email", "by email") if channel == "email" else \
            ("that number", "on WhatsApp")
    return ("ese email", "por email") if channel == "email" else ("ese número", "por WhatsApp")


def _service_line(service: dict[str, Any]) -> str:
    minutes = service.get("duration_minutes")
    duration = f" ({minutes} min)" if minutes else ""
    price = f": {service['price']}" if service.get("price") else ""
    return f"• {service.get('name', '')}{duration}{price}"


def _availability(state: ConversationState, result: ToolResult) -> str:
    lang, args = state.lang, result.args
    service = str(result.data.get("service") or args.get("service") or "")
    days = [d for d in result.data.get("days") or [] if d.get("slots")]
    if args.get("until_day"):
        if not days:
            return say("no_slots_range", lang, service=service)
        listed = [
            f"{day_label(d['date'], lang)} ({join(list(d['slots'][:4]), lang)})"
            for d in days[:_MAX_DAYS]
        ]
        return say("offer_days", lang, service=service, days="; ".join(listed))
    day = str(args.get("day"))
    slots: list[str] = next((d["slots"] for d in days if d.get("date") == day), [])
    if not slots:
        return say("no_slots", lang, day=day_label(day, lang), service=service)
    shown = join(list(slots[:_MAX_SLOTS]), lang)
    return say("offer_slots", lang, day=day_label(day, lang), slots=shown)


def _appointment_reply(state: ConversationState, turn: Turn, result: ToolResult) -> str:
    lang = state.lang
    appointment = result.data.get("appointment") or {}
    try:
        start = datetime.fromisoformat(str(appointment.get("start")))
        start = start.astimezone(ZoneInfo(turn.profile.timezone))
        day, time = start.date().isoformat(), start.strftime("%H:%M")
    except ValueError:  # no start in the result: fall back to what we asked for
        day, time = str(result.args.get("day") or ""), str(result.args.get("time") or "")
    fields = {
        "service": str(appointment.get("service") or ""),
        "day": day_label(day, lang) if day else "",
        "time": time,
    }
    key = {"book_appointment": "booked", "reschedule_appointment": "rescheduled"}.get(
        result.name, "cancelled"
    )
    return say(key, lang, who=who(turn.known(state, "name"), lang), **fields)


def _on_error(state: ConversationState, turn: Turn, result: ToolResult) -> Action:
    lang, data = state.lang, result.data
    code = data.get("code")
    alternatives = [str(a) for a in data.get("alternatives") or []]
    if code in {"slot_taken", "outside_hours"}:
        if alternatives:
            return Reply(say("slot_taken", lang, slots=join(alternatives[:_MAX_SLOTS], lang)))
        step = goal_step(state, turn) if state.goal else None
        if isinstance(step, Call) and step.name == "check_availability":
            return step
        return Reply(say("slot_taken_bare", lang))
    if code in {"closed_day", "past_date"}:
        return Reply(say(code, lang))
    if code == "unknown_service":
        names = join(list(turn.profile.service_names), lang)
        return Reply(say("unknown_service", lang) + say("ask_service", lang, services=names))
    if code in {"invalid_phone", "missing_contact"} and not turn.known(state, "phone"):
        return Reply(say("bad_phone" if code == "invalid_phone" else "ask_phone", lang))
    if code == "missing_contact" and not turn.known(state, "name"):
        return Reply(say("ask_name", lang))
    if code == "not_found":
        if result.name in {"cancel_appointment", "reschedule_appointment"}:
            return Reply(none_found(state, turn))
        return Reply(say("not_found", lang))
    if code == "wrong_code":
        return Reply(say("wrong_code", lang))
    if code in {"code_expired", "too_many_attempts", "no_code"}:
        return Reply(say("code_renew", lang))
    if code == "too_many_codes":
        return Reply(say("too_many_codes", lang))
    if code == "verification_unavailable":
        return Reply(say("verify_unavailable", lang))
    if code == "nothing_to_verify":
        return Reply(say("verify_ask_contact", lang))
    error = str(data.get("error") or "").strip()
    if lang == "es" and error:
        return Reply(say("error", lang, error=error if error.endswith(".") else f"{error}."))
    return Reply(say("error", "en" if lang == "en" else "es", error="Hubo un problema."))
