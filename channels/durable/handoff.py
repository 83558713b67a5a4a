"""What the webhook handler hands its work to when Redis is configured: the shard streams.

The webhook was stored (and its ids claimed) before this runs, so a failed enqueue loses
nothing: the event stays `received` in the database and a worker's redrive enqueues it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from channels.durable.errors import QueueUnavailable
from channels.durable.streams import Queue
from channels.receiver import Work

log = logging.getLogger("mostrador.channels.durable")


class QueueHandoff:
    def __init__(self, queue: Queue) -> None:
        self.queue = queue

    def submit(self, work: Iterable[Work]) -> None:
        work = list(work)
        try:
            self.queue.enqueue_work(work)
        except QueueUnavailable as exc:
            log.error("enqueue failed items=%d error=%s; the redrive will enqueue them",
                      len(work), exc)

    def drain(self, timeout: float = 30.0) -> bool:
        """Nothing runs in this process; workers do."""
        return True

    def stop(self) -> None:
        self.queue.close()
