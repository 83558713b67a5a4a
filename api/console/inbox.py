"""The inbox and a conversation: read, take over, reply, hand back, delete; live updates.

Every action calls the staff API's own route function (api.routes.inbox) with the signed-in
person as the actor: the same scoping (a seller only her leads' conversations), audit,
24-hour-window rule and exactly-once delivery as `POST /v1/conversations/{id}/...`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Form, HTTPException, Query, Request, status
from fastapi.responses import HTMLResponse, Response, StreamingResponse
from pydantic import ValidationError
from sqlmodel import Session, select
from starlette.concurrency import run_in_threadpool

from api.chat_events import ChatEvents
from api.console.deps import Console, ConsoleDep
from api.console.live import announce, changes
from api.console.pages import back_to, page, reason, refusal
from api.deps import ChannelsDep, ChatEventsDep, EngineDep, PrivacyDep, SessionDep
from api.routes import inbox as inbox_api
from api.scoping import own_conversation
from api.strict_input import StrictInputRoute
from channels.context import ChannelContext
from channels.staff_replies import window_state
from crm.models import (
    Channel,
    Contact,
    Message,
    MessageRole,
    Scope,
    Service,
)
from crm.services.conversations import transcript
from crm.services.inbox import (
    appointments_of,
    deliveries_by_message,
    inbox_rows,
    leads_of,
    staff_names,
)
from crm.services.takeover import mark_read

router = APIRouter(prefix="/console", include_in_schema=False, route_class=StrictInputRoute)

INBOX_SIZE = 50
TRANSCRIPT_SIZE = 200
# What the page may say after an action (?done=...): only these, never free text.
DONE = frozenset({"takeover", "release", "sent", "template_sent", "failed", "not_sent",
                  "conversation_deleted", "contact_deleted", "confirm_needed"})


def require(console: Console, scope: Scope) -> None:
    """The same scope check as the API's dependencies (403)."""
    if scope not in console.actor.scopes:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "Your role cannot do this.")


@router.get("/", response_class=HTMLResponse)
def inbox(request: Request, console: ConsoleDep, db: SessionDep,
          done: str | None = Query(None, max_length=40),
          page_: int = Query(0, alias="page", ge=0, le=10_000)) -> HTMLResponse:
    """Conversations: waiting for a person on top, then newest activity first."""
    return page(request, console, "inbox.html", done=done if done in DONE else None,
                **_inbox(db, console, page_))


@router.get("/inbox/list", response_class=HTMLResponse)
def inbox_list(request: Request, console: ConsoleDep, db: SessionDep,
               page_: int = Query(0, alias="page", ge=0, le=10_000)) -> HTMLResponse:
    """The list alone: what the page swaps in on a live `change`."""
    return page(request, console, "_inbox_list.html", **_inbox(db, console, page_))


def _inbox(db: Session, console: Console, number: int) -> dict[str, Any]:
    actor = console.actor
    rows = inbox_rows(db, tenant_id=actor.tenant_id,
                      seller_id=None if actor.sees_every_lead else actor.user.id,
                      limit=INBOX_SIZE + 1, offset=number * INBOX_SIZE)
    more, rows = len(rows) > INBOX_SIZE, rows[:INBOX_SIZE]
    actor.audit(db, action="conversation.list", resource_type="conversation",
                resource_ids=[r.conversation.id for r in rows],
                details={"count": len(rows), "offset": number * INBOX_SIZE,
                         "source": "console"})
    db.commit()
    return {"rows": rows, "page_number": number, "more": more}


@router.get("/events")
async def events(request: Request, console: ConsoleDep, events: ChatEventsDep,
                 engine: EngineDep, db: SessionDep,
                 conversation: str | None = Query(None, max_length=32)) -> StreamingResponse:
    """`text/event-stream` of `change` events for the inbox or one conversation."""
    try:
        if conversation is not None:  # 404 unless theirs
            await run_in_threadpool(own_conversation, db, console.actor, conversation)
    finally:
        db.close()  # the stream may stay open for hours: hold no connection
    tenant = console.staff.tenant
    return StreamingResponse(
        changes(request, events, engine, slug=tenant.slug, tenant_id=tenant.id,
                conversation_id=conversation),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})


@router.get("/conversations/{conversation_id}", response_class=HTMLResponse)
def conversation_page(request: Request, conversation_id: str, console: ConsoleDep,
                      db: SessionDep, channels: ChannelsDep,
                      done: str | None = Query(None, max_length=40)) -> HTMLResponse:
    try:
        view = _conversation(db, console, channels, conversation_id, mark=True)
    except HTTPException as exc:
        return refusal(request, console, exc)
    return page(request, console, "conversation.html", done=done if done in DONE else None,
                **view)


@router.get("/conversations/{conversation_id}/live", response_class=HTMLResponse)
def conversation_live(request: Request, conversation_id: str, console: ConsoleDep,
                      db: SessionDep, channels: ChannelsDep) -> HTMLResponse:
    """The transcript and the hold state alone: swapped in on a live `change`."""
    try:
        view = _conversation(db, console, channels, conversation_id, mark=True)
    except HTTPException as exc:
        return refusal(request, console, exc)
    return page(request, console, "_conversation_live.html", **view)


@dataclass
class Line:
    """One transcript entry as the page shows it."""

    message: Message
    kind: str                       # user | assistant | staff | tool_call | tool_result
    author: str | None = None
    calls: list[tuple[str, str]] = field(default_factory=list)  # (tool, arguments)
    deliveries: list[str] = field(default_factory=list)         # delivery statuses


def _conversation(db: Session, console: Console, channels: ChannelContext,
                  conversation_id: str, *, mark: bool) -> dict[str, Any]:
    actor = console.actor
    conversation = own_conversation(db, actor, conversation_id)
    contact = db.get(Contact, conversation.contact_id)
    messages = transcript(db, conversation_id=conversation.id, limit=TRANSCRIPT_SIZE)
    names = staff_names(db, tenant_id=actor.tenant_id)
    deliveries = deliveries_by_message(db, message_ids=[m.id for m in messages
                                                        if m.id is not None])
    lines = [_line(m, names, deliveries) for m in messages]
    window = window_state(channels, db, conversation) \
        if conversation.channel != Channel.web else None
    services = {s.id: s.name for s in db.exec(select(Service).where(
        Service.tenant_id == actor.tenant_id))}
    view = {
        "conversation": conversation, "contact": contact, "lines": lines,
        "holder": names.get(conversation.held_by or ""),
        "held_by_me": conversation.held_by == actor.user.id,
        "window": window, "leads": leads_of(db, contact_id=conversation.contact_id),
        "appointments": appointments_of(db, contact_id=conversation.contact_id),
        "services": services, "names": names,
        "may_delete": Scope.privacy_manage in actor.scopes,
        "truncated": len(messages) == TRANSCRIPT_SIZE,
    }
    actor.audit(db, action="conversation.read", resource_type="conversation",
                resource_ids=[conversation.id],
                details={"messages": len(messages), "source": "console"})
    if mark:
        mark_read(db, conversation=conversation)
    db.commit()
    return view


def _line(message: Message, names: dict[str, str], deliveries: dict[int, list[Any]]) -> Line:
    if message.role == MessageRole.assistant and message.tool_calls:
        calls = [(str(c.get("name", "?")),
                  json.dumps(c.get("args", {}), ensure_ascii=False, indent=1))
                 for c in message.tool_calls]
        return Line(message, "tool_call", calls=calls)
    if message.role == MessageRole.tool:
        return Line(message, "tool_result")
    sent = [d.status.value for d in deliveries.get(message.id or 0, [])]
    return Line(message, message.role.value, author=names.get(message.author_id or ""),
                deliveries=sent)


@router.post("/conversations/{conversation_id}/takeover")
def takeover(conversation_id: str, console: ConsoleDep, db: SessionDep,
             events: ChatEventsDep) -> Response:
    """Take the conversation over: the agent stays silent until it is handed back."""
    return _hold(conversation_id, console, db, events, "takeover")


@router.post("/conversations/{conversation_id}/release")
def release(conversation_id: str, console: ConsoleDep, db: SessionDep,
            events: ChatEventsDep) -> Response:
    """Hand the conversation back to the agent."""
    return _hold(conversation_id, console, db, events, "release")


def _hold(conversation_id: str, console: Console, db: Session, events: ChatEvents,
          action: Literal["takeover", "release"]) -> Response:
    require(console, Scope.crm_write)
    change = inbox_api.takeover if action == "takeover" else inbox_api.release
    change(conversation_id, db, console.actor)
    announce(events, console.staff.tenant.slug)
    return back_to(f"/console/conversations/{conversation_id}", action)


@router.post("/conversations/{conversation_id}/reply")
def reply(request: Request, conversation_id: str, console: ConsoleDep, db: SessionDep,
          channels: ChannelsDep, events: ChatEventsDep,
          text: Annotated[str, Form(max_length=8000)] = "",
          template: Annotated[str, Form(max_length=8)] = "") -> Response:
    """Send a reply through the conversation's channel (taking it over if nobody holds
    it); a refusal (blank, the 24-hour window) shows on the page with the text kept."""
    require(console, Scope.crm_write)
    try:
        body = inbox_api.StaffMessageIn(text=text, template=template == "on")
        sent = inbox_api.reply(conversation_id, body, db, console.actor, channels, events)
    except (HTTPException, ValidationError) as exc:
        db.rollback()
        if isinstance(exc, HTTPException) and exc.status_code == 404:
            return refusal(request, console, exc)
        view = _conversation(db, console, channels, conversation_id, mark=False)
        code = exc.status_code if isinstance(exc, HTTPException) \
            else status.HTTP_422_UNPROCESSABLE_CONTENT
        return page(request, console, "conversation.html", status_code=code,
                    error=reason(exc, console.lang), draft=text, done=None, **view)
    announce(events, console.staff.tenant.slug)
    return back_to(f"/console/conversations/{conversation_id}", sent.status)


@router.post("/conversations/{conversation_id}/delete")
def delete(request: Request, conversation_id: str, console: ConsoleDep, db: SessionDep,
           privacy: PrivacyDep, events: ChatEventsDep,
           confirm: Annotated[str, Form(max_length=8)] = "") -> Response:
    """Erase the conversation (admins), after the confirmation box was ticked."""
    require(console, Scope.privacy_manage)
    if confirm != "on":
        conversation = own_conversation(db, console.actor, conversation_id)
        return back_to(f"/console/conversations/{conversation.id}", "confirm_needed")
    inbox_api.delete_conversation(conversation_id, db, console.actor, privacy)
    announce(events, console.staff.tenant.slug)
    return back_to("/console/", "conversation_deleted")
