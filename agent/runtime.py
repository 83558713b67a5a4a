"""One agent turn: the inbound message is stored, the graph runs, every step is stored.

This is the processing entry point channels hand their normalized messages to. It knows no
channel protocol and no HTTP. The conversation history lives only in the CRM tables (no
LangGraph checkpointer): each turn rebuilds the model's input from them.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx
import openai
from langchain.agents import create_agent
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage
from langgraph.errors import GraphRecursionError
from sqlalchemy.engine import Engine
from sqlmodel import Session

from agent.context import TurnContext
from agent.history import stored_fields, to_langchain
from agent.llm import chat_model
from agent.prompt import build_system_prompt
from agent.snapshot import build_profile
from crm.models import Channel, Contact, Conversation, Message, MessageRole, Tenant
from crm.services.contacts import contact_for_identity
from crm.services.conversations import add_message, flag_for_human, open_conversation, transcript
from crm.services.tenants import agent_config, tenant_by_slug
from crm.settings import Settings
from tools import tools_named

log = logging.getLogger("mostrador.agent")

HISTORY_WINDOW = 40
APOLOGY = {
    "es": "Perdón, tuve un problema técnico y no pude responderte. Ya quedó registrado tu "
          "mensaje; probá de nuevo en unos minutos o pedí hablar con una persona.",
    "en": "Sorry, I had a technical problem and could not answer. Your message is saved; "
          "please try again in a few minutes or ask to talk to a person.",
}
TOO_LONG = ("Perdón, no logré resolverlo. Le pedí a alguien del equipo que siga la "
            "conversación.")
# Exceptions that mean the LLM (not our code) failed, after the client's own retries.
LLM_FAILURES: tuple[type[BaseException], ...] = (openai.APIError, httpx.HTTPError, TimeoutError)


@dataclass(frozen=True)
class Inbound:
    """A normalized inbound text from any channel."""

    tenant_slug: str
    channel: Channel
    thread_id: str  # web session id, WhatsApp wa_id, PSID ...
    text: str
    phone: str | None = None  # a number the channel vouches for (WhatsApp)
    utm: dict[str, str] = field(default_factory=dict)
    channel_message_id: str | None = None


@dataclass(frozen=True)
class TurnResult:
    conversation_id: str
    reply: str
    ok: bool = True
    tool_calls: tuple[str, ...] = ()
    reply_message_id: int | None = None  # the stored assistant message carrying `reply`


class AgentRuntime:
    """Runs turns. One per process; compiled graphs are cached per (model, tools)."""

    def __init__(self, settings: Settings, engine: Engine,
                 clock: Callable[[], datetime] | None = None) -> None:
        self.settings = settings
        self.engine = engine
        self.clock = clock or (lambda: datetime.now(UTC))
        self._graphs: dict[tuple[str | None, tuple[str, ...]], Any] = {}
        self._lock = threading.Lock()
        self._thread_locks: dict[tuple[str, str, str], threading.Lock] = {}

    def _graph(self, model_name: str | None, tool_names: tuple[str, ...]) -> Any:
        key = (model_name, tool_names)
        with self._lock:
            graph = self._graphs.get(key)
            if graph is None:
                graph = create_agent(
                    chat_model(self.settings, model_name=model_name),
                    tools_named(tool_names),
                    context_schema=TurnContext,
                )
                self._graphs[key] = graph
            return graph

    def _thread_lock(self, inbound: Inbound) -> threading.Lock:
        key = (inbound.tenant_slug, inbound.channel.value, inbound.thread_id)
        with self._lock:
            return self._thread_locks.setdefault(key, threading.Lock())

    def handle(self, inbound: Inbound) -> TurnResult:
        """Store the inbound message, run a turn and return the reply.

        Raises crm.errors.NotFound for an unknown tenant. LLM failures do not raise: the
        user's message stays stored and the reply is an apology (TurnResult.ok is False).
        """
        with self._thread_lock(inbound), Session(self.engine, expire_on_commit=False) as db:
            tenant = tenant_by_slug(db, slug=inbound.tenant_slug)
            contact = contact_for_identity(db, tenant=tenant, channel=inbound.channel.value,
                                           external_id=inbound.thread_id, phone=inbound.phone)
            conversation = open_conversation(db, tenant=tenant, contact=contact,
                                             channel=inbound.channel, external_id=inbound.thread_id)
            add_message(db, conversation=conversation, role=MessageRole.user, text=inbound.text,
                        channel_message_id=inbound.channel_message_id)
            db.commit()  # the inbound message is kept whatever happens next
            return self._run(db, tenant=tenant, contact=contact, conversation=conversation,
                             utm=inbound.utm)

    def _run(self, db: Session, *, tenant: Tenant, contact: Contact,
             conversation: Conversation, utm: dict[str, str]) -> TurnResult:
        started = time.perf_counter()
        now = self.clock()
        config = agent_config(db, tenant=tenant)
        profile = build_profile(db, tenant=tenant, config=config, contact=contact, now=now)
        history = to_langchain(transcript(db, conversation_id=conversation.id,
                                          limit=HISTORY_WINDOW))
        context = TurnContext(db=db, tenant=tenant, contact=contact, conversation=conversation,
                              now=now, utm=utm, profile=profile)
        graph = self._graph(config.model, tuple(config.enabled_tools))
        messages = [SystemMessage(content=build_system_prompt(profile)), *history]
        # End the read transaction before the first LLM call: on SQLite every transaction
        # holds the write lock, and it must never be held while waiting on the model.
        db.commit()
        limit = 2 * self.settings.agent_max_iterations + 1
        reply, calls, ok = "", [], True
        reply_row: Message | None = None  # read its id after the commit (flush may be deferred)
        try:
            for update in graph.stream({"messages": messages}, context=context,
                                       config={"recursion_limit": limit},
                                       stream_mode="updates"):
                for step in update.values():
                    for message in (step or {}).get("messages", []):
                        fields = stored_fields(message)
                        if fields is None:
                            continue
                        stored = add_message(db, conversation=conversation, flush=False,
                                             **fields)
                        if isinstance(message, AIMessage):
                            calls += [c["name"] for c in message.tool_calls]
                            if not message.tool_calls:
                                reply, reply_row = fields["text"], stored
                db.commit()
        except GraphRecursionError:
            db.rollback()
            log.warning("turn hit the tool-iteration limit conversation=%s", conversation.id)
            flag_for_human(db, conversation=conversation, reason="límite de pasos del agente")
            reply, ok = TOO_LONG, False
        except LLM_FAILURES as exc:
            db.rollback()
            log.error("llm failed conversation=%s error=%s", conversation.id,
                      type(exc).__name__)
            reply, ok = APOLOGY[_language(history)], False
        except Exception as exc:  # a bug must not cost the user an answer, nor leak PII
            db.rollback()
            log.error("turn crashed conversation=%s error=%s at=%s", conversation.id,
                      type(exc).__name__, _where(exc))
            reply, ok = APOLOGY[_language(history)], False
        if not reply.strip():
            reply, ok = APOLOGY[_language(history)], False
        if not ok:
            reply_row = add_message(db, conversation=conversation, role=MessageRole.assistant,
                                    text=reply)
            db.commit()
        log.info("turn done conversation=%s tools=%s ok=%s ms=%.1f", conversation.id,
                 ",".join(calls) or "-", ok, (time.perf_counter() - started) * 1000)
        return TurnResult(conversation_id=conversation.id, reply=reply, ok=ok,
                          tool_calls=tuple(calls),
                          reply_message_id=reply_row.id if reply_row is not None else None)


def _where(exc: BaseException) -> str:
    """file:line of the innermost frame; exception messages may carry data, frames do not."""
    tb = exc.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    return f"{tb.tb_frame.f_code.co_filename}:{tb.tb_lineno}" if tb else "?"


def _language(history: list[Any]) -> str:
    """'en' when the user's last message looks English, else 'es' (for canned replies)."""
    last = next((m for m in reversed(history) if isinstance(m, HumanMessage)), None)
    words = set(str(last.content).lower().split()) if last is not None else set()
    english = {"hi", "hello", "the", "i", "want", "please", "appointment", "thanks", "my", "is"}
    return "en" if len(words & english) >= 2 else "es"
