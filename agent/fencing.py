"""Fencing: a turn whose worker lost the conversation to another stops before it writes.

A worker owns a conversation's queue shard through a lease that it renews while it works.
A worker that stalls (a long GC pause, a frozen VM, SIGSTOP) stops renewing; once the
lease lapses another worker takes the shard and runs the same turn. When the stalled one
wakes up it must not store a second reply nor send one: before each write of the turn
(the agent's steps, its reply) and before each send, the code calls `check()`, which asks
the caller's fence whether it still owns the work and raises `LeaseLost` if not.

The fence is a context variable, set by the queue worker around each turn
(`with fenced(...)`), and unset everywhere else (the in-process path, the CLI): there,
`check()` does nothing. Each thread has its own context, so runner threads do not mix.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar


class LeaseLost(Exception):
    """This worker no longer owns the turn: another has taken it. Leave it unacknowledged."""


_fence: ContextVar[Callable[[], None] | None] = ContextVar("mostrador_fence", default=None)


@contextmanager
def fenced(fence: Callable[[], None]) -> Iterator[None]:
    """Run the block with `fence` (which raises LeaseLost when ownership is gone)."""
    token = _fence.set(fence)
    try:
        yield
    finally:
        _fence.reset(token)


def check() -> None:
    """Raise LeaseLost if the current work has been taken over; a no-op when unfenced."""
    fence = _fence.get()
    if fence is not None:
        fence()
