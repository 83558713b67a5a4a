"""Per-tenant and per-contact limits on agent turns: fixed one-minute windows in Redis.

Over a limit the user gets `OVER_LIMIT` and no model runs, so one sender cannot spend a
business's LLM budget. Contact keys are hashed: no phone number appears in a Redis key.
A limit of 0 turns that limit off. A turn counts once however often it is retried: the
decision is kept per queue entry and a retry reuses it.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Sequence

import redis

from channels.durable.metrics import RATE_LIMITED

log = logging.getLogger("mostrador.channels.ratelimit")

OVER_LIMIT = ("Recibimos muchos mensajes seguidos. Esperá un minuto y volvé a escribirnos, "
              "por favor.")
WINDOW_SECONDS = 60
DECISION_TTL_SECONDS = 600  # longer than the retries of one entry take


class RateLimiter:
    def __init__(self, client: redis.Redis, *, prefix: str, per_tenant: int,
                 per_contact: int) -> None:
        self.client = client
        self.prefix = prefix
        self.per_tenant = per_tenant
        self.per_contact = per_contact

    def admit(self, tenant_slug: str, contact_key: str, *,
              entries: Sequence[str] = ()) -> str | None:
        """Count one turn; None when within the limits, else the short reply to send.

        With `entries` (the queue entries the turn answers), a retry of the turn is not
        counted again: the first decision for any of them is returned.
        """
        if self.per_tenant <= 0 and self.per_contact <= 0:
            return None
        marks = [f"{self.prefix}:rl:e:{entry}" for entry in entries]
        if marks:
            earlier = [m for m in self.client.mget(marks) if m is not None]
            if earlier:
                return OVER_LIMIT if earlier[0] == "over" else None
        window = int(time.time() // WINDOW_SECONDS)
        contact = hashlib.sha256(f"{tenant_slug}:{contact_key}".encode()).hexdigest()[:20]
        tenant_key = f"{self.prefix}:rl:t:{tenant_slug}:{window}"
        contact_key_ = f"{self.prefix}:rl:c:{contact}:{window}"
        pipe = self.client.pipeline(transaction=False)
        pipe.incr(tenant_key)
        pipe.expire(tenant_key, 2 * WINDOW_SECONDS)
        pipe.incr(contact_key_)
        pipe.expire(contact_key_, 2 * WINDOW_SECONDS)
        tenant_count, _, contact_count, _ = pipe.execute()
        reply = None
        for scope, count, limit in (("contact", contact_count, self.per_contact),
                                    ("tenant", tenant_count, self.per_tenant)):
            if limit > 0 and int(count) > limit:
                RATE_LIMITED.labels(tenant_slug, scope).inc()
                log.info("rate limited tenant=%s scope=%s", tenant_slug, scope)
                reply = OVER_LIMIT
                break
        if marks:
            pipe = self.client.pipeline(transaction=False)
            for mark in marks:
                pipe.set(mark, "over" if reply else "ok", ex=DECISION_TTL_SECONDS)
            pipe.execute()
        return reply
