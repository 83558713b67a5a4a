"""Running the agent graph for one turn: every step stored as it happens, the final reply
checked before anything of it is kept.

- **Steps.** Each model message with tool calls, and each tool result, is stored and
  committed as the graph produces it (a tool's effects commit with its stored result, so a
  retried turn never repeats them). The calls of one model message run one after another,
  in the order the model wrote them (`max_concurrency=1`): "save my details, then book"
  written as one message must not book first. They share the turn's database session, so
  storing and committing also happen under the turn's lock, the one the tool bodies take.
- **The final reply** is held back until checked: model machinery is removed
  (agent.reply_clean), and a reply that claims an action no tool did is not sent
  (agent.verified): the model gets one corrective note and another try; if it claims it
  again, the customer gets a safe reply and the conversation is flagged for a person. Both
  rejected replies count as unverified claims. An empty reply (or one that was all
  machinery) after successful tools becomes a confirmation built from their results
  (agent.confirmations); after a refusal the customer can fix (no phone yet, a taken
  time), a question asking for it; otherwise the model is asked once more, then the
  runtime apologizes.
- **An action repeated** with the same arguments after it succeeded in this turn (small
  models loop on a reschedule until the iteration limit) is not run again: the turn ends
  there, with the confirmation of what was done. Reads (list_services…) repeated keep
  going up to the iteration limit, then a person is asked to step in.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolCall, ToolMessage
from sqlmodel import Session

from agent import fencing
from agent.confirmations import ACTIONS, APPOINTMENT_ACTIONS, confirmation, follow_up
from agent.context import TurnContext
from agent.history import stored_fields
from agent.reply_clean import clean_reply
from agent.verified import SAFE_REPLY, correction, facts_from, unverified_claims
from crm.models import Conversation, Message, MessageRole
from crm.services.conversations import add_message, flag_for_human

log = logging.getLogger("mostrador.agent")

UNVERIFIED_REASON = "el agente afirmó algo que ninguna herramienta hizo"
EMPTY_NOTE = {
    "es": "Nota interna, no la repitas: tu último mensaje no tenía nada para el cliente (ni "
          "una llamada a herramienta válida). Respondé ahora al cliente en una o dos frases, o "
          "llamá a la herramienta que corresponda.",
    "en": "Internal note, do not repeat it: your last message had nothing for the customer "
          "(nor a valid tool call). Answer the customer now in one or two sentences, or call "
          "the tool that applies.",
}

# Called after each committed step with the graph update (metrics).
Observe = Callable[[dict[str, Any]], None]
# Runs what the step's tools queued for after the commit (a code to send).
AfterCommit = Callable[[TurnContext], None]


@dataclass
class Outcome:
    reply: str = ""
    reply_row: Message | None = None
    calls: list[str] = field(default_factory=list)
    usage: dict[str, int] = field(default_factory=dict)
    unverified: int = 0
    produced: list[BaseMessage] = field(default_factory=list)  # stored this turn


def _key(call: ToolCall) -> str:
    return json.dumps([call["name"], call["args"]], sort_keys=True, default=str)


def _succeeded(message: ToolMessage) -> bool:
    try:
        data = json.loads(str(message.content))
    except ValueError:
        return False
    return isinstance(data, dict) and data.get("ok") is True


def count_usage(usage: dict[str, int], message: AIMessage) -> None:
    """Add one model call's reported token usage (providers that report none add a call)."""
    usage["model_calls"] = usage.get("model_calls", 0) + 1
    reported: dict[str, Any] = dict(message.usage_metadata or {})
    for key in ("input_tokens", "output_tokens"):
        value = reported.get(key)
        if isinstance(value, int):
            usage[key] = usage.get(key, 0) + value


def run_turn(graph: Any, messages: list[BaseMessage], *, history: Sequence[BaseMessage],
             context: TurnContext, db: Session, conversation: Conversation, limit: int,
             tool_names: set[str], lang: str, observe: Observe,
             after_commit: AfterCommit) -> Outcome:
    """Stream the graph from `messages` (the prompt and the history fitted to the context
    budget) and store the turn; see the module docstring. Claims are checked against the
    tool results of the whole loaded `history`, compacted or not. Raises what the graph
    raises (the caller decides)."""
    outcome = Outcome()
    tz = ZoneInfo(context.tenant.timezone)
    asked: dict[str, str] = {}  # tool call id -> its name and arguments
    succeeded: set[str] = set()  # calls (name and arguments) that succeeded this turn
    attempt_input = list(messages)
    text = ""
    for attempt in (1, 2):
        final: AIMessage | None = None
        produced: list[BaseMessage] = []
        config = {"recursion_limit": limit, "max_concurrency": 1}
        repeated = False
        for update in graph.stream({"messages": attempt_input}, context=context,
                                   config=config, stream_mode="updates"):
            observe(update)
            with context.lock:  # parallel tool calls share the session (module docstring)
                for step in update.values():
                    for message in (step or {}).get("messages", []):
                        if isinstance(message, AIMessage):
                            count_usage(outcome.usage, message)
                            if not message.tool_calls:
                                final = message  # checked before anything of it is kept
                                continue
                            if all(_key(c) in succeeded for c in message.tool_calls):
                                repeated = True  # done already: not run again (docstring)
                                break
                            outcome.calls += [c["name"] for c in message.tool_calls]
                            asked.update({c["id"] or "": _key(c) for c in message.tool_calls})
                        elif (isinstance(message, ToolMessage) and message.name in ACTIONS
                              and _succeeded(message)):
                            succeeded.add(asked.get(message.tool_call_id, ""))
                        fields = stored_fields(message)
                        if fields is not None:
                            add_message(db, conversation=conversation, flush=False, **fields)
                            produced.append(message)
                fencing.check()
                db.commit()
            after_commit(context)
            if repeated:
                log.info("repeated tool call conversation=%s", conversation.id)
                break
        outcome.produced += produced
        raw = str(final.content) if final is not None else ""
        text = clean_reply(raw, tool_names)
        if not text:
            # Nothing for the customer: say what the turn's tools did, or (once) ask again.
            # What was done comes first, then what the customer can fix: a booking that
            # went through is confirmed even when a later call of the turn was refused.
            question = follow_up(outcome.produced, lang=lang)
            done = confirmation(outcome.produced, lang=lang, tz=tz,
                                only=APPOINTMENT_ACTIONS if question else ACTIONS)
            text = " ".join(t for t in (done, question) if t)
            if text or attempt == 2 or final is None:
                break
            log.info("empty reply conversation=%s attempt=%d", conversation.id, attempt)
            attempt_input = [*attempt_input, *produced, AIMessage(content=raw),
                             HumanMessage(content=EMPTY_NOTE["en" if lang == "en" else "es"])]
            continue
        claims = unverified_claims(text, facts_from([*history, *outcome.produced], tz))
        if not claims:
            break
        outcome.unverified += 1
        log.warning("unverified claim conversation=%s claims=%s attempt=%d", conversation.id,
                    ",".join(claims), attempt)
        if attempt == 1:
            attempt_input = [*attempt_input, *produced, AIMessage(content=raw),
                             HumanMessage(content=correction(claims, lang))]
            continue
        text = SAFE_REPLY["en" if lang == "en" else "es"]
        flag_for_human(db, conversation=conversation, reason=UNVERIFIED_REASON)
    if text:
        fencing.check()
        with context.lock:
            outcome.reply_row = add_message(db, conversation=conversation,
                                            role=MessageRole.assistant, text=text)
            db.commit()
    outcome.reply = text
    return outcome
