"""Benchmark the log's PII scrubber (api.log_redaction): lines/s with and without it.

N log records are emitted through a real ``logging`` handler (formatter included) writing
to an in-memory stream, in four setups:

1. ``off``: no scrubber (the baseline: what logging itself costs);
2. ``on, own lines``: the scrubber, on Mostrador's usual lines (templates with ids, counts,
   durations, exception class names: the fast path — the template's verdict is cached and
   the arguments have harmless shapes);
3. ``on, mixed``: 90% such lines, 10% free text (f-strings, library messages; a fifth of
   them carry a name, phone or email), which go through the analyzer;
4. ``on, every line analyzed``: the fast path turned off, the worst case.

Reported: lines/s and µs per line of each, the scrubber's one-time load, and how many
records of the mixed set were changed.

    .venv/bin/python bench/log_redaction.py [--lines 20000]
"""

from __future__ import annotations

import argparse
import io
import logging
import random
import sys
import time
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

OWN: list[tuple[str, tuple[Any, ...]]] = []
FREE: list[str] = []


def _corpus(rng: random.Random) -> None:
    names = ["Ana Pérez", "Martín Sosa", "Lucía Romero", "Diego Benítez"]
    for _ in range(200):
        cid = uuid.UUID(int=rng.getrandbits(128)).hex
        OWN.extend([
            ("turn done conversation=%s tools=%s ok=%s ms=%.1f",
             (cid, rng.choice(["-", "book_appointment", "save_contact_details,book_appointment"]),
              True, rng.uniform(5, 900))),
            ("webhook accepted event=%d object=%s items=%d duplicates=%d receipts=%d",
             (rng.randint(1, 99999), "whatsapp_business_account", 1, 0, rng.randint(0, 3))),
            ("reply delivered conversation=%s parts=%d statuses=%s", (cid, 1, "accepted")),
            ("batch failed key-kind=%s attempt=%d error=%s retry-in=%.2fs",
             ("chat", rng.randint(1, 5), "APITimeoutError", rng.uniform(0.5, 30))),
            ("rate limited tenant=%s scope=%s", ("clinica-sonrisas", "contact")),
        ])
        FREE.extend([
            f"Started server process [{rng.randint(1000, 60000)}]",
            f"worker w-{cid[:8]} ready after {rng.randint(1, 90)} ms",
            f"Retrying request to /chat/completions in {rng.uniform(0.1, 2):.6f} seconds",
            f"cache miss for key session:{cid}",
            f"no contact for {rng.choice(names)}, phone 11 {rng.randint(4000, 6999)}-"
            f"{rng.randint(1000, 9999)}, mail {cid[:6]}@example.com",
        ])


def _emit(logger: logging.Logger, lines: int, rng: random.Random, free_share: float) -> float:
    started = time.perf_counter()
    for _ in range(lines):
        if rng.random() < free_share:
            logger.info(rng.choice(FREE))
        else:
            template, args = rng.choice(OWN)
            logger.info(template, *args)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--lines", type=int, default=20000)
    args = parser.parse_args()
    rng = random.Random(7)
    _corpus(rng)

    started = time.perf_counter()
    from api import log_redaction  # imports Presidio

    imported = time.perf_counter() - started
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    logger = logging.getLogger("bench.logs")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False

    started = time.perf_counter()
    scrubber = log_redaction.LogRedactor()
    load = time.perf_counter() - started
    for name in ("presidio-analyzer", "presidio-anonymizer"):
        logging.getLogger(name).setLevel(logging.WARNING)

    rows: list[tuple[str, int, float]] = []
    n = args.lines
    log_redaction.uninstall()
    _emit(logger, 2000, random.Random(3), 0.1)  # warm up
    rows.append(("off (baseline)", n, _emit(logger, n, random.Random(1), 0.0)))
    rows.append(("off, mixed", n, _emit(logger, n, random.Random(2), 0.1)))
    log_redaction.install(scrubber)
    _emit(logger, 2000, random.Random(3), 0.1)  # warm the verdict caches
    rows.append(("on, own lines", n, _emit(logger, n, random.Random(1), 0.0)))
    stream.seek(0)
    stream.truncate()
    rows.append(("on, mixed (10% free text)", n, _emit(logger, n, random.Random(2), 0.1)))
    changed = stream.getvalue().count("<")
    slow = max(1000, n // 10)
    scrubber._fast_clean = lambda record: False  # type: ignore[method-assign]
    rows.append(("on, every line analyzed", slow, _emit(logger, slow, random.Random(2), 0.1)))
    log_redaction.uninstall()

    print(f"scrubber load, once per process: import {imported:.2f} s + analyzer build "
          f"{load:.2f} s")
    print(f"{'setup':<28} {'lines':>7} {'lines/s':>10} {'µs/line':>9}")
    for label, count, seconds in rows:
        print(f"{label:<28} {count:>7} {count / seconds:>10,.0f} {seconds / count * 1e6:>9.1f}")
    print(f"placeholders written in the mixed run: {changed}")


if __name__ == "__main__":
    main()
