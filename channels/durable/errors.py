"""Queue errors, grouped by who must act.

    QueueError
    └── QueueUnavailable   the run: Redis did not answer (the caller falls back or retries)
"""

from __future__ import annotations


class QueueError(Exception):
    pass


class QueueUnavailable(QueueError):
    pass
