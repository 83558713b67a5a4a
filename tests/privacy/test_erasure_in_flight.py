"""An erasure that arrives while a worker has the person's turn in hand.

Without care, the worker would finish that turn after the erasure and store the person's
message, contact and conversation again. The erasure holds the shards of the person's
conversations first (channels.durable.hold): it waits for the turn in hand to end, keeps
the workers off them while it runs, and then nothing of the person is left.
"""

from __future__ import annotations

import socket
import threading
import time
from typing import Any

import pytest
import redis
from redis.backoff import NoBackoff
from redis.retry import Retry
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from agent.runtime import AgentRuntime, Inbound
from channels.durable.errors import QueueUnavailable
from channels.durable.hold import holding
from channels.durable.streams import Queue
from crm.models import Channel, ChannelIdentity
from crm.settings import Settings
from privacy.context import PrivacyContext
from privacy.erasure import ErasureReport, erase_contacts
from tests.channels.durable.conftest import wait_until, workers
from tests.conftest import NOW
from tests.factories import make_demo
from tests.privacy.everywhere import PERSON, contacts_of, scan_database, scan_redis, two_apps


def web_contacts(engine: Engine) -> list[str]:
    """The contact of the person's web chat session."""
    with Session(engine) as db:
        return list(db.exec(select(ChannelIdentity.contact_id).where(
            ChannelIdentity.external_id == PERSON.session)))


class GatedRuntime(AgentRuntime):
    """The model call of each turn waits for `go` (as a slow LLM would: after the turn's
    read transaction ended): the test decides when a turn in a worker's hands ends
    (`entered` tells it one is there)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.entered, self.go = threading.Event(), threading.Event()

    def _graph(self, *args: Any, **kwargs: Any) -> Any:
        graph, runtime = super()._graph(*args, **kwargs), self

        class Gated:
            def stream(self, *a: Any, **k: Any) -> Any:
                runtime.entered.set()
                assert runtime.go.wait(30), "the test never let the turn go on"
                return graph.stream(*a, **k)

        return Gated()


def test_an_erasure_waits_for_the_persons_turn_in_hand_and_leaves_nothing(
        everywhere_settings: Settings, engine: Engine, everywhere_queue: Queue,
        redis_prefix: str) -> None:
    settings, queue = everywhere_settings, everywhere_queue
    runtime = GatedRuntime(settings, engine, clock=lambda: NOW)
    with Session(engine, expire_on_commit=False) as db:
        tenant = make_demo(db)
        db.commit()
    ctx = PrivacyContext.build(settings, engine, queue=queue)
    done: list[ErasureReport] = []
    with two_apps(settings, runtime) as (_, app), workers(settings, runtime, concurrency=1):
        app.chat(PERSON, f"Hola, soy {PERSON.name}, mi cel es {PERSON.typed}", expect=202)
        assert runtime.entered.wait(20), "no worker took the turn"
        mine = web_contacts(engine)
        assert len(mine) == 1  # the turn stored the message and the contact: now erase them
        eraser = threading.Thread(target=lambda: done.append(erase_contacts(
            ctx, tenant_id=tenant.id, contact_ids=mine, request_id="r-in-flight")))
        eraser.start()
        time.sleep(0.5)
        assert eraser.is_alive() and not done  # it waits for the turn in the worker's hands
        runtime.go.set()
        eraser.join(20)
        assert done and done[0].contacts == 1
        wait_until(lambda: queue.stats().depth == 0 and queue.stats().pending == 0,
                   message="the queue idle")
        time.sleep(0.3)  # a resurrected row would be written now
    needles = PERSON.needles()
    assert scan_database(engine, needles) == []
    assert contacts_of(engine, PERSON) == [] and web_contacts(engine) == []
    assert scan_redis(settings.redis_url or "", redis_prefix, needles) == []
    holds = list(queue.client.scan_iter(f"{redis_prefix}:hold:*"))
    leases = [k for k in queue.client.scan_iter(f"{redis_prefix}:lease:*")
              if str(queue.client.get(k)).startswith("erasure:")]
    assert holds == [] and leases == []  # given back


def test_a_held_shard_is_not_taken_by_workers_until_the_hold_ends(
        everywhere_settings: Settings, engine: Engine, everywhere_queue: Queue) -> None:
    """Other conversations of the held shards wait (they are not lost), then run."""
    settings, queue = everywhere_settings, everywhere_queue
    runtime = GatedRuntime(settings, engine, clock=lambda: NOW)
    runtime.go.set()
    with Session(engine, expire_on_commit=False) as db:
        make_demo(db)
        db.commit()
    key = f"web:demo:{PERSON.session}"
    with two_apps(settings, runtime) as (_, app), workers(settings, runtime, concurrency=2):
        with holding(queue, [key], owner="erasure:test", wait_seconds=5) as overtaken:
            assert overtaken == []
            app.chat(PERSON, "Hola, ¿qué servicios tienen?", expect=202)
            time.sleep(1.0)
            assert not runtime.entered.is_set()  # queued, and no worker takes it
            assert queue.stats().depth == 1
        wait_until(runtime.entered.is_set, message="the turn after the hold")
        wait_until(lambda: queue.stats().depth == 0, message="answered")


def test_a_turn_stuck_past_the_wait_is_overtaken_and_fenced_off(
        everywhere_settings: Settings, engine: Engine, everywhere_queue: Queue,
        redis_prefix: str, caplog: pytest.LogCaptureFixture) -> None:
    """A turn that does not end within the visibility timeout (a stalled worker, an LLM
    stuck in retries) does not hold the erasure up: its lease is overtaken, and when the
    turn goes on, its next write finds the lease gone (agent.fencing) and stores nothing."""
    settings, queue = everywhere_settings, everywhere_queue
    runtime = GatedRuntime(settings, engine, clock=lambda: NOW)
    with Session(engine, expire_on_commit=False) as db:
        tenant = make_demo(db)
        db.commit()
    ctx = PrivacyContext.build(settings, engine, queue=queue)
    with two_apps(settings, runtime) as (_, app), workers(settings, runtime, concurrency=1):
        app.chat(PERSON, f"Hola, soy {PERSON.name}, mi cel es {PERSON.typed}", expect=202)
        assert runtime.entered.wait(20), "no worker took the turn"
        started = time.monotonic()
        report = erase_contacts(ctx, tenant_id=tenant.id, contact_ids=web_contacts(engine),
                                request_id="r-overtaken")
        waited = time.monotonic() - started
        assert report.contacts == 1
        assert settings.visibility_timeout_seconds <= waited < 10  # waited, then overtook
        runtime.go.set()  # the stuck turn goes on now
        wait_until(lambda: "lease lost mid-turn" in caplog.text, message="the turn fenced")
        wait_until(lambda: queue.stats().depth == 0, message="the queue idle")
        time.sleep(0.3)
    needles = PERSON.needles()
    assert scan_database(engine, needles) == [] and web_contacts(engine) == []
    assert scan_redis(settings.redis_url or "", redis_prefix, needles) == []
    assert "shards overtaken" in caplog.text


def test_with_redis_unreachable_the_erasure_fails_whole_and_deletes_nothing(
        everywhere_settings: Settings, engine: Engine) -> None:
    """The queue cannot be held nor purged: nothing is half-erased, and the caller (a
    privacy request, retried) is told which dependency is missing."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed again: nothing listens there
    client = redis.Redis(host="127.0.0.1", port=port, decode_responses=True,
                         socket_connect_timeout=0.5, retry=Retry(NoBackoff(), 0))
    queue = Queue(client, prefix="unreachable", shards=4)
    with Session(engine, expire_on_commit=False) as db:
        tenant = make_demo(db)
        db.commit()
    runtime = AgentRuntime(everywhere_settings.model_copy(update={"redis_url": None}), engine,
                           clock=lambda: NOW)
    runtime.handle_batch([Inbound(tenant_slug="demo", channel=Channel.web,
                                  thread_id=PERSON.session,
                                  text=f"Hola, soy {PERSON.name}, mi cel es {PERSON.typed}")])
    mine = web_contacts(engine)
    assert len(mine) == 1
    ctx = PrivacyContext.build(everywhere_settings, engine, queue=queue)
    with pytest.raises(QueueUnavailable):
        erase_contacts(ctx, tenant_id=tenant.id, contact_ids=mine, request_id="r-no-redis")
    assert web_contacts(engine) == mine and scan_database(engine, PERSON.needles()) != []
    client.close()
