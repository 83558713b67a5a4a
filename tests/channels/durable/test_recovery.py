"""Crashes: a worker SIGKILLed mid-run, a worker stalled (SIGSTOP) past its lease, and the
Redis server restarted mid-run.

Each test runs its own redis-server (AOF on, `appendfsync always`) and worker processes
(tests.support.queue_worker) against PostgreSQL, the database several machines share. The
API runs on a real HTTP server; in the SIGKILL test the Graph stand-in posts Meta's
receipts to it (status webhooks carrying our reference), which is what lets a send cut off
by the kill be settled without sending it twice.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlmodel import Session, col, select

from agent.runtime import AgentRuntime
from api.app import create_app
from channels.durable.streams import GROUP, Queue
from crm.models import (
    Appointment,
    ChannelConnection,
    Conversation,
    InboundKey,
    InboundState,
    Lead,
    Message,
    MessageRole,
    OutboundDelivery,
)
from crm.settings import Settings
from tests.channels.conftest import APP_SECRET, NOW_TS, WA_PHONE_ID
from tests.channels.durable.conftest import wait_until
from tests.channels.payloads import signed, wa_text
from tests.support.contention import scaled
from tests.support.graph_standin import GraphStandIn
from tests.support.live_server import live_server
from tests.support.redis_server import RedisServer

pytestmark = pytest.mark.chaos  # beside a busy loop (tests.support.contention)

ROOT = Path(__file__).resolve().parents[3]
CONVERSATIONS = scaled(20, minimum=8)  # 50 (the stress run of issue 13): SCALE=2.5
PER_CONVERSATION = 10
FOLLOW_UPS = ["gracias", "qué horarios tienen?", "dónde quedan?", "cuánto sale la limpieza?",
              "ok", "perfecto", "hasta luego", "una consulta más", "genial"]


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    (tmp_path / "redis").mkdir()
    server = RedisServer(tmp_path / "redis").start()
    yield server
    server.stop()


@pytest.fixture
def own_settings(channel_settings: Settings, redis_server: RedisServer) -> Settings:
    return channel_settings.model_copy(update={
        "redis_url": redis_server.url, "queue_prefix": "crash", "queue_shards": 8,
        # Short for a quick recovery, yet above the stalls of a busy 2-core test machine:
        # a live worker whose lease lapses can run a turn alongside the new holder.
        "visibility_timeout_seconds": 3.0, "debounce_seconds": 0.0,
        "queue_retry_base_seconds": 0.05, "queue_max_attempts": 50,
        "rate_limit_tenant_per_minute": 0, "rate_limit_contact_per_minute": 0,
        "send_confirm_seconds": 2.0, "log_level": "WARNING"})


@pytest.fixture
def meta_api(own_settings: Settings, runtime: AgentRuntime,
             graph: GraphStandIn) -> Iterator[httpx.Client]:
    """The API on a live server, for Meta's webhooks (and the stand-in's receipts)."""
    with live_server(create_app(own_settings, runtime)) as base, httpx.Client(
            base_url=base, timeout=30) as http:
        yield http
        graph.send_receipts(None)


def post_turn(http: httpx.Client, turn: int) -> None:
    """Message `turn` of every conversation, as Meta delivers it."""
    for n in range(CONVERSATIONS):
        raw, headers = signed(wa_text(WA_PHONE_ID, sender(n), f"wamid.{n}.{turn}",
                                      text_of(n, turn), NOW_TS + turn), APP_SECRET)
        assert http.post("/webhooks/meta", content=raw, headers=headers).status_code == 200


class Workers:
    """Worker processes; `kill` is a SIGKILL (no cleanup, leases left to expire)."""

    def __init__(self, settings: Settings, logs: Path) -> None:
        self.logs = logs
        data = settings.model_dump(mode="json")
        data["secret_key"] = settings.secret_key.get_secret_value()
        data["openai_api_key"] = None
        self.data = data
        self.processes: list[subprocess.Popen[bytes]] = []
        self.names: dict[int, str] = {}

    def start(self, concurrency: int = 4, graph_tag: str | None = None,
              llm_seconds: float | None = None) -> subprocess.Popen[bytes]:
        """A worker process, once it is ready (see `spawn`)."""
        return self.ready(self.spawn(concurrency, graph_tag, llm_seconds))

    def spawn(self, concurrency: int = 4, graph_tag: str | None = None,
              llm_seconds: float | None = None) -> subprocess.Popen[bytes]:
        """A worker process, starting (`ready` waits for it: importing takes seconds, so
        start several before waiting); with `graph_tag` its Graph calls go to
        `{stand-in}/{tag}/...`, so the stand-in can tell them apart; `llm_seconds` is how
        long its model takes."""
        data = dict(self.data)
        if graph_tag:
            data["graph_api_url"] = f"{data['graph_api_url']}/{graph_tag}"
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        if llm_seconds is not None:
            env["QUEUE_WORKER_LLM_SECONDS"] = str(llm_seconds)
        with (self.logs / f"worker-{len(self.processes)}.log").open("wb") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "tests.support.queue_worker", json.dumps(data),
                 str(concurrency)], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=log)
        self.processes.append(process)
        return process

    def ready(self, process: subprocess.Popen[bytes]) -> subprocess.Popen[bytes]:
        assert process.stdout is not None
        word, name = process.stdout.readline().decode().split()
        assert word == "ready"
        self.names[process.pid] = name
        return process

    def log_text(self) -> str:
        return "".join(p.read_text(errors="replace") for p in sorted(self.logs.glob("*.log")))

    def kill(self, process: subprocess.Popen[bytes]) -> None:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)

    def stop_all(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()


@pytest.fixture
def worker_processes(own_settings: Settings, tmp_path: Path) -> Iterator[Workers]:
    pool = Workers(own_settings, tmp_path)
    yield pool
    pool.stop_all()


def all_done(db: Session) -> bool:
    db.commit()
    keys = db.exec(select(InboundKey)).all()
    return len(keys) == CONVERSATIONS * PER_CONVERSATION and all(
        k.state == InboundState.done for k in keys)


def pending_of(queue: Queue, consumer: str) -> int:
    """Entries delivered to `consumer` and not acknowledged, over every shard."""
    total = 0
    for shard in range(queue.shards):
        info = queue.client.xpending(queue.stream(shard), GROUP)
        total += sum(int(c["pending"]) for c in info["consumers"]  # type: ignore[index]
                     if c["name"] == consumer)
    return total


def first_message(n: int) -> str:
    day, slot = 24 + n // 18, n % 18
    return (f"Hola, quiero un turno de consulta general el {day}/11 a las "
            f"{9 + slot // 2}:{'30' if slot % 2 else '00'}, soy Ana Pérez y mi cel es "
            f"11 5555 {1000 + n}")


def sender(n: int) -> str:
    return f"54911555{1000 + n}"


def text_of(n: int, turn: int) -> str:
    return first_message(n) if turn == 0 else FOLLOW_UPS[turn - 1]


def assert_each_message_answered_once_in_order(db: Session, graph: GraphStandIn) -> None:
    """Every message has exactly one stored reply, in order, and every reply reached Meta
    exactly once, in order; nothing is left unconfirmed and nobody is asked to check."""
    db.commit()
    assert db.exec(select(OutboundDelivery).where(OutboundDelivery.part == -1)).all() == []
    first_parts = Counter(d.message_id for d in db.exec(select(OutboundDelivery).where(
        OutboundDelivery.part == 0, col(OutboundDelivery.external_id).is_not(None))))
    for n in range(CONVERSATIONS):
        conversation = db.exec(select(Conversation).where(
            Conversation.external_id == sender(n))).one()
        rows = db.exec(select(Message).where(Message.conversation_id == conversation.id)
                       .order_by(col(Message.id))).all()
        steps = [m for m in rows if m.role == MessageRole.user
                 or (m.role == MessageRole.assistant and not m.tool_calls)]
        assert [m.role.value for m in steps] == ["user", "assistant"] * PER_CONVERSATION
        assert [m.channel_message_id for m in steps if m.role == MessageRole.user] == [
            f"wamid.{n}.{t}" for t in range(PER_CONVERSATION)]
        replies = [m for m in steps if m.role == MessageRole.assistant]
        sent = [s.body["text"]["body"] for s in graph.sends()
                if s.body and s.body["to"] == sender(n)]
        assert sent == [m.text for m in replies]  # each reply sent once, in order
        assert all(first_parts[m.id] == 1 for m in replies)
        assert not conversation.needs_human
    assert all(k.state == InboundState.done for k in db.exec(select(InboundKey)))
    # tool effects happened once: one appointment and one lead per conversation
    appointments = Counter(a.contact_id for a in db.exec(select(Appointment)))
    leads = Counter(lead.contact_id for lead in db.exec(select(Lead)))
    assert len(appointments) == CONVERSATIONS and set(appointments.values()) == {1}
    assert len(leads) == CONVERSATIONS and set(leads.values()) == {1}


@pytest.mark.parametrize("db_url", ["postgres"], indirect=True)
def test_a_worker_killed_mid_run_loses_nothing_and_answers_nothing_twice(
        own_settings: Settings, meta_api: httpx.Client, wa: ChannelConnection, db: Session,
        graph: GraphStandIn, worker_processes: Workers) -> None:
    graph.send_receipts(str(meta_api.base_url.join("/webhooks/meta")), APP_SECRET)  # as Meta
    victim = worker_processes.spawn(graph_tag="victim")
    for process in [victim] + [worker_processes.spawn() for _ in range(2)]:
        worker_processes.ready(process)
    queue = Queue.from_settings(own_settings)
    for turn in range(PER_CONVERSATION):
        post_turn(meta_api, turn)
        if turn == 3:
            wait_until(lambda: len(graph.sends()) >= 2 * CONVERSATIONS,
                       message="work under way")
            # Killed in the send window: Meta has accepted a reply of the victim's and the
            # victim has not heard back (nor recorded it); the others keep their pace.
            graph.slow(0.3)
            wait_until(lambda: any(r.path.startswith("/victim/")
                                   for r in graph.in_flight()), message="a send in flight")
            worker_processes.kill(victim)
            graph.slow(0)
            name = worker_processes.names[victim.pid]
            assert pending_of(queue, name) > 0  # left for the others to reclaim
            worker_processes.spawn()  # a replacement joins when it is ready
    wait_until(lambda: all_done(db), timeout=90, message="every message processed")
    wait_until(lambda: queue.stats().depth == 0, message="every ack")
    time.sleep(0.5)  # a duplicate would show up now
    assert_each_message_answered_once_in_order(db, graph)
    assert "send without a recorded outcome" in worker_processes.log_text()  # window hit
    queue.close()


@pytest.mark.parametrize("db_url", ["postgres"], indirect=True)
def test_no_acknowledged_message_is_lost_when_redis_restarts_mid_run(
        own_settings: Settings, meta_api: httpx.Client, wa: ChannelConnection, db: Session,
        graph: GraphStandIn, worker_processes: Workers, redis_server: RedisServer) -> None:
    # No worker dies here, so no send is left without an outcome: no receipts needed.
    for process in [worker_processes.spawn() for _ in range(2)]:
        worker_processes.ready(process)
    queue = Queue.from_settings(own_settings)
    for turn in range(PER_CONVERSATION):
        post_turn(meta_api, turn)
        if turn == 3:
            redis_server.stop(kill=True)  # a crash: only what AOF wrote survives
        if turn == 5:
            redis_server.start()  # webhooks acknowledged meanwhile wait in the DB
    wait_until(lambda: all_done(db), timeout=90, message="every message processed")
    wait_until(lambda: queue.stats().depth == 0, message="every ack")
    time.sleep(0.5)
    assert_each_message_answered_once_in_order(db, graph)
    queue.close()


@pytest.mark.parametrize("db_url", ["postgres"], indirect=True)
def test_a_worker_stalled_past_its_lease_neither_stores_nor_sends_a_second_reply(
        own_settings: Settings, meta_api: httpx.Client, wa: ChannelConnection, db: Session,
        graph: GraphStandIn, worker_processes: Workers) -> None:
    """A worker frozen mid-turn (SIGSTOP: a GC pause, a frozen VM) longer than the
    visibility timeout loses the conversation to another worker, which answers it. When
    the frozen one wakes up, its turn finds the lease gone (agent.fencing) and stops: no
    second reply is stored, none is sent."""
    stalled = worker_processes.start(concurrency=1, graph_tag="stalled", llm_seconds=2.0)
    queue = Queue.from_settings(own_settings)
    raw, headers = signed(wa_text(WA_PHONE_ID, sender(0), "wamid.stall.0", "hola, qué "
                                  "servicios tienen?", NOW_TS), APP_SECRET)
    assert meta_api.post("/webhooks/meta", content=raw, headers=headers).status_code == 200
    wait_until(lambda: "model call started" in worker_processes.log_text(),
               message="the stalled worker inside its model call (2 s)")
    stalled.send_signal(signal.SIGSTOP)
    try:
        time.sleep(own_settings.visibility_timeout_seconds + 0.5)  # its lease lapses
        worker_processes.start()
        wait_until(lambda: len(graph.sends()) == 1, message="the new holder's reply")
    finally:
        stalled.send_signal(signal.SIGCONT)
    wait_until(lambda: "lease lost mid-turn" in worker_processes.log_text()
               or len(graph.sends()) > 1, message="the stalled worker's turn to end")
    time.sleep(0.5)  # a second reply would be sent now
    assert [s.path.startswith("/stalled/") for s in graph.sends()] == [False]
    assert "lease lost mid-turn" in worker_processes.log_text()
    db.commit()
    conversation = db.exec(select(Conversation).where(
        Conversation.external_id == sender(0))).one()
    replies = [m for m in db.exec(select(Message).where(
        Message.conversation_id == conversation.id)) if m.role == MessageRole.assistant
        and not m.tool_calls]
    assert [m.text for m in replies] == [(graph.sends()[0].body or {})["text"]["body"]]
    assert all(k.state == InboundState.done for k in db.exec(select(InboundKey)))
    wait_until(lambda: queue.stats().depth == 0, message="acknowledged once")
    queue.close()
