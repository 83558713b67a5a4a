"""The conversation state, rebuilt from the whole message list on every model call.

Nothing is remembered between calls: `rebuild(messages, profile)` replays the transcript
(user messages through `slots.extract`, our replies through `replies.asked_slot`, tool
results through `_apply_result`) and returns what is known now. The same messages and
profile always give the same state.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage

from agent.offline import intents as intent_table
from agent.offline.replies import asked_slot
from agent.offline.slots import Extraction, SlotContext, extract
from agent.profile import AgentProfile
from crm.text import guess_language

# Our questions on the way to proving who the person is (replies.MARKERS).
VERIFY_ASKS = frozenset({"code_offer", "code", "verify_contact"})
_INFO_INTENTS = frozenset({"services", "hours", "address", "payments", "my_appointments", "human"})
_SLOTS = ("service", "day", "time", "name", "phone", "email")


@dataclass
class ToolResult:
    name: str
    args: dict[str, Any]
    data: dict[str, Any]

    @property
    def ok(self) -> bool:
        return bool(self.data.get("ok", "error" not in self.data))


@dataclass
class ConversationState:
    lang: str = "es"
    goal: str | None = None  # "book" | "reschedule" | "cancel"
    service: str | None = None
    day: str | None = None  # ISO date
    time: str | None = None  # "HH:MM"
    name: str | None = None  # given in this conversation
    phone: str | None = None
    email: str | None = None
    saved: dict[str, str] = field(default_factory=dict)  # stored by save_contact_details
    asked: str | None = None  # the slot our latest reply asked for
    intents: frozenset[str] = frozenset()  # of the latest user message
    latest: Extraction = field(default_factory=Extraction)  # of the latest user message
    latest_text: str = ""
    booked: list[dict[str, Any]] = field(default_factory=list)  # appointments made here
    turn_calls: list[tuple[str, str]] = field(default_factory=list)  # since the user spoke
    last_result: ToolResult | None = None
    turn_results: list[ToolResult] = field(default_factory=list)  # since the user spoke
    # The appointment the latest successful book/reschedule left (None once cancelled).
    last_appointment: dict[str, Any] | None = None
    replies: int = 0  # text replies we have given
    code: str | None = None  # a one-time code the latest message gave (we had asked for it)
    # The goal (cancel, reschedule) that found no appointment: it resumes when the person
    # goes on proving who they are (a code, the phone they booked with).
    unresolved: str | None = None
    # Appointments of the contact this chat proved to be (verify_code), as the tool gave.
    verified: list[dict[str, Any]] = field(default_factory=list)
    verified_name: str | None = None

    def called(self, name: str, args: dict[str, Any]) -> bool:
        """Whether this exact tool call was already made since the latest user message."""
        return (name, _key(args)) in self.turn_calls


def slot_context(profile: AgentProfile, asked: str | None) -> SlotContext:
    """The extraction context for `profile`'s tenant (region from its locale, e.g. "es-AR")."""
    region = profile.locale.split("-")[-1].upper() if "-" in profile.locale else "AR"
    area = "11" if region == "AR" and profile.timezone.endswith("Buenos_Aires") else None
    return SlotContext(
        service_names=profile.service_names,
        region=region,
        today=profile.now_local.date(),
        asked=asked,
        default_area=area,
    )


def rebuild(messages: Sequence[BaseMessage], profile: AgentProfile) -> ConversationState:
    """Replay `messages` (system prompt, history, new turn) into a `ConversationState`."""
    state = ConversationState()
    calls: dict[str, tuple[str, dict[str, Any]]] = {}
    for message in messages:
        if isinstance(message, HumanMessage):
            _on_user(state, message_text(message), profile)
        elif isinstance(message, AIMessage):
            for call in message.tool_calls:
                calls[call.get("id") or ""] = (call["name"], dict(call["args"]))
                state.turn_calls.append((call["name"], _key(call["args"])))
            text = message_text(message)
            if text:
                state.replies += 1
                state.asked = asked_slot(text)
        elif isinstance(message, ToolMessage):
            name, args = calls.get(message.tool_call_id, (message.name or "", {}))
            _apply_result(state, ToolResult(name or message.name or "", args, _data(message)))
    return state


def message_text(message: BaseMessage) -> str:
    """The text of a message whose content may be a string or a list of blocks."""
    if isinstance(message.content, str):
        return message.content
    parts = [b.get("text", "") if isinstance(b, dict) else str(b) for b in message.content]
    return "".join(p for p in parts if isinstance(p, str))


def _on_user(state: ConversationState, text: str, profile: AgentProfile) -> None:
    state.turn_calls = []
    state.turn_results = []
    state.last_result = None
    state.latest_text = text
    state.lang = guess_language(text, state.lang)
    if state.asked in VERIFY_ASKS and state.goal is None:
        state.goal = state.unresolved
    state.unresolved = None
    state.code = _code(text) if state.asked == "code" else None
    if state.code is not None:  # the code we asked for: no booking slot, no other intent
        state.intents = frozenset({"code"})
        state.latest = Extraction()
        return
    found = intent_table.detect(text)
    state.intents = found
    ex = extract(text, slot_context(profile, state.asked))
    state.latest = ex
    if "cancel" in found:
        state.goal = "cancel"
    elif "reschedule" in found:
        if state.goal != "reschedule":
            state.day = state.time = None
        state.goal = "reschedule"
    elif found & {"book", "availability"} or (
        "want" in found and (ex.service or ex.day) and not found & _INFO_INTENTS
    ):
        state.goal = state.goal if state.goal in {"book", "reschedule"} else "book"
    elif state.asked in {"book_offer", "continue"} and "affirm" in found:
        state.goal = state.goal or "book"
    elif state.asked in {"book_offer", "continue"} and "deny" in found:
        state.goal = None
    elif state.goal is None and (ex.day or ex.time) and not found & _INFO_INTENTS:
        state.goal = "book"
    for slot in _SLOTS:
        value = getattr(ex, slot)
        if value is not None:
            setattr(state, slot, value)


def _apply_result(state: ConversationState, result: ToolResult) -> None:
    state.last_result = result
    state.turn_results.append(result)
    data, name = result.data, result.name
    if not result.ok:
        code = data.get("code")
        if code == "not_found" and name in {"cancel_appointment", "reschedule_appointment"}:
            state.unresolved, state.goal = state.goal, None
        if code in {"slot_taken", "outside_hours"}:
            state.time = None
        elif code in {"closed_day", "past_date"}:
            state.day = None
            state.time = None if code == "past_date" else state.time
        elif code == "unknown_service":
            state.service = None
        elif code == "invalid_phone":
            state.phone = None
        elif code == "invalid_email":
            state.email = None
        return
    if name == "book_appointment":
        state.booked.append(dict(data.get("appointment") or {}))
        state.last_appointment = dict(data.get("appointment") or {})
        state.goal = state.service = state.day = state.time = None
    elif name == "reschedule_appointment":
        state.last_appointment = dict(data.get("appointment") or {})
        state.goal = state.service = state.day = state.time = None
    elif name == "cancel_appointment":
        state.service = None
        cancelled = (data.get("appointment") or {}).get("start")
        if state.last_appointment and state.last_appointment.get("start") == cancelled:
            state.last_appointment = None
        state.booked = [a for a in state.booked if a.get("start") != cancelled]
        state.verified = [a for a in state.verified if a.get("start") != cancelled]
        state.goal = None
    elif name == "verify_code":
        state.verified = [dict(a) for a in data.get("upcoming") or []]
        state.verified_name = data.get("name") or None
    elif name == "save_contact_details":
        for key in ("name", "phone", "email"):
            if result.args.get(key):
                state.saved[key] = str(result.args[key])
    elif name == "check_availability" and not result.args.get("until_day"):
        days = data.get("days") or []
        if state.day and not any(d.get("date") == state.day and d.get("slots") for d in days):
            state.day = None  # nothing free that day: ask for another


_CODE = re.compile(r"(?<!\d)(\d{3})[ .-]?(\d{3})(?!\d)")


def _code(text: str) -> str | None:
    """A 6-digit code ("123456", "123 456") in a message answering our code question."""
    found = _CODE.search(text)
    return found.group(1) + found.group(2) if found else None


def _data(message: ToolMessage) -> dict[str, Any]:
    text = message_text(message)
    try:
        data = json.loads(text)
    except (TypeError, ValueError):
        # A tool that raised comes back as plain text ("Error: ..."): treat it as a failure.
        return {"ok": False, "error": text}
    return data if isinstance(data, dict) else {"ok": True, "value": data}


def _key(args: Any) -> str:
    return json.dumps(args, sort_keys=True, default=str)
