"""The web chat's public API: sessions, messages, history and what the widget shows.

Anyone on the internet calls these, from the business's own site (CORS: api.widget_cors)
or Mostrador's chat page. The session id is the secret that opens a conversation: the
server issues one with 192 random bits (`POST .../sessions`); a client-chosen id must have
at least 22 URL-safe characters. Every endpoint is rate limited per client address, and
messages per session (api.chat_limits): over a limit, 429 with Retry-After.
"""

from __future__ import annotations

import logging
import secrets
import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request, status
from fastapi.responses import JSONResponse
from redis import RedisError
from sqlmodel import Session

from agent.runtime import Inbound
from api.chat_limits import RateLimited
from api.deps import ChatLimiterDep, QueueDep, RuntimeDep, SessionDep, SettingsDep, client_address
from api.schemas import (
    SESSION_ID_PATTERN,
    ChatConfigOut,
    ChatIn,
    ChatMessageOut,
    ChatOut,
    ChatSessionOut,
)
from api.strict_input import IntakeRoute
from channels.durable.errors import QueueUnavailable
from channels.durable.streams import Queue
from crm.errors import NotFound
from crm.models import Channel, Tenant
from crm.services.contacts import contact_for_identity
from crm.services.conversations import find_conversation, open_conversation, visible_history
from crm.services.tenants import agent_config, tenant_by_slug

log = logging.getLogger("mostrador.api.chat")


def too_many(exc: RateLimited) -> HTTPException:
    what = {"ip": "requests from this address", "session": "messages in this chat",
            "sessions": "new chats from this address"}[exc.limit.name]
    return HTTPException(status.HTTP_429_TOO_MANY_REQUESTS,
                         f"Too many {what}; try again in {exc.retry_after} s.",
                         headers={"Retry-After": str(exc.retry_after)})


def limit_address(request: Request, limiter: ChatLimiterDep) -> None:
    """Every public chat request counts against its client address."""
    try:
        limiter.check_ip(client_address(request))
    except RateLimited as exc:
        raise too_many(exc) from None


router = APIRouter(tags=["web chat"], dependencies=[Depends(limit_address)],
                   route_class=IntakeRoute)
SessionQuery = Annotated[str, Query(min_length=22, max_length=128, pattern=SESSION_ID_PATTERN,
                                    description="the chat's session id")]


def _tenant(db: Session, slug: str) -> Tenant:
    try:
        return tenant_by_slug(db, slug=slug)
    except NotFound:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "Unknown business.") from None


@router.post("/v1/chat/{tenant_slug}/sessions", response_model=ChatSessionOut,
             status_code=status.HTTP_201_CREATED)
def create_session(tenant_slug: str, request: Request, db: SessionDep,
                   limiter: ChatLimiterDep) -> ChatSessionOut:
    """A new chat session: a random id (192 bits) the page keeps and sends with each
    message. Nothing is stored until the first message."""
    _tenant(db, tenant_slug)
    try:
        limiter.check_new_session(client_address(request))
    except RateLimited as exc:
        raise too_many(exc) from None
    return ChatSessionOut(session_id=secrets.token_urlsafe(24))


@router.get("/v1/chat/{tenant_slug}/messages", response_model=list[ChatMessageOut])
def history(tenant_slug: str, session_id: SessionQuery, db: SessionDep) -> list[ChatMessageOut]:
    """The conversation of this session as its person saw it, oldest first: their
    messages and the replies (the agent's and staff's), without tool data. An unknown
    session has none."""
    tenant = _tenant(db, tenant_slug)
    conversation = find_conversation(db, tenant=tenant, channel=Channel.web,
                                     external_id=session_id)
    if conversation is None:
        return []
    return [ChatMessageOut(role=m.role.value, text=m.text, at=m.created_at)
            for m in visible_history(db, conversation_id=conversation.id)]


@router.get("/v1/chat/{tenant_slug}/config", response_model=ChatConfigOut)
def chat_config(tenant_slug: str, request: Request, db: SessionDep) -> ChatConfigOut:
    """The business name, the agent's greeting and the privacy notice's address."""
    tenant = _tenant(db, tenant_slug)
    notice = tenant.privacy_notice_url or str(request.url_for("privacy_notice",
                                                              tenant_slug=tenant.slug))
    return ChatConfigOut(name=tenant.name, greeting=agent_config(db, tenant=tenant).greeting,
                         privacy_notice_url=notice)


@router.post("/v1/chat/{tenant_slug}/messages", response_model=ChatOut,
             responses={202: {"description": "Queued; the reply comes by server-sent events "
                                             "(`reply` is null)"},
                        429: {"description": "Too many messages; see Retry-After"}})
def post_message(tenant_slug: str, body: ChatIn, runtime: RuntimeDep, queue: QueueDep,
                 db: SessionDep, settings: SettingsDep,
                 limiter: ChatLimiterDep) -> ChatOut | JSONResponse:
    """Send the end user's message; the agent's reply comes back in the response.

    With the durable queue (MOSTRADOR_REDIS_URL) a worker runs the turn: the reply comes
    back when it arrives within MOSTRADOR_CHAT_REPLY_TIMEOUT_SECONDS, else the answer is
    202 with `reply` null and the reply is pushed on `GET /v1/chat/{slug}/events`.
    """
    try:
        limiter.check_message(tenant_slug, body.session_id)
    except RateLimited as exc:
        raise too_many(exc) from None
    if queue is not None:
        tenant = _tenant(db, tenant_slug)
        # The conversation exists before the turn, so a 202 can name it.
        contact = contact_for_identity(db, tenant=tenant, channel=Channel.web.value,
                                       external_id=body.session_id)
        conversation = open_conversation(db, tenant=tenant, contact=contact,
                                         channel=Channel.web, external_id=body.session_id)
        db.commit()
        queued = _via_queue(queue, tenant_slug, body, settings.chat_reply_timeout_seconds,
                            conversation.id)
        if queued is not None:
            return queued
        # Redis is down: answering here loses nothing (ordering is per process meanwhile).
    try:
        result = runtime.handle(Inbound(tenant_slug=tenant_slug, channel=Channel.web,
                                        thread_id=body.session_id, text=body.text,
                                        utm=body.utm or {}))
    except NotFound:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "Unknown business.") from None
    return ChatOut(conversation_id=result.conversation_id,
                   reply=None if result.held else result.reply)


def _via_queue(queue: Queue, slug: str, body: ChatIn, timeout: float,
               conversation_id: str) -> JSONResponse | None:
    request_id = uuid.uuid4().hex
    try:
        queue.enqueue_chat(slug=slug, session_id=body.session_id, text=body.text,
                           utm=body.utm or {}, request_id=request_id)
        reply = queue.wait_reply(request_id, timeout)
    except (QueueUnavailable, RedisError) as exc:
        log.error("web chat queue unavailable error=%s; answering in-process",
                  type(exc).__name__)
        return None
    if reply is None:
        return JSONResponse({"conversation_id": conversation_id, "reply": None,
                             "request_id": request_id},
                            status_code=status.HTTP_202_ACCEPTED)
    return JSONResponse({"conversation_id": reply["conversation_id"], "reply": reply["reply"],
                         "message_id": reply.get("message_id")})
