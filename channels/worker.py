"""The in-process processing path: a bounded pool of threads, in order per conversation.

The webhook handler hands `Work` items over and returns; the `Processor` runs them on at
most `channel_workers` threads. Items with the same key (one end user on one account, one
leadgen) run one after another in arrival order; different keys run in parallel. Delayed
retries (Lead Ads fetches) are timers that feed the same pool. `drain()` waits until
nothing is queued, running or scheduled, so tests never sleep-and-hope.

On start the processor re-drives events a previous process stored but did not finish
(status `received`) and Lead Ads intakes whose retry is due. This is the path without
Redis; with MOSTRADOR_REDIS_URL the work goes to `channels.durable` and `mostrador worker`.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from functools import partial

from sqlmodel import Session, col, select

from channels.context import ChannelContext
from channels.lead_ads import retry_due_intakes
from channels.processing import process_event, process_item
from channels.receiver import Work
from crm.db import reader_engine
from crm.models import WebhookEvent, WebhookStatus
from crm.services.lead_intake import intakes_to_retry

log = logging.getLogger("mostrador.channels.worker")


class KeyedExecutor:
    """FIFO per key over a bounded thread pool."""

    def __init__(self, workers: int) -> None:
        self._pool = ThreadPoolExecutor(max_workers=max(1, workers),
                                        thread_name_prefix="mostrador-channel")
        self._queues: dict[str, deque[Callable[[], None]]] = {}
        self._lock = threading.Lock()
        self._idle = threading.Condition(self._lock)
        self._pending = 0
        self._closed = False

    def submit(self, key: str, task: Callable[[], None]) -> bool:
        with self._lock:
            if self._closed:
                return False
            self._pending += 1
            queue = self._queues.get(key)
            if queue is not None:  # a runner for this key is active; it will get there
                queue.append(task)
                return True
            self._queues[key] = deque([task])
        self._pool.submit(self._run, key)
        return True

    def _run(self, key: str) -> None:
        while True:
            with self._lock:
                queue = self._queues[key]
                if not queue:
                    del self._queues[key]
                    return
                task = queue[0]
            try:
                task()
            except Exception as exc:  # tasks log their own failures; this is a backstop
                log.error("task crashed key-kind=%s error=%s", key.split(":", 1)[0],
                          type(exc).__name__)
            finally:
                with self._lock:
                    queue.popleft()
                    self._pending -= 1
                    self._idle.notify_all()

    def hold(self) -> None:
        """Count something that will submit later (a timer) as pending."""
        with self._lock:
            self._pending += 1

    def release(self) -> None:
        with self._lock:
            self._pending -= 1
            self._idle.notify_all()

    def drain(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        with self._lock:
            while self._pending > 0:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._idle.wait(left)
        return True

    def shutdown(self, wait: bool = True) -> None:
        with self._lock:
            self._closed = True
        self._pool.shutdown(wait=wait, cancel_futures=not wait)


class Processor:
    """Owns the pool; the app starts it in its lifespan and stops it on shutdown."""

    def __init__(self, ctx: ChannelContext) -> None:
        self.ctx = ctx
        self._executor = KeyedExecutor(ctx.settings.channel_workers)
        self._timers: set[threading.Timer] = set()
        self._timers_lock = threading.Lock()
        ctx.schedule = self.schedule

    def submit(self, work: Iterable[Work]) -> None:
        for unit in work:
            self._executor.submit(unit.key, partial(process_item, self.ctx, unit.event_id,
                                                    unit.index))

    def submit_event(self, event_id: int) -> None:
        self._executor.submit(f"event:{event_id}", lambda: process_event(self.ctx, event_id))

    def schedule(self, delay: float, task: Callable[[], None]) -> None:
        """Run `task` on the pool after `delay` seconds (counted by drain meanwhile)."""
        self._executor.hold()

        def fire() -> None:
            with self._timers_lock:
                if timer not in self._timers:
                    return  # cancelled by stop(), which released it
                self._timers.discard(timer)
            self._executor.submit("scheduled", task)
            self._executor.release()

        timer = threading.Timer(delay, fire)
        timer.daemon = True
        with self._timers_lock:
            self._timers.add(timer)
        timer.start()

    def redrive(self) -> int:
        """Resubmit events stored but not finished, and due Lead Ads retries."""
        # Read-only: a deferred SQLite transaction does not take the write lock.
        with Session(reader_engine(self.ctx.engine)) as db:
            ids = list(db.exec(select(WebhookEvent.id).where(
                WebhookEvent.status == WebhookStatus.received).order_by(col(WebhookEvent.id))))
            due = intakes_to_retry(db, max_attempts=self.ctx.settings.lead_fetch_max_attempts,
                                   now=self.ctx.clock())
        for event_id in ids:
            if event_id is not None:
                self.submit_event(event_id)
        if due:
            self._executor.submit("intake-retry", lambda: _retry_intakes(self.ctx))
        if ids:
            log.info("re-driving unfinished events count=%d", len(ids))
        return len(ids)

    def drain(self, timeout: float = 30.0) -> bool:
        """Wait until nothing is queued, running or scheduled; False on timeout."""
        return self._executor.drain(timeout)

    def stop(self) -> None:
        with self._timers_lock:
            timers, self._timers = list(self._timers), set()
        for timer in timers:
            timer.cancel()
            self._executor.release()
        self._executor.shutdown(wait=True)
        self.ctx.graph.close()


def _retry_intakes(ctx: ChannelContext) -> None:
    tried, registered = retry_due_intakes(ctx)
    if tried:
        log.info("lead intakes retried tried=%d registered=%d", tried, registered)
