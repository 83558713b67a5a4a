"""The web chat channel: the JSON endpoint and the page a person chats on."""

from __future__ import annotations

from importlib import resources

from fastapi import APIRouter, HTTPException, status
from fastapi.responses import HTMLResponse

from agent.runtime import Inbound
from api.deps import RuntimeDep, SessionDep
from api.schemas import ChatIn, ChatOut
from crm.errors import NotFound
from crm.models import Channel
from crm.services.tenants import tenant_by_slug

router = APIRouter(tags=["web chat"])


@router.post("/v1/chat/{tenant_slug}/messages", response_model=ChatOut)
def post_message(tenant_slug: str, body: ChatIn, runtime: RuntimeDep) -> ChatOut:
    """Send the end user's message; the agent's reply comes back in the response."""
    try:
        result = runtime.handle(Inbound(tenant_slug=tenant_slug, channel=Channel.web,
                                        thread_id=body.session_id, text=body.text,
                                        utm=body.utm or {}))
    except NotFound:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "Unknown business.") from None
    return ChatOut(conversation_id=result.conversation_id, reply=result.reply)


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
