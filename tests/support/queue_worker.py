"""A worker process for the crash tests: `python -m tests.support.queue_worker SETTINGS_JSON N`.

Like `mostrador worker`, with the test's settings and its pinned clock (dates in the test
messages are relative to tests.conftest.NOW). SIGTERM stops it cleanly; SIGKILL is a crash,
SIGSTOP a stall. QUEUE_WORKER_LLM_SECONDS sets how long each turn's model takes (default
0.05); when it is set, the worker also prints "model call started" to stderr at each call.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import sys
import time
from typing import Any

from agent.runtime import AgentRuntime
from channels.context import ChannelContext
from channels.durable.consumer import Worker
from channels.durable.streams import Queue
from crm.db import get_engine
from crm.settings import Settings
from tests.conftest import NOW


class SlowModelRuntime(AgentRuntime):
    """The offline model answers in microseconds; a real LLM takes far longer, so a crash
    lands mid-turn far more often than in the few milliseconds of a send. This restores
    that proportion (LLM_SECONDS before each turn)."""

    def _run(self, *args: Any, **kwargs: Any) -> Any:
        if ANNOUNCE:  # a test waits for this line to freeze the worker inside the model call
            print("model call started", file=sys.stderr, flush=True)
        time.sleep(LLM_SECONDS)
        return super()._run(*args, **kwargs)


LLM_SECONDS = float(os.environ.get("QUEUE_WORKER_LLM_SECONDS", "0.05"))
ANNOUNCE = "QUEUE_WORKER_LLM_SECONDS" in os.environ


def main() -> None:
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    settings = Settings.model_validate(json.loads(sys.argv[1]))
    engine = get_engine(settings.database_url)
    ctx = ChannelContext.build(settings, engine, SlowModelRuntime(settings, engine,
                                                                  clock=lambda: NOW))
    worker = Worker(ctx, Queue.from_settings(settings), concurrency=int(sys.argv[2]))
    signal.signal(signal.SIGTERM, lambda *_: worker.request_stop())
    worker.start()
    print(f"ready {worker.name}", flush=True)
    worker.wait()
    worker.stop()


if __name__ == "__main__":
    main()
