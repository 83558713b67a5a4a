"""Server-sent events of the web chat: replies that do not come back in the POST.

A worker's reply that came after the POST stopped waiting (with the durable queue), and
every reply a person of the staff writes (api.chat_events). `request_id` (from a 202) makes
the stream first send that request's reply when it was published before the page connected.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException, Query, status
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from api.deps import ChatEventsDep, SessionDep
from api.routes.chat import SessionQuery, limit_address
from api.strict_input import StrictInputRoute
from crm.errors import NotFound
from crm.services.tenants import tenant_by_slug

router = APIRouter(tags=["web chat"], dependencies=[Depends(limit_address)],
                   route_class=StrictInputRoute)


@router.get("/v1/chat/{tenant_slug}/events",
            responses={200: {"content": {"text/event-stream": {}},
                             "description": "`data:` lines of `{\"conversation_id\", "
                                            "\"reply\", \"message_id\", \"role\"?}`"}})
async def chat_events(
    tenant_slug: str, session_id: SessionQuery, events: ChatEventsDep, db: SessionDep,
    request_id: str | None = Query(None, max_length=64, pattern=r"^[a-f0-9]+$"),
) -> StreamingResponse:
    """`text/event-stream` of the session's replies; `: keepalive` comments meanwhile."""
    try:
        await run_in_threadpool(tenant_by_slug, db, slug=tenant_slug)
    except NotFound:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "Unknown business.") from None
    finally:
        db.close()  # the stream may stay open for hours: hold no database connection
    return StreamingResponse(events.stream(tenant_slug, session_id, request_id),
                             media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
