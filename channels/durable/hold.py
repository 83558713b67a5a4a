"""Keeping the workers off some conversations while an erasure runs.

A worker that has a person's message in hand would otherwise finish its turn after the
erasure deleted the person, and store the message, the contact and the conversation again.
`holding(queue, keys, ...)` takes the leases of the shards those conversation keys hash to,
the way a worker does, so no worker processes them while the block runs:

1. it marks each shard as held (`{p}:hold:{shard}`): workers do not take a held shard, and
   the one holding it gives it back after the batch in hand (the turn finishes first);
2. it waits until each lease is free and takes it (`SET NX PX`);
3. a holder that has not given the shard back after `wait_seconds` (stalled, or a turn
   stuck in retries) is overtaken: the lease is set to the erasure's name, and the worker's
   next write or send finds it gone (agent.fencing) and stops;
4. on leaving the block, the leases and marks are given back (only if still ours).

Every conversation hashing to those shards waits meanwhile (milliseconds to seconds);
their messages stay queued, nothing is lost. The leases expire after `hold_seconds` if the
erasing process dies.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

import redis

from channels.durable.errors import QueueUnavailable
from channels.durable.streams import Queue

log = logging.getLogger("mostrador.channels.durable.hold")

_RELEASE = """
local n = 0
for _, key in ipairs(KEYS) do
  if redis.call('get', key) == ARGV[1] then n = n + redis.call('del', key) end
end
return n
"""


@contextmanager
def holding(queue: Queue, keys: Iterable[str], *, owner: str, wait_seconds: float,
            hold_seconds: float = 120.0) -> Iterator[list[int]]:
    """Hold the shards of the conversation `keys` (entry keys: "web:{slug}:{session}",
    "{channel}:{account}:{sender}") for the block; yields the shards overtaken rather than
    handed over. Raises QueueUnavailable when Redis does not answer."""
    shards = sorted({queue.shard_of(k) for k in keys})
    client = queue.client
    hold_ms = max(1000, int(hold_seconds * 1000))
    overtaken: list[int] = []
    try:
        try:
            for shard in shards:
                client.set(queue.hold_key(shard), owner, px=hold_ms)
            waiting, deadline = list(shards), time.monotonic() + max(0.0, wait_seconds)
            while waiting:
                waiting = [s for s in waiting
                           if not client.set(queue.lease_key(s), owner, nx=True, px=hold_ms)]
                if waiting and time.monotonic() >= deadline:
                    for shard in waiting:
                        client.set(queue.lease_key(shard), owner, px=hold_ms)
                    overtaken = waiting
                    log.warning("shards overtaken from their worker shards=%s",
                                ",".join(map(str, waiting)))
                    break
                if waiting:
                    time.sleep(0.05)
        except redis.RedisError as exc:
            raise QueueUnavailable(type(exc).__name__) from exc
        yield overtaken
    finally:
        try:
            client.eval(_RELEASE, 2 * len(shards),
                        *[queue.lease_key(s) for s in shards],
                        *[queue.hold_key(s) for s in shards], owner)
        except redis.RedisError:
            pass  # they expire on their own
