"""Rate limits of the public web chat: per client address and per session.

The chat endpoints answer anyone on the internet, so each client address and each session
gets a budget of requests in fixed windows (MOSTRADOR_CHAT_RATE_*); over it the answer is
429 with Retry-After. With Redis (MOSTRADOR_REDIS_URL) the counters live there and every
API process shares them; otherwise (or while Redis does not answer) they live in this
process. Keys hold keyed hashes, never an address or a session id.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import redis

log = logging.getLogger("mostrador.api.chat_limits")


@dataclass(frozen=True)
class Limit:
    name: str          # "ip", "session", "sessions": part of the key and of the message
    per_window: int    # 0: no limit
    window_seconds: int


class RateLimited(Exception):
    """Over a limit; `retry_after` whole seconds until the window ends."""

    def __init__(self, limit: Limit, retry_after: int) -> None:
        super().__init__(limit.name)
        self.limit = limit
        self.retry_after = retry_after


class MemoryWindows:
    """Fixed windows counted in this process (the embedded default)."""

    MAX_KEYS = 100_000  # then expired windows are dropped; memory stays bounded

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self._counts: dict[str, tuple[int, int]] = {}  # key -> (window number, count)
        self._lock = threading.Lock()

    def hit(self, key: str, window_seconds: int) -> tuple[int, float]:
        """Count one request; (count in the current window, seconds until it ends)."""
        now = self._clock()
        window = int(now // window_seconds)
        with self._lock:
            if len(self._counts) >= self.MAX_KEYS:
                self._counts = {k: v for k, v in self._counts.items() if v[0] >= window}
            seen, count = self._counts.get(key, (window, 0))
            count = count + 1 if seen == window else 1
            self._counts[key] = (window, count)
        return count, (window + 1) * window_seconds - now


class RedisWindows:
    """Fixed windows in Redis, shared by every API process."""

    def __init__(self, client: redis.Redis, *, prefix: str,
                 clock: Callable[[], float] = time.time) -> None:
        self.client = client
        self.prefix = prefix
        self._clock = clock

    def hit(self, key: str, window_seconds: int) -> tuple[int, float]:
        now = self._clock()
        window = int(now // window_seconds)
        name = f"{self.prefix}:chatrl:{key}:{window}"
        pipe = self.client.pipeline(transaction=False)
        pipe.incr(name)
        pipe.expire(name, window_seconds * 2)
        count, _ = pipe.execute()
        return int(count), (window + 1) * window_seconds - now


class ChatLimiter:
    """Checks the chat's limits; Redis when given, else (and when it fails) this process."""

    def __init__(self, *, secret: bytes, per_ip_per_minute: int,
                 messages_per_session_per_minute: int, sessions_per_ip_per_hour: int,
                 redis_windows: RedisWindows | None = None,
                 clock: Callable[[], float] = time.time) -> None:
        self._secret = secret
        self.ip = Limit("ip", per_ip_per_minute, 60)
        self.session = Limit("session", messages_per_session_per_minute, 60)
        self.sessions = Limit("sessions", sessions_per_ip_per_hour, 3600)
        self._redis = redis_windows
        self._memory = MemoryWindows(clock)

    def check_ip(self, address: str | None) -> None:
        """Any chat request from `address`; raises RateLimited."""
        self._check(self.ip, address or "?")

    def check_new_session(self, address: str | None) -> None:
        self._check(self.sessions, address or "?")

    def check_message(self, slug: str, session_id: str) -> None:
        self._check(self.session, f"{slug}\x00{session_id}")

    def check(self, limit: Limit, subject: str) -> None:
        """Count one request of `subject` against any `limit` (the console's sign-in uses
        the same windows); raises RateLimited."""
        self._check(limit, subject)

    def _check(self, limit: Limit, subject: str) -> None:
        if limit.per_window <= 0:
            return
        key = f"{limit.name}:" + hmac.new(self._secret, subject.encode("utf-8"),
                                          hashlib.sha256).hexdigest()[:32]
        count, left = self._hit(key, limit.window_seconds)
        if count > limit.per_window:
            raise RateLimited(limit, max(1, math.ceil(left)))

    def _hit(self, key: str, window_seconds: int) -> tuple[int, float]:
        if self._redis is not None:
            try:
                return self._redis.hit(key, window_seconds)
            except redis.RedisError as exc:
                log.warning("chat rate limit falls back to this process error=%s",
                            type(exc).__name__)
        return self._memory.hit(key, window_seconds)
