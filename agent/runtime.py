"""One agent turn: the inbound message is stored, the graph runs, every step is stored.

This is the processing entry point channels hand their normalized messages to. It knows no
channel protocol and no HTTP. The conversation history lives only in the CRM tables (no
LangGraph checkpointer): each turn rebuilds the model's input from them.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

import httpx
import openai
from langchain.agents import create_agent
from langchain_core.messages import BaseMessage, HumanMessage, SystemMessage, ToolMessage
from langgraph.errors import GraphRecursionError
from sqlalchemy.engine import Engine
from sqlmodel import Session

from agent import fencing
from agent.context import TurnContext
from agent.context_budget import fit, latest_start, tool_schema_tokens
from agent.errors import TurnFailed
from agent.history import to_langchain
from agent.llm import chat_model
from agent.minors import AgeStatement, asks_age, stated_age
from agent.profile import AgentProfile
from agent.prompt import build_system_prompt, context_note
from agent.snapshot import build_profile
from agent.turn_loop import Outcome, run_turn
from crm.crypto import box_for
from crm.models import Channel, Contact, Conversation, MessageRole, Tenant
from crm.services.contacts import contact_for_identity
from crm.services.conversations import (
    add_message,
    final_reply_after,
    flag_for_human,
    open_conversation,
    stored_inbound,
    transcript,
)
from crm.services.privacy import (
    MINOR,
    RESTRICTED,
    RESTRICTED_REASON,
    flag_minor,
    privacy_settings,
    processing_block,
)
from crm.services.takeover import hand_back, is_held
from crm.services.tenants import agent_config, tenant_by_slug
from crm.services.verification import CodeDelivery
from crm.settings import Settings
from crm.text import guess_language
from tools import tools_named

log = logging.getLogger("mostrador.agent")

HISTORY_WINDOW = 40
# Offered only where this deployment can send codes (code_delivery); else a person helps.
VERIFICATION_TOOLS = frozenset({"send_verification_code", "verify_code"})
APPOINTMENT_CHANGES = frozenset({"reschedule_appointment", "cancel_appointment"})
MIN_CONTEXT_TOKENS = 2048
_CONTEXT_EXCEEDED = re.compile(r"context[ _](?:length|window|size)|exceeds? .{0,40}context|"
                               r"too many tokens|prompt is too long", re.I)


def context_exceeded(exc: openai.BadRequestError) -> bool:
    """Whether a 400 says the prompt did not fit (OpenAI, vLLM, llama.cpp wordings)."""
    return exc.code == "context_length_exceeded" or bool(_CONTEXT_EXCEEDED.search(str(exc)))
THREAD_LOCK_STRIPES = 512
APOLOGY = {
    "es": "Perdón, tuve un problema técnico y no pude responderte. Ya quedó registrado tu "
          "mensaje; probá de nuevo en unos minutos o pedí hablar con una persona.",
    "en": "Sorry, I had a technical problem and could not answer. Your message is saved; "
          "please try again in a few minutes or ask to talk to a person.",
}
TOO_LONG = ("Perdón, no logré resolverlo. Le pedí a alguien del equipo que siga la "
            "conversación.")
# The privacy gate's fixed replies (no model runs): a minor, a restricted contact.
GATE_REPLIES = {
    MINOR: {
        "es": "Gracias por escribirnos. Para atenderte necesitamos que nos escriba una persona "
              "adulta (tu mamá, tu papá o quien te cuide): volvé a escribirnos junto con ella. "
              "Una persona del equipo va a revisar esta conversación y seguirla.",
        "en": "Thanks for writing to us. To help you we need an adult (a parent or guardian) "
              "to write to us: please come back with one. A person from our team will review "
              "this conversation and follow up.",
    },
    RESTRICTED: {
        "es": "Gracias por tu mensaje. Una persona del equipo te va a responder a la brevedad.",
        "en": "Thanks for your message. A person from our team will answer you shortly.",
    },
}
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


class TurnObserver(Protocol):
    """Receives timings and outcomes for metrics (no tenant data beyond what is passed)."""

    def llm_call(self, tenant_slug: str, seconds: float) -> None: ...

    def tool_call(self, tenant_slug: str, tool: str, ok: bool) -> None: ...

    def unverified_claims(self, tenant_slug: str, count: int) -> None: ...


@dataclass(frozen=True)
class TurnResult:
    conversation_id: str
    reply: str
    ok: bool = True
    tool_calls: tuple[str, ...] = ()
    reply_message_id: int | None = None  # the stored assistant message carrying `reply`
    held: bool = False  # staff hold the conversation: stored, no turn, no reply
    # What the model spent, when the provider reports usage ({"input_tokens",
    # "output_tokens", "model_calls"}); empty for turns that ran no model.
    usage: dict[str, int] = field(default_factory=dict)
    # Replies that claimed an action no tool did this turn (kept from the customer).
    unverified_claims: int = 0


class AgentRuntime:
    """Runs turns. One per process; compiled graphs are cached per (model, tools)."""

    def __init__(self, settings: Settings, engine: Engine,
                 clock: Callable[[], datetime] | None = None,
                 code_delivery: CodeDelivery | None = None) -> None:
        """`code_delivery` sends one-time verification codes (channels.verification);
        without it the agent offers a person instead of a code."""
        self.settings = settings
        self.engine = engine
        self.clock = clock or (lambda: datetime.now(UTC))
        self.code_delivery = code_delivery
        self.box = box_for(settings)
        self._graphs: dict[tuple[str | None, tuple[str, ...]], Any] = {}
        self._lock = threading.Lock()
        # Turns of one thread run one at a time. A lock per thread would grow forever in a
        # long-running server; a fixed set of stripes keeps that order with bounded memory
        # (two threads sharing a stripe just wait for each other).
        self._thread_locks = [threading.Lock() for _ in range(THREAD_LOCK_STRIPES)]
        self.observer: TurnObserver | None = None  # metrics, set by whoever exposes them

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
        return self._thread_locks[hash(key) % THREAD_LOCK_STRIPES]

    def handle(self, inbound: Inbound) -> TurnResult:
        """Store the inbound message, run a turn and return the reply.

        Raises crm.errors.NotFound for an unknown tenant. LLM failures do not raise: the
        user's message stays stored and the reply is an apology (TurnResult.ok is False).
        """
        return self.handle_batch([inbound])

    def handle_batch(self, inbounds: list[Inbound], *, canned: str | None = None,
                     strict: bool = False) -> TurnResult:
        """Store several inbound messages of one thread and answer them in one turn.

        Idempotent for retries (the durable queue delivers at least once): an inbound whose
        `channel_message_id` is already stored in the conversation is not stored again, and
        when a final reply already follows the last of them the turn is not run again (its
        reply is returned). A turn cut off mid-way resumes from the stored transcript, so a
        tool whose result was stored (it commits with its effects) is not called again.
        The privacy gate runs before any model: a contact whose processing is blocked
        (crm.services.privacy.processing_block: restricted, or flagged as a minor), or who
        says in these messages that they are under the business's `minor_age` (then flagged
        with flag_minor), gets a fixed reply and no turn (TurnResult.ok is False).
        With `canned`, that text is the reply and no model runs (rate limits). With
        `strict`, an LLM failure raises agent.errors.TurnFailed instead of storing an apology
        (the durable queue retries the turn, then dead-letters it). Under a worker's fence
        (agent.fencing) every write is preceded by a check that the turn is still its own.
        """
        first = inbounds[0]
        fencing.check()  # a retry by a worker whose turn was taken (or erased) writes nothing
        with self._thread_lock(first), Session(self.engine, expire_on_commit=False) as db:
            tenant = tenant_by_slug(db, slug=first.tenant_slug)
            contact = contact_for_identity(db, tenant=tenant, channel=first.channel.value,
                                           external_id=first.thread_id,
                                           phone=next((i.phone for i in inbounds if i.phone),
                                                      None))
            conversation = open_conversation(db, tenant=tenant, contact=contact,
                                             channel=first.channel, external_id=first.thread_id)
            last_id = 0
            for inbound in inbounds:
                stored = (stored_inbound(db, conversation_id=conversation.id,
                                         channel_message_id=inbound.channel_message_id)
                          if inbound.channel_message_id else None)
                if stored is None:
                    stored = add_message(db, conversation=conversation, role=MessageRole.user,
                                         text=inbound.text,
                                         channel_message_id=inbound.channel_message_id)
                    db.flush()
                last_id = max(last_id, stored.id or 0)
            db.commit()  # the inbound messages are kept whatever happens next
            done = final_reply_after(db, conversation_id=conversation.id, message_id=last_id)
            if done is not None:
                log.info("turn already answered conversation=%s", conversation.id)
                return TurnResult(conversation_id=conversation.id, reply=done.text,
                                  reply_message_id=done.id)
            fencing.check()  # a stalled worker whose turn was taken stops before it answers
            if conversation.held_by is not None:
                idle = timedelta(hours=self.settings.takeover_idle_hours)
                if is_held(conversation, idle=idle, now=self.clock()):
                    db.commit()
                    log.info("turn skipped: held by staff conversation=%s", conversation.id)
                    return TurnResult(conversation_id=conversation.id, reply="", held=True)
                hand_back(db, conversation=conversation)  # idle: the agent answers again
                log.info("idle takeover handed back conversation=%s", conversation.id)
            gated = self._gate(db, tenant=tenant, contact=contact, conversation=conversation,
                               inbounds=inbounds)
            if gated is not None:
                return gated
            if canned is not None:
                row = add_message(db, conversation=conversation, role=MessageRole.assistant,
                                  text=canned)
                db.commit()
                return TurnResult(conversation_id=conversation.id, reply=canned, ok=False,
                                  reply_message_id=row.id)
            utm: dict[str, str] = {}
            for inbound in inbounds:
                utm.update(inbound.utm)
            return self._run(db, tenant=tenant, contact=contact, conversation=conversation,
                             utm=utm, strict=strict)

    def _gate(self, db: Session, *, tenant: Tenant, contact: Contact,
              conversation: Conversation, inbounds: list[Inbound]) -> TurnResult | None:
        """The fixed reply when the agent must not process this contact, else None."""
        block = processing_block(db, contact_id=contact.id)
        language = guess_language(" ".join(i.text for i in inbounds))
        if block is None:
            statement = self._minor(db, tenant=tenant, conversation=conversation,
                                    inbounds=inbounds)
            if statement is None:
                return None
            flag_minor(db, box=box_for(self.settings), contact=contact,
                       conversation=conversation, now=self.clock())
            block, language = MINOR, statement.language
            log.info("minor flagged conversation=%s", conversation.id)
        elif block == RESTRICTED and not conversation.needs_human:
            flag_for_human(db, conversation=conversation, reason=RESTRICTED_REASON)
        reply = GATE_REPLIES[block][language]
        row = add_message(db, conversation=conversation, role=MessageRole.assistant, text=reply)
        db.commit()
        log.info("turn gated conversation=%s reason=%s", conversation.id, block)
        return TurnResult(conversation_id=conversation.id, reply=reply, ok=False,
                          reply_message_id=row.id)

    def _minor(self, db: Session, *, tenant: Tenant, conversation: Conversation,
               inbounds: list[Inbound]) -> AgeStatement | None:
        """The user's statement that they are under the business's minimum age, if any."""
        minor_age = privacy_settings(db, tenant_id=tenant.id).minor_age
        if minor_age <= 0:
            return None
        asked: bool | None = None
        for inbound in inbounds:
            statement = stated_age(inbound.text)
            if statement is None and stated_age(inbound.text, asked_age=True) is not None:
                # A bare number ("12") is an age only as the answer to an age question of
                # the agent's previous message (looked up only then).
                if asked is None:
                    recent = transcript(db, conversation_id=conversation.id,
                                        limit=len(inbounds) + 8)
                    previous = next((m for m in reversed(recent)
                                     if m.role == MessageRole.assistant and not m.tool_calls),
                                    None)
                    asked = previous is not None and asks_age(previous.text)
                statement = stated_age(inbound.text, asked_age=asked)
            if statement is not None and statement.under(minor_age):
                return statement
        return None

    def _run(self, db: Session, *, tenant: Tenant, contact: Contact,
             conversation: Conversation, utm: dict[str, str],
             strict: bool = False) -> TurnResult:
        started = time.perf_counter()
        now = self.clock()
        config = agent_config(db, tenant=tenant)
        profile = build_profile(db, tenant=tenant, config=config, contact=contact, now=now)
        history = self._history(db, conversation)
        context = TurnContext(db=db, tenant=tenant, contact=contact, conversation=conversation,
                              now=now, utm=utm, profile=profile, box=self.box,
                              code_delivery=self.code_delivery,
                              customer_texts=_texts(history),
                              turn_texts=_texts(history[latest_start(history):]))
        tools = self._tools(config.enabled_tools, profile)
        graph = self._graph(config.model, tools)
        system = SystemMessage(content=build_system_prompt(profile))
        note = SystemMessage(content=context_note(profile))
        # End the read transaction before the first LLM call: on SQLite every transaction
        # holds the write lock, and it must never be held while waiting on the model.
        db.commit()
        limit = 2 * self.settings.agent_max_iterations + 1
        lang = _language(history)
        outcome = Outcome()
        ok = True
        step_started = [time.perf_counter()]

        def observe(update: dict[str, Any]) -> None:
            self._observe(tenant.slug, update, time.perf_counter() - step_started[0])
            step_started[0] = time.perf_counter()

        try:
            budget = self.settings.llm_context_tokens
            while True:
                messages = fit(system=system, history=history, note=note, budget=budget,
                               tools_tokens=tool_schema_tokens(tools))
                try:
                    outcome = run_turn(graph, messages, history=history, context=context,
                                       db=db, conversation=conversation, limit=limit,
                                       tool_names=set(tools), lang=lang, observe=observe,
                                       after_commit=_run_after_commit)
                    break
                except openai.BadRequestError as exc:
                    if not context_exceeded(exc) or budget < 2 * MIN_CONTEXT_TOKENS:
                        raise
                # The server's window is smaller than configured: again, with less history
                # (what this attempt stored is in the transcript now).
                context.after_commit.clear()
                db.rollback()
                budget //= 2
                log.warning("context exceeded conversation=%s retry_budget=%d",
                            conversation.id, budget)
                history = self._history(db, conversation)
                db.commit()
        except fencing.LeaseLost:
            context.after_commit.clear()
            db.rollback()  # another worker runs this turn now: store nothing more
            log.warning("turn taken over conversation=%s", conversation.id)
            raise
        except GraphRecursionError:
            context.after_commit.clear()
            db.rollback()
            log.warning("turn hit the tool-iteration limit conversation=%s", conversation.id)
            flag_for_human(db, conversation=conversation, reason="límite de pasos del agente")
            outcome.reply, ok = TOO_LONG, False
        except LLM_FAILURES as exc:
            context.after_commit.clear()
            db.rollback()
            log.error("llm failed conversation=%s error=%s", conversation.id,
                      type(exc).__name__)
            if strict:
                raise TurnFailed(type(exc).__name__) from None
            outcome.reply, ok = APOLOGY[lang], False
        except Exception as exc:  # a bug must not cost the user an answer, nor leak PII
            context.after_commit.clear()
            db.rollback()
            log.error("turn crashed conversation=%s error=%s at=%s", conversation.id,
                      type(exc).__name__, _where(exc))
            outcome.reply, ok = APOLOGY[lang], False
        if ok and not outcome.reply.strip():
            outcome.reply, ok = APOLOGY[lang], False
        if not ok:
            fencing.check()
            outcome.reply_row = add_message(db, conversation=conversation,
                                            role=MessageRole.assistant, text=outcome.reply)
            db.commit()
        if outcome.unverified and self.observer is not None:
            self.observer.unverified_claims(tenant.slug, outcome.unverified)
        log.info("turn done conversation=%s tools=%s ok=%s unverified=%d ms=%.1f",
                 conversation.id, ",".join(outcome.calls) or "-", ok, outcome.unverified,
                 (time.perf_counter() - started) * 1000)
        row = outcome.reply_row
        return TurnResult(conversation_id=conversation.id, reply=outcome.reply, ok=ok,
                          tool_calls=tuple(outcome.calls),
                          reply_message_id=row.id if row is not None else None,
                          usage=outcome.usage, unverified_claims=outcome.unverified)

    @staticmethod
    def _history(db: Session, conversation: Conversation) -> list[BaseMessage]:
        return to_langchain(transcript(db, conversation_id=conversation.id,
                                       limit=HISTORY_WINDOW))

    def _tools(self, enabled: list[str], profile: AgentProfile) -> tuple[str, ...]:
        """The tools bound for this turn: the business's enabled ones, less the code tools
        where no code can be sent, and less moving and cancelling when the contact has no
        upcoming appointment (unless a code could prove who they are this turn)."""
        tools = tuple(t for t in enabled
                      if self.code_delivery is not None or t not in VERIFICATION_TOOLS)
        if not profile.upcoming and not VERIFICATION_TOOLS & set(tools):
            tools = tuple(t for t in tools if t not in APPOINTMENT_CHANGES)
        return tools

    def _observe(self, slug: str, update: dict[str, Any], seconds: float) -> None:
        observer = self.observer
        if observer is None:
            return
        for node, step in update.items():
            if node == "model":
                observer.llm_call(slug, seconds)
            for message in (step or {}).get("messages", []):
                if isinstance(message, ToolMessage):
                    observer.tool_call(slug, message.name or "?",
                                       message.status != "error"
                                       and '"ok": false' not in str(message.content)[:40])


def _texts(messages: list[BaseMessage]) -> tuple[str, ...]:
    """What the customer wrote among `messages`."""
    return tuple(str(m.content) for m in messages if isinstance(m, HumanMessage))


def _run_after_commit(context: TurnContext) -> None:
    """Run the effects the step's tools queued (a code to send), now that it is committed.
    A failure is logged by type only (a code or an address may be in the message)."""
    while context.after_commit:
        effect = context.after_commit.pop(0)
        try:
            effect()
        except Exception as exc:  # the turn goes on; the person can ask for another code
            log.error("after-commit effect failed conversation=%s error=%s",
                      context.conversation.id, type(exc).__name__)


def _where(exc: BaseException) -> str:
    """file:line of the innermost frame; exception messages may carry data, frames do not."""
    tb = exc.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    return f"{tb.tb_frame.f_code.co_filename}:{tb.tb_lineno}" if tb else "?"


def _language(history: list[Any]) -> str:
    """The language of the user's last message, for canned replies (crm.text.guess_language:
    punctuation is not part of a word, so "Hello," is English)."""
    last = next((m for m in reversed(history) if isinstance(m, HumanMessage)), None)
    return guess_language(str(last.content)) if last is not None else "es"
