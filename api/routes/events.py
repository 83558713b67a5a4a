"""Server-sent events of the web chat: replies that come after the POST stopped waiting.

Only with the durable queue (MOSTRADOR_REDIS_URL): the worker publishes each reply on the
session's pub/sub channel. `request_id` (from a 202) makes the stream first send that
request's reply when it was published before the page connected.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import redis.asyncio as aioredis
from fastapi import APIRouter, Depends, HTTPException, Query, status
from fastapi.responses import StreamingResponse

from api.deps import QueueDep, SettingsDep
from api.routes.chat import SessionQuery, limit_address
from api.strict_input import StrictInputRoute

router = APIRouter(tags=["web chat"], dependencies=[Depends(limit_address)],
                   route_class=StrictInputRoute)
KEEPALIVE_SECONDS = 15.0


@router.get("/v1/chat/{tenant_slug}/events")
async def chat_events(
    tenant_slug: str, queue: QueueDep, settings: SettingsDep,
    session_id: SessionQuery,
    request_id: str | None = Query(None, max_length=64, pattern=r"^[a-f0-9]+$"),
) -> StreamingResponse:
    """`text/event-stream` of `{"conversation_id", "reply", "message_id"}` events."""
    if queue is None or not settings.redis_url:
        raise HTTPException(status.HTTP_404_NOT_FOUND,
                            "Replies are pushed only with the durable queue.")
    channel = queue.chat_channel(tenant_slug, session_id)
    reply_key = queue.reply_key(request_id) if request_id else None
    url = settings.redis_url

    async def stream() -> AsyncIterator[str]:
        client = aioredis.Redis.from_url(url, decode_responses=True)
        pubsub = client.pubsub()
        try:
            await pubsub.subscribe(channel)  # before the catch-up read: nothing falls between
            if reply_key is not None:
                for data in await client.lrange(reply_key, 0, -1):  # type: ignore[misc]
                    yield f"data: {json.dumps(json.loads(data), ensure_ascii=False)}\n\n"
            while True:
                message = await pubsub.get_message(ignore_subscribe_messages=True,
                                                   timeout=KEEPALIVE_SECONDS)
                if message is None:
                    yield ": keepalive\n\n"
                    continue
                yield f"data: {message['data']}\n\n"
        except asyncio.CancelledError:
            raise
        finally:
            await pubsub.aclose()
            await client.aclose()

    return StreamingResponse(stream(), media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
