"""CPU contention for the chaos tests, and how big they run.

A race shows on a loaded machine long before it shows on an idle one: the chaos tests
(crashes, restarts, concurrent intakes) run with a busy-loop process beside them, so a
thread that is preempted between a check and its write is the normal case, not luck.

MOSTRADOR_CHAOS_SCALE sizes them (default 1: what `make test` runs; 0.5 for a quick
look, 3 for a long soak). `scaled(n)` is `n` times the scale, at least `minimum`.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager

BUSY_LOOP = "while True:\n    pass\n"


def chaos_scale() -> float:
    raw = os.environ.get("MOSTRADOR_CHAOS_SCALE", "1")
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"MOSTRADOR_CHAOS_SCALE must be a number, got {raw!r}") from None
    if value <= 0:
        raise ValueError("MOSTRADOR_CHAOS_SCALE must be above 0")
    return value


def scaled(n: int, minimum: int = 1) -> int:
    return max(minimum, round(n * chaos_scale()))


@contextmanager
def busy_loop(processes: int = 1) -> Iterator[list[subprocess.Popen[bytes]]]:
    """`processes` Python processes spinning on the CPU until the block ends."""
    started = [subprocess.Popen([sys.executable, "-c", BUSY_LOOP],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
               for _ in range(processes)]
    try:
        yield started
    finally:
        for process in started:
            process.kill()
        for process in started:
            process.wait(timeout=10)
