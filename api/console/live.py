"""Live updates of the console's pages: server-sent `change` events, no data in them.

Two sources feed one stream:
- what staff do in the console (take over, reply, hand back...) is published on the
  business's inbox topic of the web chat's event source (api.chat_events: Redis pub/sub
  with the durable queue, in memory otherwise), so every open console hears it at once;
- what customers and the agent do happens in the channel workers, which publish nothing
  for staff: a cheap watermark query (crm.services.inbox.watermark) is polled every
  POLL_SECONDS, in whichever process or mode the message was handled.

The page re-fetches its live fragment on `change` (htmx `sse:change`), through the same
scoped routes as a reload: the event itself carries nothing to leak.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from fastapi import Request
from sqlalchemy.engine import Engine
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from api.chat_events import KEEPALIVE_SECONDS, ChatEvents
from crm.services.inbox import watermark

POLL_SECONDS = 1.5
INBOX_TOPIC = "console:inbox"  # a web chat session id never has a colon
CHANGE = "event: change\ndata: {}\n\n"


def announce(events: ChatEvents, slug: str) -> None:
    """Tell the business's open consoles that something changed."""
    events.publish(slug, INBOX_TOPIC, {"change": True})


async def changes(request: Request, events: ChatEvents, engine: Engine, *, slug: str,
                  tenant_id: str, conversation_id: str | None = None,
                  poll: float = POLL_SECONDS) -> AsyncIterator[str]:
    """`change` events for the inbox (or one conversation) until the client goes."""
    heard: asyncio.Queue[None] = asyncio.Queue(maxsize=1)
    subscribed = asyncio.Event()

    async def listen() -> None:
        async for line in events.stream(slug, INBOX_TOPIC):
            if line.startswith(": connected"):
                subscribed.set()
            elif line.startswith("data:") and heard.empty():
                heard.put_nowait(None)

    def read() -> str:
        with Session(engine) as db:  # held for one query, never for the stream
            return watermark(db, tenant_id=tenant_id, conversation_id=conversation_id)

    listener = asyncio.create_task(listen())
    try:
        # Connected once subscribed: an action right after it is heard.
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(subscribed.wait(), timeout=5)
        yield ": connected\n\n"
        last = await run_in_threadpool(read)
        quiet = 0.0
        while not await request.is_disconnected():
            changed = await _wait(heard, poll)
            current = await run_in_threadpool(read)
            if changed or current != last:
                last, quiet = current, 0.0
                yield CHANGE
            else:
                quiet += poll
                if quiet >= KEEPALIVE_SECONDS:
                    quiet = 0.0
                    yield ": keepalive\n\n"
    finally:
        listener.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await listener


async def _wait(heard: asyncio.Queue[None], seconds: float) -> bool:
    """True when a staff action was announced within `seconds`."""
    try:
        await asyncio.wait_for(heard.get(), timeout=seconds)
    except TimeoutError:
        return False
    return True

