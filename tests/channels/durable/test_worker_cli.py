"""`mostrador worker`, the real command in a process of its own: it processes the queue,
serves Prometheus metrics, and stops on SIGTERM once the turn in hand is finished; without
MOSTRADOR_REDIS_URL it refuses to start."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlmodel import Session, select
from typer.testing import CliRunner

from api.cli import app as cli
from channels.durable.streams import Queue
from crm.models import ChannelConnection, InboundKey, InboundState, OutboundDelivery
from crm.settings import Settings, get_settings
from tests.channels.conftest import TEST_SECRET_KEY, WA_PHONE_ID, Poster
from tests.channels.durable.conftest import wait_until
from tests.channels.payloads import wa_text
from tests.support.graph_standin import GraphStandIn
from tests.support.live_server import free_port

MOSTRADOR = Path(sys.executable).parent / "mostrador"
ROOT = Path(__file__).resolve().parents[3]


def worker_env(settings: Settings) -> dict[str, str]:
    """This environment without MOSTRADOR_* and OpenAI settings, plus the test's."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("MOSTRADOR_", "OPENAI_"))}
    env["PYTHONPATH"] = str(ROOT)  # this checkout, whatever the editable install maps
    env.update({
        "MOSTRADOR_ENV": "test", "MOSTRADOR_LLM": "offline",
        "MOSTRADOR_DATABASE_URL": settings.database_url,
        "MOSTRADOR_REDIS_URL": settings.redis_url or "",
        "MOSTRADOR_QUEUE_PREFIX": settings.queue_prefix,
        "MOSTRADOR_QUEUE_SHARDS": str(settings.queue_shards),
        "MOSTRADOR_DEBOUNCE_SECONDS": "0", "MOSTRADOR_SECRET_KEY": TEST_SECRET_KEY,
        "MOSTRADOR_GRAPH_API_URL": settings.graph_api_url,
        "MOSTRADOR_HOST": "127.0.0.1", "MOSTRADOR_LOG_LEVEL": "WARNING"})
    return env


@pytest.fixture
def started(queue_settings: Settings, tmp_path: Path
            ) -> Iterator[tuple[subprocess.Popen[bytes], int]]:
    port = free_port()
    log = tmp_path / "worker.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [str(MOSTRADOR), "worker", "--concurrency", "2", "--metrics-port", str(port)],
            cwd=tmp_path, env=worker_env(queue_settings), stdout=out, stderr=out)
    try:
        # started when its metrics answer (or failed: say why); importing the worker takes
        # ~9 s on an idle machine, far longer on a loaded one
        wait_until(lambda: process.poll() is not None or _answers(port), timeout=120,
                   message="the worker's metrics port")
        assert process.poll() is None, log.read_text(errors="replace")[-2000:]
        yield process, port
    finally:  # a failed start does not leave the process behind
        if process.poll() is None:
            process.kill()
            process.wait(10)


def _answers(port: int) -> bool:
    try:
        return httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


@pytest.mark.parametrize("db_url", ["postgres"], indirect=True)
def test_the_worker_command_answers_serves_metrics_and_stops_after_the_turn_in_hand(
        started: tuple[subprocess.Popen[bytes], int], queued_meta: Poster,
        wa: ChannelConnection, queue: Queue, graph: GraphStandIn, db: Session) -> None:
    process, port = started
    now = int(time.time())  # the command runs on the real clock: inside the 24 h window
    assert queued_meta.post(wa_text(WA_PHONE_ID, "5491100000041", "wamid.cli1", "Hola",
                                    now)).status_code == 200
    request = uuid.uuid4().hex
    queue.enqueue_chat(slug="demo", session_id="cli-session", text="Hola, qué servicios "
                       "tienen?", utm={}, request_id=request)
    reply = queue.wait_reply(request, timeout=30)
    assert reply is not None and reply["reply"] and reply["conversation_id"]
    wait_until(lambda: len(graph.sends()) == 1, message="the WhatsApp reply")

    metrics = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=5)
    assert metrics.status_code == 200
    assert metrics.headers["content-type"].startswith("text/plain")
    assert 'mostrador_turns_total{outcome="ok",tenant="demo"} 2.0' in metrics.text
    assert "mostrador_queue_depth" in metrics.text
    assert "5491100000041" not in metrics.text

    # SIGTERM while a reply is on its way to Meta: that turn is finished, then it exits
    graph.slow(1.0)
    assert queued_meta.post(wa_text(WA_PHONE_ID, "5491100000041", "wamid.cli2", "Gracias",
                                    now + 1)).status_code == 200
    wait_until(lambda: bool(graph.in_flight()), message="a send in flight")
    asked = time.monotonic()
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=15) == 0
    assert time.monotonic() - asked < 8
    db.commit()
    assert all(k.state == InboundState.done for k in db.exec(select(InboundKey)))
    assert queue.stats().depth == 0  # acknowledged, not left for another worker
    deliveries = db.exec(select(OutboundDelivery)).all()
    assert len(deliveries) == 2 and all(d.external_id and d.part == 0 for d in deliveries)


def test_the_worker_command_without_redis_exits_2_saying_what_to_set(
        monkeypatch: pytest.MonkeyPatch) -> None:
    # In this process (starting one more costs seconds): the check comes before any work.
    monkeypatch.delenv("MOSTRADOR_REDIS_URL", raising=False)
    get_settings.cache_clear()
    try:
        done = CliRunner().invoke(cli, ["worker"])
    finally:
        get_settings.cache_clear()
    assert done.exit_code == 2
    assert "set MOSTRADOR_REDIS_URL" in done.stderr
