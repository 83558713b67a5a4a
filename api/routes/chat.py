"""The web chat channel: the JSON endpoint and the page a person chats on."""

from __future__ import annotations

import logging
import uuid
from importlib import resources

from fastapi import APIRouter, HTTPException, status
from fastapi.responses import HTMLResponse, JSONResponse
from redis import RedisError

from agent.runtime import Inbound
from api.deps import QueueDep, RuntimeDep, SessionDep, SettingsDep
from api.schemas import ChatIn, ChatOut
from channels.durable.errors import QueueUnavailable
from channels.durable.streams import Queue
from crm.errors import NotFound
from crm.models import Channel
from crm.services.contacts import contact_for_identity
from crm.services.conversations import open_conversation
from crm.services.tenants import tenant_by_slug

log = logging.getLogger("mostrador.api.chat")
router = APIRouter(tags=["web chat"])


@router.post("/v1/chat/{tenant_slug}/messages", response_model=ChatOut,
             responses={202: {"description": "Queued; the reply comes by server-sent events "
                                             "(`reply` is null)"}})
def post_message(tenant_slug: str, body: ChatIn, runtime: RuntimeDep, queue: QueueDep,
                 db: SessionDep, settings: SettingsDep) -> ChatOut | JSONResponse:
    """Send the end user's message; the agent's reply comes back in the response.

    With the durable queue (MOSTRADOR_REDIS_URL) a worker runs the turn: the reply comes
    back when it arrives within MOSTRADOR_CHAT_REPLY_TIMEOUT_SECONDS, else the answer is
    202 with `reply` null and the reply is pushed on `GET /v1/chat/{slug}/events`.
    """
    if queue is not None:
        try:
            tenant = tenant_by_slug(db, slug=tenant_slug)
        except NotFound:
            raise HTTPException(status.HTTP_404_NOT_FOUND, "Unknown business.") from None
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
    return ChatOut(conversation_id=result.conversation_id, reply=result.reply)


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


@router.get("/chat/{tenant_slug}", response_class=HTMLResponse, include_in_schema=False)
def chat_page(tenant_slug: str, db: SessionDep) -> HTMLResponse:
    try:
        tenant = tenant_by_slug(db, slug=tenant_slug)
    except NotFound:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "Unknown business.") from None
    page = resources.files("api").joinpath("static/chat.html").read_text(encoding="utf-8")
    page = page.replace("{{TENANT_NAME}}", _escape(tenant.name))
    page = page.replace("{{TENANT_SLUG}}", _escape(tenant.slug))
    return HTMLResponse(page)


def _escape(text: str) -> str:
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;").replace("'", "&#39;"))
