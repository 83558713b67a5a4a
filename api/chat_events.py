"""What the web chat's open pages hear: replies that do not come back in the POST.

A worker's late reply (with the durable queue) and every reply a person of the staff
writes are published on the session's channel; `GET /v1/chat/{slug}/events` streams them
as server-sent events `{"conversation_id", "reply", "message_id", "role"?}`.

- With Redis: its pub/sub, shared by every API process and worker (`RedisChatEvents`).
- Without it (the embedded default, one process): in memory (`MemoryChatEvents`).
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import AsyncIterator
from typing import Any, Protocol

import redis.asyncio as aioredis

from channels.durable.streams import Queue

KEEPALIVE_SECONDS = 15.0


class ChatEvents(Protocol):
    def publish(self, slug: str, session_id: str, payload: dict[str, Any]) -> None:
        """Send `payload` to the pages open on that session (from any thread)."""
        ...

    def stream(self, slug: str, session_id: str,
               request_id: str | None = None) -> AsyncIterator[str]:
        """Server-sent event lines for that session, until the client goes."""
        ...


def _event(payload: dict[str, Any] | str) -> str:
    data = payload if isinstance(payload, str) else json.dumps(payload, ensure_ascii=False)
    return f"data: {data}\n\n"


class MemoryChatEvents:
    """One process: subscribers are asyncio queues of the server's event loop."""

    MAX_QUEUED = 100  # a page that stopped reading loses the oldest, never blocks others

    def __init__(self) -> None:
        self._subscribers: dict[tuple[str, str], set[tuple[asyncio.AbstractEventLoop,
                                                           asyncio.Queue[str]]]] = {}
        self._lock = threading.Lock()

    def publish(self, slug: str, session_id: str, payload: dict[str, Any]) -> None:
        data = _event(payload)
        with self._lock:
            targets = list(self._subscribers.get((slug, session_id), ()))
        for loop, queue in targets:
            loop.call_soon_threadsafe(self._offer, queue, data)

    def _offer(self, queue: asyncio.Queue[str], data: str) -> None:
        if queue.full():
            queue.get_nowait()
        queue.put_nowait(data)

    async def stream(self, slug: str, session_id: str,
                     request_id: str | None = None) -> AsyncIterator[str]:
        queue: asyncio.Queue[str] = asyncio.Queue(maxsize=self.MAX_QUEUED)
        entry = (asyncio.get_running_loop(), queue)
        with self._lock:
            self._subscribers.setdefault((slug, session_id), set()).add(entry)
        try:
            yield ": connected\n\n"
            while True:
                try:
                    yield await asyncio.wait_for(queue.get(), timeout=KEEPALIVE_SECONDS)
                except TimeoutError:
                    yield ": keepalive\n\n"
        finally:
            with self._lock:
                found = self._subscribers.get((slug, session_id))
                if found is not None:
                    found.discard(entry)
                    if not found:
                        del self._subscribers[(slug, session_id)]


class RedisChatEvents:
    """Redis pub/sub on the durable queue's session channels (and its stored replies)."""

    def __init__(self, queue: Queue, url: str) -> None:
        self.queue = queue
        self.url = url

    def publish(self, slug: str, session_id: str, payload: dict[str, Any]) -> None:
        self.queue.client.publish(self.queue.chat_channel(slug, session_id),
                                  json.dumps(payload, ensure_ascii=False))

    async def stream(self, slug: str, session_id: str,
                     request_id: str | None = None) -> AsyncIterator[str]:
        client = aioredis.Redis.from_url(self.url, decode_responses=True)
        pubsub = client.pubsub()
        try:
            # Subscribe before the catch-up read: nothing falls between the two.
            await pubsub.subscribe(self.queue.chat_channel(slug, session_id))
            yield ": connected\n\n"
            if request_id is not None:  # a reply published before the page connected
                for data in await client.lrange(  # type: ignore[misc]
                        self.queue.reply_key(request_id), 0, -1):
                    yield _event(json.loads(data))
            while True:
                message = await pubsub.get_message(ignore_subscribe_messages=True,
                                                   timeout=KEEPALIVE_SECONDS)
                yield ": keepalive\n\n" if message is None else _event(message["data"])
        finally:
            await pubsub.aclose()
            await client.aclose()
