"""`mostrador worker`: leases shards, processes their entries in order, retries, dead-letters.

Each of `concurrency` runner threads repeatedly takes the lease of a shard that has
entries (SET NX PX), XAUTOCLAIMs the shard's pending entries (a dead worker's, in stream
order), reads new ones with XREADGROUP, and answers each conversation once its messages
have been quiet for the debounce window: one turn per burst, where a burst is messages that
arrived within the window of each other (`bursts`), however late they are read. A runner
gives the shard back when it is empty or after a time slice, so every shard is served even
with fewer threads than shards. One thread renews the held leases every third of the
visibility timeout; a worker that dies stops renewing and its shards move to others once
the timeout passes; one that only stalled that long finds out at its next write or send
(agent.fencing) and stops. A housekeeping thread re-enqueues what the database holds as
unfinished, retries Lead Ads intakes, and forgets the consumer names of dead workers.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

import redis
from sqlmodel import Session

from agent import fencing
from agent.fencing import LeaseLost, fenced
from agent.runtime import Inbound
from channels.context import ChannelContext
from channels.durable.metrics import DEAD_LETTERS, RETRIES, TURN_SECONDS, TURNS, TurnMetrics
from channels.durable.ratelimit import RateLimiter
from channels.durable.recovery import flag_thread, redrive, reopen
from channels.durable.streams import GROUP, Entry, Queue
from channels.lead_ads import retry_due_intakes
from channels.processing import process_batch
from crm.models import (
    Channel,
    Tenant,
    WebhookEvent,
)

log = logging.getLogger("mostrador.channels.durable")

SLICE_SECONDS = 2.0          # a busy shard is given back this often, so none starves
MAX_BACKOFF_SECONDS = 30.0
PRUNE_AFTER_TIMEOUTS = 5     # a consumer idle this many visibility timeouts is forgotten

_RENEW = """
if redis.call('get', KEYS[1]) == ARGV[1] then
  return redis.call('pexpire', KEYS[1], ARGV[2])
end
return 0
"""
_RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then
  return redis.call('del', KEYS[1])
end
return 0
"""
# Delete the group's consumers idle longer than ARGV[2] ms with nothing pending, except
# ARGV[3] (ourselves). Atomic: a consumer with pending entries is never deleted (that
# would orphan them), and one that reads again later is simply created again.
_PRUNE = """
local removed = 0
for _, consumer in ipairs(redis.call('xinfo', 'consumers', KEYS[1], ARGV[1])) do
  local f = {}
  for i = 1, #consumer, 2 do f[consumer[i]] = consumer[i + 1] end
  if f['name'] ~= ARGV[3] and tonumber(f['pending']) == 0
     and tonumber(f['idle']) > tonumber(ARGV[2]) then
    redis.call('xgroup', 'delconsumer', KEYS[1], ARGV[1], f['name'])
    removed = removed + 1
  end
end
return removed
"""


class Worker:
    """Processes the queue until `stop()`; one per `mostrador worker` process."""

    def __init__(self, ctx: ChannelContext, queue: Queue, *, concurrency: int,
                 name: str | None = None) -> None:
        settings = ctx.settings
        self.ctx = ctx
        self.queue = queue
        self.concurrency = max(1, concurrency)
        self.name = name or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self.lease_ms = max(200, int(settings.visibility_timeout_seconds * 1000))
        self.debounce_ms = max(0, int(settings.debounce_seconds * 1000))
        self.max_attempts = max(1, settings.queue_max_attempts)
        self.retry_base = settings.queue_retry_base_seconds
        self.limiter = RateLimiter(queue.client, prefix=queue.prefix,
                                   per_tenant=settings.rate_limit_tenant_per_minute,
                                   per_contact=settings.rate_limit_contact_per_minute)
        self._renew = queue.client.register_script(_RENEW)
        self._release = queue.client.register_script(_RELEASE)
        self._prune = queue.client.register_script(_PRUNE)
        self._held: dict[int, bool] = {}
        self._held_lock = threading.Lock()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        ctx.runtime.observer = TurnMetrics()
        ctx.schedule = self._schedule

    # lifecycle
    def start(self) -> None:
        self.queue.ensure_groups()
        targets: list[tuple[str, Callable[[], None]]] = [
            (f"runner-{n}", lambda n=n: self._runner(n))  # type: ignore[misc]
            for n in range(self.concurrency)]
        targets += [("renewer", self._renewer), ("housekeeper", self._housekeeper)]
        for label, target in targets:
            thread = threading.Thread(target=target, name=f"mostrador-{label}", daemon=True)
            thread.start()
            self._threads.append(thread)
        log.info("worker started worker=%s concurrency=%d shards=%d", self.name,
                 self.concurrency, self.queue.shards)

    def stop(self, timeout: float = 30.0) -> None:
        """Finish the entries in hand, give the leases back and return."""
        self._stop.set()
        deadline = time.monotonic() + timeout
        for thread in self._threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        with self._held_lock:
            shards = list(self._held)
        for shard in shards:
            self._give_back(shard)
        log.info("worker stopped worker=%s", self.name)

    def request_stop(self) -> None:
        """Ask the threads to stop (safe from a signal handler); `stop()` waits for them."""
        self._stop.set()

    def wait(self) -> None:
        while not self._stop.wait(1.0):
            pass

    # leases
    def _take(self, shard: int) -> bool:
        if self.queue.client.set(self.queue.lease_key(shard), self.name, nx=True,
                                 px=self.lease_ms):
            with self._held_lock:
                self._held[shard] = True
            return True
        return False

    def _holds(self, shard: int) -> bool:
        with self._held_lock:
            return self._held.get(shard, False)

    def _fence(self, shard: int) -> None:
        """agent.fencing: raise LeaseLost unless Redis says this worker still holds `shard`.

        The in-memory flag alone is not enough: a worker that stalled past the visibility
        timeout wakes up believing it holds the lease until its renewer runs again.
        """
        if self._holds(shard) and \
                self.queue.client.get(self.queue.lease_key(shard)) == self.name:
            return
        with self._held_lock:
            if shard in self._held:
                self._held[shard] = False
        raise LeaseLost(f"shard {shard}")

    def _give_back(self, shard: int) -> None:
        with self._held_lock:
            self._held.pop(shard, None)
        try:
            self._release(keys=[self.queue.lease_key(shard)], args=[self.name])
        except redis.RedisError:
            pass  # it expires on its own

    def _renewer(self) -> None:
        while not self._stop.wait(self.lease_ms / 3000):
            with self._held_lock:
                shards = [s for s, ok in self._held.items() if ok]
            for shard in shards:
                try:
                    kept = self._renew(keys=[self.queue.lease_key(shard)],
                                       args=[self.name, self.lease_ms])
                except redis.RedisError:
                    continue  # Redis is away; the runner will notice too
                if not kept:
                    log.warning("lease lost shard=%d worker=%s", shard, self.name)
                    with self._held_lock:
                        if shard in self._held:
                            self._held[shard] = False

    # the runner loop
    def _runner(self, n: int) -> None:
        offset = n
        while not self._stop.is_set():
            try:
                shard, busy = self._find_shard(offset)
                if shard is None:
                    self._wait_for_work(busy)
                    continue
                offset = shard + 1
                try:
                    self._drain(shard)
                finally:
                    self._give_back(shard)
            except redis.RedisError as exc:
                log.warning("redis unavailable worker=%s error=%s", self.name,
                            type(exc).__name__)
                self._stop.wait(0.5)
                try:
                    self.queue.ensure_groups()  # a restarted Redis without data has none
                except redis.RedisError:
                    pass

    def _find_shard(self, offset: int) -> tuple[int | None, bool]:
        """A shard with entries whose lease we took; (None, busy) when there is none."""
        shards = self.queue.shards
        pipe = self.queue.client.pipeline(transaction=False)
        for shard in range(shards):
            pipe.xlen(self.queue.stream(shard))
            pipe.exists(self.queue.lease_key(shard), self.queue.hold_key(shard))
        found = pipe.execute()
        busy = False
        for step in range(shards):
            shard = (offset + step) % shards
            if found[2 * shard]:
                busy = True
                if not found[2 * shard + 1] and self._take(shard):  # free, and not held
                    return shard, busy
        return None, busy

    def _wait_for_work(self, busy: bool) -> None:
        if busy:  # work exists but other threads hold it: look again shortly
            self._stop.wait(0.05)
            return
        # Block until any shard gets a new entry (a read without a group consumes nothing).
        seconds, micros = self.queue.client.time()  # type: ignore[misc]
        since = f"{int(seconds) * 1000 + int(micros) // 1000 - 1}-0"
        self.queue.client.xread({self.queue.stream(s): since
                                 for s in range(self.queue.shards)}, count=1, block=500)

    def _drain(self, shard: int) -> None:
        stream = self.queue.stream(shard)
        client = self.queue.client
        buffer: dict[str, list[Entry]] = {}

        def add(raw: list[tuple[str, dict[str, str]]]) -> None:
            for entry_id, fields in raw:
                if fields:  # a deleted entry's id comes back with no fields
                    entry = Entry(shard, str(entry_id), dict(fields))
                    buffer.setdefault(entry.key, []).append(entry)

        start = "0-0"
        while True:  # a previous holder's pending entries first, in stream order
            reply = client.xautoclaim(stream, GROUP, self.name, min_idle_time=0,
                                      start_id=start, count=100)
            add(reply[1])  # type: ignore[index]
            start = str(reply[0])  # type: ignore[index]
            if start == "0-0":
                break
        slice_end = time.monotonic() + SLICE_SECONDS
        while not self._stop.is_set() and self._holds(shard):
            block = 200
            if buffer:
                oldest_wait = min(self.debounce_ms - (time.time() * 1000 - es[-1].ms)
                                  for es in buffer.values())
                block = int(min(200, max(1, oldest_wait)))
            got: Any = client.xreadgroup(GROUP, self.name, {stream: ">"}, count=100,
                                         block=block)
            new = [e for _, entries in (got or []) for e in entries]
            add(new)
            now_ms = time.time() * 1000
            for key in list(buffer):
                turns = bursts(buffer[key], self.debounce_ms)
                if now_ms - turns[-1][-1].ms < self.debounce_ms:
                    turns.pop()  # the last burst is inside its window: more may join it
                if not turns:
                    continue
                if self._stop.is_set() or not self._holds(shard) or \
                        client.exists(self.queue.hold_key(shard)):
                    return  # unacknowledged entries stay pending for the next holder
                rest = buffer.pop(key)[sum(len(t) for t in turns):]
                if rest:
                    buffer[key] = rest
                with fenced(lambda: self._fence(shard)):
                    for n, batch in enumerate(turns):  # one turn per burst, in order
                        if n and client.exists(self.queue.hold_key(shard)):
                            return  # an erasure waits for this shard (channels.durable.hold)
                        if not self._handle(batch):
                            return  # taken over: the rest is the new holder's
            if (not buffer and not new) or time.monotonic() > slice_end:
                return

    # one batch (one conversation's entries)
    def _handle(self, entries: list[Entry]) -> bool:
        """Process one batch to its end (ack, or dead letter); False when it is left pending
        instead: the lease was lost meanwhile (the new holder has it), or the worker stops."""
        started = time.perf_counter()
        while True:
            attempts = self.queue.count_attempt(entries)
            try:
                slug = self._process(entries)
            except redis.RedisError:
                raise
            except LeaseLost:
                return self._lost()
            except Exception as exc:
                slug = self._slug_of(entries)
                if attempts >= self.max_attempts:
                    try:
                        fencing.check()  # a stalled worker does not give up the new holder's work
                    except LeaseLost:
                        return self._lost()
                    self._dead_letter(entries, exc, attempts, slug)
                    return True
                RETRIES.labels(slug).inc()
                delay = min(MAX_BACKOFF_SECONDS, self.retry_base * 2 ** (attempts - 1))
                log.warning("batch failed key-kind=%s attempt=%d error=%s retry-in=%.2fs",
                            entries[0].key.split(":", 1)[0], attempts, type(exc).__name__,
                            delay)
                if self._stop.wait(delay):
                    return False  # left pending: whoever takes the shard next retries it
                continue
            self.queue.acknowledge(entries)
            TURNS.labels(slug or "-", "ok").inc()
            TURN_SECONDS.labels(slug or "-").observe(time.perf_counter() - started)
            return True

    def _lost(self) -> bool:
        log.warning("lease lost mid-turn, left to its new holder worker=%s", self.name)
        return False

    def _process(self, entries: list[Entry]) -> str:
        kind = entries[0].kind
        if kind == "meta":
            if any(e.fields.get("redo") for e in entries):
                reopen(self.ctx, [e for e in entries if e.fields.get("redo")])

            def admit(slug: str, contact: str) -> str | None:
                return self.limiter.admit(slug, contact, entries=_ids(entries))

            slug = process_batch(self.ctx, [(int(e.fields["event"]), int(e.fields["index"]))
                                            for e in entries], admit=admit,
                                  combine=self.debounce_ms > 0)
            return slug or "-"
        if kind == "chat":
            return self._chat(entries)
        log.error("unknown entry kind=%s dropped", kind[:20])
        return "-"

    def _chat(self, entries: list[Entry]) -> str:
        first = entries[0].fields
        slug, session = first["slug"], first["session"]
        inbounds = [Inbound(tenant_slug=slug, channel=Channel.web, thread_id=session,
                            text=e.fields["text"], utm=json.loads(e.fields.get("utm") or "{}"),
                            channel_message_id=f"web:{e.fields['request']}") for e in entries]
        canned = self.limiter.admit(slug, f"web:{session}", entries=_ids(entries))
        result = self.ctx.runtime.handle_batch(inbounds, canned=canned, strict=True)
        fencing.check()
        self.queue.publish_reply(request_ids=[e.fields["request"] for e in entries],
                                 slug=slug, session_id=session,
                                 payload={"conversation_id": result.conversation_id,
                                          # held by staff: no reply (theirs comes later)
                                          "reply": None if result.held else result.reply,
                                          "message_id": result.reply_message_id})
        return slug

    def _dead_letter(self, entries: list[Entry], exc: Exception, attempts: int,
                     slug: str) -> None:
        self.queue.dead_letter(entries, error=type(exc).__name__, attempts=attempts)
        DEAD_LETTERS.labels(slug).inc(len(entries))
        log.error("dead-lettered entries=%d key-kind=%s error=%s attempts=%d", len(entries),
                  entries[0].key.split(":", 1)[0], type(exc).__name__, attempts)
        try:
            flag_thread(self.ctx, entries[0])
        except Exception as flag_exc:  # flagging is best effort; the DLQ has the entry
            log.error("could not flag the conversation error=%s", type(flag_exc).__name__)

    def _slug_of(self, entries: list[Entry]) -> str:
        fields = entries[0].fields
        if "slug" in fields:
            return fields["slug"]
        try:
            with Session(self.ctx.engine) as db:
                event = db.get(WebhookEvent, int(fields.get("event", "0")))
                tenant = db.get(Tenant, event.tenant_id) if event and event.tenant_id else None
                return tenant.slug if tenant else "-"
        except Exception:
            return "-"

    # housekeeping: the DB is the source of truth
    def _housekeeper(self) -> None:
        interval = max(1.0, self.lease_ms / 1000)
        while not self._stop.is_set():
            try:
                redrive(self.ctx, self.queue, older_than=interval)
                if self.queue.client.set(f"{self.queue.prefix}:intakes", self.name, nx=True,
                                         ex=60):
                    retry_due_intakes(self.ctx)
                self._prune_consumers(interval)
            except Exception as exc:
                log.warning("housekeeping failed error=%s", type(exc).__name__)
            self._stop.wait(interval)

    def _prune_consumers(self, interval: float) -> int:
        """Forget consumers (dead workers' names) idle for PRUNE_AFTER_TIMEOUTS visibility
        timeouts with nothing pending; one worker does it per interval."""
        if not self.queue.client.set(f"{self.queue.prefix}:prune", self.name, nx=True,
                                     px=int(interval * 1000)):
            return 0
        removed = 0
        for shard in range(self.queue.shards):
            removed += int(self._prune(
                keys=[self.queue.stream(shard)],
                args=[GROUP, PRUNE_AFTER_TIMEOUTS * self.lease_ms, self.name]))
        if removed:
            log.info("pruned idle consumers count=%d", removed)
        return removed

    def _schedule(self, delay: float, task: Callable[[], None]) -> None:
        timer = threading.Timer(delay, task)
        timer.daemon = True
        timer.start()


def bursts(entries: list[Entry], window_ms: int) -> list[list[Entry]]:
    """One conversation's entries (in stream order) cut into the turns they make.

    A message that arrived (Redis's entry time) within `window_ms` of the one before joins
    its burst; a longer gap starts a new burst, answered in a turn of its own. What counts
    is when each message arrived, not when a worker reads it: entries a crashed worker left
    pending, or that queued up behind a slow turn, come back together, and messages sent
    10 s apart are still separate questions. With no window every message is its own turn.
    """
    found: list[list[Entry]] = []
    for entry in entries:
        if found and entry.ms - found[-1][-1].ms < window_ms:
            found[-1].append(entry)
        else:
            found.append([entry])
    return found


def _ids(entries: list[Entry]) -> list[str]:
    """Queue-wide ids of entries (ids are unique per stream only)."""
    return [f"{e.shard}:{e.id}" for e in entries]
