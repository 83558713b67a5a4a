"""The Redis side of the durable queue: shard streams, the dead-letter stream, replies.

Keys (every one under the configured prefix `p`, so several deployments or test runs can
share one Redis):

    {p}:in:{shard}          a stream per shard, consumer group `workers`
    {p}:lease:{shard}       which worker processes the shard now (SET NX PX, renewed)
    {p}:attempts            hash entry id → attempts so far (survives a worker crash)
    {p}:dlq                 dead letters: the entry's fields + shard, error, attempts
    {p}:reply:{request}     a web chat reply for the POST waiting on it (BLPOP)
    {p}:chat:{slug}:{sid}   pub/sub channel of a web chat session (server-sent events)

Acknowledged entries are deleted (XACK + XDEL), so a stream's length is what is still to
do: never delivered (lag) or delivered and not acknowledged (pending).
"""

from __future__ import annotations

import json
import time
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import redis

from channels.durable.errors import QueueUnavailable
from channels.receiver import Work
from crm.settings import Settings

GROUP = "workers"
REPLY_TTL_SECONDS = 600
BLOCK_SLICE_SECONDS = 2.0  # a blocking call never waits as long as the socket timeout


@dataclass(frozen=True)
class Entry:
    shard: int
    id: str
    fields: dict[str, str]

    @property
    def key(self) -> str:
        return self.fields.get("key", "")

    @property
    def kind(self) -> str:
        return self.fields.get("kind", "")

    @property
    def ms(self) -> int:
        """When the message arrived: the original arrival of a redriven entry (``at``),
        else when Redis received it (milliseconds of the entry id)."""
        at = self.fields.get("at", "")
        return int(at) if at.isdigit() else int(self.id.split("-", 1)[0])


@dataclass(frozen=True)
class QueueStats:
    depth: int      # entries not yet acknowledged (undelivered + pending)
    pending: int    # delivered to a worker and not acknowledged
    dead: int       # entries in the dead-letter stream


class Queue:
    """Thin, typed face over the Redis commands the queue uses."""

    def __init__(self, client: redis.Redis, *, prefix: str, shards: int) -> None:
        self.client = client
        self.prefix = prefix
        self.shards = max(1, shards)
        socket_timeout = client.connection_pool.connection_kwargs.get("socket_timeout")
        self._block = min(BLOCK_SLICE_SECONDS, float(socket_timeout) / 2) \
            if socket_timeout else BLOCK_SLICE_SECONDS

    @classmethod
    def from_settings(cls, settings: Settings, *, prefix: str | None = None) -> Queue:
        if not settings.redis_url:
            raise ValueError("the durable queue needs MOSTRADOR_REDIS_URL")
        client = redis.Redis.from_url(settings.redis_url, decode_responses=True,
                                      socket_timeout=10, socket_connect_timeout=5,
                                      health_check_interval=30)
        return cls(client, prefix=prefix or settings.queue_prefix,
                   shards=settings.queue_shards)

    # names
    def stream(self, shard: int) -> str:
        return f"{self.prefix}:in:{shard}"

    def lease_key(self, shard: int) -> str:
        return f"{self.prefix}:lease:{shard}"

    def hold_key(self, shard: int) -> str:
        """Set while something else (an erasure) wants the shard: workers keep off it."""
        return f"{self.prefix}:hold:{shard}"

    @property
    def attempts_key(self) -> str:
        return f"{self.prefix}:attempts"

    @property
    def dlq(self) -> str:
        return f"{self.prefix}:dlq"

    def reply_key(self, request_id: str) -> str:
        return f"{self.prefix}:reply:{request_id}"

    def chat_channel(self, slug: str, session_id: str) -> str:
        return f"{self.prefix}:chat:{slug}:{session_id}"

    def shard_of(self, key: str) -> int:
        return zlib.crc32(key.encode("utf-8")) % self.shards

    # setup
    def ensure_groups(self) -> None:
        """Create every shard stream and its group (idempotent; after a Redis data loss too)."""
        for shard in range(self.shards):
            try:
                self.client.xgroup_create(self.stream(shard), GROUP, id="0", mkstream=True)
            except redis.ResponseError as exc:
                if "BUSYGROUP" not in str(exc):
                    raise

    # producing
    def enqueue(self, items: Iterable[dict[str, str]]) -> list[str]:
        """XADD each item to its key's shard, in order; raises QueueUnavailable."""
        items = list(items)
        try:
            pipe = self.client.pipeline(transaction=False)
            for fields in items:
                pipe.xadd(self.stream(self.shard_of(fields["key"])), fields)  # type: ignore[arg-type]
            return [str(i) for i in pipe.execute()]
        except redis.RedisError as exc:
            raise QueueUnavailable(type(exc).__name__) from exc

    def enqueue_work(self, work: Iterable[Work]) -> list[str]:
        return self.enqueue(
            {"kind": "meta", "key": w.key, "event": str(w.event_id), "index": str(w.index),
             **({"at": str(w.at_ms)} if w.at_ms is not None else {})}
            for w in work)

    def enqueue_chat(self, *, slug: str, session_id: str, text: str, utm: dict[str, str],
                     request_id: str) -> str:
        [entry_id] = self.enqueue([{"kind": "chat", "key": f"web:{slug}:{session_id}",
                                    "slug": slug, "session": session_id, "text": text,
                                    "utm": json.dumps(utm), "request": request_id}])
        return entry_id

    # replies of the web chat
    def publish_reply(self, *, request_ids: list[str], slug: str, session_id: str,
                      payload: dict[str, Any]) -> None:
        data = json.dumps(payload, ensure_ascii=False)
        pipe = self.client.pipeline(transaction=False)
        for request_id in request_ids:
            pipe.rpush(self.reply_key(request_id), data)
            pipe.expire(self.reply_key(request_id), REPLY_TTL_SECONDS)
        pipe.publish(self.chat_channel(slug, session_id), data)
        pipe.execute()

    def wait_reply(self, request_id: str, timeout: float) -> dict[str, Any] | None:
        """The worker's reply to one web chat POST, or None after `timeout` seconds.

        Blocks in slices shorter than the client's socket timeout: one BLPOP as long as
        the socket timeout would end in a read timeout (a RedisError) instead of None, and
        the chat route would then answer in-process a message a worker also answers.
        """
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            found = self.client.blpop([self.reply_key(request_id)],
                                      timeout=max(0.01, min(left, self._block)))
            if found:
                value: dict[str, Any] = json.loads(found[1])  # type: ignore[index]
                return value
            if deadline - time.monotonic() <= 0:
                return None

    # consuming
    def acknowledge(self, entries: list[Entry]) -> None:
        pipe = self.client.pipeline(transaction=True)
        for entry in entries:
            pipe.xack(self.stream(entry.shard), GROUP, entry.id)
            pipe.xdel(self.stream(entry.shard), entry.id)
        pipe.hdel(self.attempts_key, *[e.id for e in entries])
        pipe.execute()

    def count_attempt(self, entries: list[Entry]) -> int:
        pipe = self.client.pipeline(transaction=False)
        for entry in entries:
            pipe.hincrby(self.attempts_key, entry.id, 1)
        return max(int(n) for n in pipe.execute())

    def dead_letter(self, entries: list[Entry], *, error: str, attempts: int) -> None:
        pipe = self.client.pipeline(transaction=True)
        for entry in entries:
            fields: dict[Any, Any] = {**entry.fields, "shard": str(entry.shard),
                                      "entry": entry.id, "error": error[:80],
                                      "attempts": str(attempts)}
            pipe.xadd(self.dlq, fields)
            pipe.xack(self.stream(entry.shard), GROUP, entry.id)
            pipe.xdel(self.stream(entry.shard), entry.id)
        pipe.hdel(self.attempts_key, *[e.id for e in entries])
        pipe.execute()

    # dead letters
    def dead_letters(self, count: int = 100) -> list[tuple[str, dict[str, str]]]:
        rows: Any = self.client.xrange(self.dlq, count=count)
        return [(str(i), dict(f)) for i, f in rows]

    def retry_dead(self, ids: list[str] | None = None) -> int:
        """Put dead letters back on their streams (all of them when `ids` is None), marked
        `redo` so the worker takes back the items it gave up (recovery.reopen)."""
        chosen = [(i, f) for i, f in self.dead_letters(10_000) if ids is None or i in ids]
        for dead_id, fields in chosen:
            original = {k: v for k, v in fields.items()
                        if k not in ("shard", "entry", "error", "attempts")}
            self.enqueue([{**original, "redo": "1"}])
            self.client.xdel(self.dlq, dead_id)
        return len(chosen)

    def drop_dead(self, ids: list[str] | None = None) -> int:
        chosen = [i for i, _ in self.dead_letters(10_000) if ids is None or i in ids]
        if chosen:
            self.client.xdel(self.dlq, *chosen)
        return len(chosen)

    # observing
    def stats(self) -> QueueStats:
        pipe = self.client.pipeline(transaction=False)
        for shard in range(self.shards):
            pipe.xlen(self.stream(shard))
            pipe.xpending(self.stream(shard), GROUP)
        pipe.xlen(self.dlq)
        results = pipe.execute(raise_on_error=False)
        depth = pending = 0
        for n in range(self.shards):
            length, info = results[2 * n], results[2 * n + 1]
            depth += length if isinstance(length, int) else 0
            pending += int(info["pending"]) if isinstance(info, dict) else 0
        dead = results[-1] if isinstance(results[-1], int) else 0
        return QueueStats(depth=depth, pending=pending, dead=dead)

    def ping(self) -> bool:
        try:
            return bool(self.client.ping())
        except redis.RedisError:
            return False

    def close(self) -> None:
        self.client.close()
