"""Crashes: a worker SIGKILLed mid-run, and the Redis server restarted mid-run.

Each test runs its own redis-server (AOF on, `appendfsync always`) and worker processes
(tests.support.queue_worker) against PostgreSQL, the database several machines share.
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

import pytest
from fastapi.testclient import TestClient
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
from tests.channels.conftest import NOW_TS, WA_PHONE_ID, Poster
from tests.channels.durable.conftest import wait_until
from tests.channels.payloads import wa_text
from tests.support.graph_standin import GraphStandIn
from tests.support.redis_server import RedisServer

ROOT = Path(__file__).resolve().parents[3]
CONVERSATIONS = 50
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
        "visibility_timeout_seconds": 1.5, "debounce_seconds": 0.0,
        "queue_retry_base_seconds": 0.05, "queue_max_attempts": 50,
        "rate_limit_tenant_per_minute": 0, "rate_limit_contact_per_minute": 0,
        "log_level": "WARNING"})


class Workers:
    """Worker processes; `kill` is a SIGKILL (no cleanup, leases left to expire)."""

    def __init__(self, settings: Settings) -> None:
        data = settings.model_dump(mode="json")
        data["secret_key"] = settings.secret_key.get_secret_value()
        data["openai_api_key"] = None
        self.config = json.dumps(data)
        self.processes: list[subprocess.Popen[bytes]] = []
        self.names: dict[int, str] = {}

    def start(self, concurrency: int = 4) -> subprocess.Popen[bytes]:
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        process = subprocess.Popen(
            [sys.executable, "-m", "tests.support.queue_worker", self.config,
             str(concurrency)], cwd=ROOT, env=env, stdout=subprocess.PIPE)
        assert process.stdout is not None
        word, name = process.stdout.readline().decode().split()
        assert word == "ready"
        self.names[process.pid] = name
        self.processes.append(process)
        return process

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
def worker_processes(own_settings: Settings) -> Iterator[Workers]:
    pool = Workers(own_settings)
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
    """Every message has exactly one stored reply, in order; every reply was sent once,
    except a reply whose send a killed worker had begun and not confirmed: that one is never
    sent again (no reply twice) and its conversation is flagged for a human."""
    db.commit()
    sends = Counter(s.body["to"] for s in graph.sends() if s.body)
    unconfirmed = [d for d in db.exec(select(OutboundDelivery).where(
        OutboundDelivery.part == -1))]
    assert len(unconfirmed) <= 4  # at most the killed worker's threads, in a ms window
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
        ids = {m.id for m in rows}
        held = [d for d in unconfirmed if d.message_id in ids]
        replies = Counter(m.text for m in steps if m.role == MessageRole.assistant)
        sent = Counter(s.body["text"]["body"] for s in graph.sends()
                       if s.body and s.body["to"] == sender(n))
        assert not sent - replies  # no reply sent more often than it was written
        assert PER_CONVERSATION - len(held) <= sends[sender(n)] <= PER_CONVERSATION
        if held:
            assert conversation.needs_human and "sin confirmar" in (
                conversation.human_reason or "")
    assert all(k.state == InboundState.done for k in db.exec(select(InboundKey)))
    # tool effects happened once: one appointment and one lead per conversation
    appointments = Counter(a.contact_id for a in db.exec(select(Appointment)))
    leads = Counter(lead.contact_id for lead in db.exec(select(Lead)))
    assert len(appointments) == CONVERSATIONS and set(appointments.values()) == {1}
    assert len(leads) == CONVERSATIONS and set(leads.values()) == {1}


@pytest.mark.parametrize("db_url", ["postgres"], indirect=True)
def test_a_worker_killed_mid_run_loses_nothing_and_answers_nothing_twice(
        own_settings: Settings, runtime: AgentRuntime, wa: ChannelConnection, db: Session,
        graph: GraphStandIn, worker_processes: Workers) -> None:
    first = [worker_processes.start() for _ in range(3)]
    queue = Queue.from_settings(own_settings)
    with TestClient(create_app(own_settings, runtime)) as client:
        meta = Poster(client)
        for turn in range(PER_CONVERSATION):
            for n in range(CONVERSATIONS):
                assert meta.post(wa_text(WA_PHONE_ID, sender(n), f"wamid.{n}.{turn}",
                                         text_of(n, turn), NOW_TS + turn)).status_code == 200
            if turn == 3:
                wait_until(lambda: len(graph.sends()) >= 100, message="work under way")
                victim = worker_processes.names[first[0].pid]
                wait_until(lambda v=victim: pending_of(queue, v) > 0,  # type: ignore[misc]
                           message="entries in hand")
                worker_processes.kill(first[0])  # mid-turn, holding leases and entries
                assert pending_of(queue, victim) > 0  # left for the others to reclaim
                worker_processes.start()
    wait_until(lambda: all_done(db), timeout=90, message="every message processed")
    wait_until(lambda: queue.stats().depth == 0, message="every ack")
    time.sleep(0.5)  # a duplicate would show up now
    assert_each_message_answered_once_in_order(db, graph)
    queue.close()


@pytest.mark.parametrize("db_url", ["postgres"], indirect=True)
def test_no_acknowledged_message_is_lost_when_redis_restarts_mid_run(
        own_settings: Settings, runtime: AgentRuntime, wa: ChannelConnection, db: Session,
        graph: GraphStandIn, worker_processes: Workers, redis_server: RedisServer) -> None:
    for _ in range(2):
        worker_processes.start()
    queue = Queue.from_settings(own_settings)
    with TestClient(create_app(own_settings, runtime)) as client:
        meta = Poster(client)
        for turn in range(PER_CONVERSATION):
            for n in range(CONVERSATIONS):
                assert meta.post(wa_text(WA_PHONE_ID, sender(n), f"wamid.{n}.{turn}",
                                         text_of(n, turn), NOW_TS + turn)).status_code == 200
            if turn == 3:
                redis_server.stop(kill=True)  # a crash: only what AOF wrote survives
            if turn == 5:
                redis_server.start()  # webhooks acknowledged meanwhile wait in the DB
    wait_until(lambda: all_done(db), timeout=90, message="every message processed")
    wait_until(lambda: queue.stats().depth == 0, message="every ack")
    time.sleep(0.5)
    assert_each_message_answered_once_in_order(db, graph)
    queue.close()
