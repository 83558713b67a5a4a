"""The API face of the durable path: readiness, metrics, server-sent replies, the redrive
of webhooks whose enqueue failed, and the `mostrador dlq` commands."""

from __future__ import annotations

import json
import threading
from typing import Any

import httpx
import pytest
import redis
from fastapi.testclient import TestClient
from sqlmodel import Session, select
from typer.testing import CliRunner

from agent.runtime import AgentRuntime
from api.app import create_app
from api.cli import app as cli
from channels.context import ChannelContext
from channels.durable.recovery import redrive
from channels.durable.streams import Queue
from crm.models import ChannelConnection
from crm.settings import Settings, get_settings
from tests.channels.conftest import NOW_TS, WA_PHONE_ID, Poster
from tests.channels.durable.conftest import wait_until, workers
from tests.channels.payloads import wa_text
from tests.support.graph_standin import GraphStandIn
from tests.support.live_server import free_port, live_server


def test_readyz_is_200_with_database_and_redis_and_503_when_redis_is_down(
        queued_client: TestClient, queue_settings: Settings, runtime: AgentRuntime) -> None:
    ready = queued_client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["checks"] == {"database": "ok", "redis": "ok"}
    assert queued_client.get("/healthz").status_code == 200
    down = queue_settings.model_copy(update={"redis_url": f"redis://127.0.0.1:{free_port()}/0"})
    with TestClient(create_app(down, runtime)) as client:
        response = client.get("/readyz")
        assert response.status_code == 503
        assert response.json()["checks"]["redis"] == "down"
        assert client.get("/healthz").status_code == 200


def test_metrics_expose_queue_turns_and_tools_by_tenant_without_personal_data(
        queued_meta: Poster, wa: ChannelConnection, graph: GraphStandIn,
        queue_settings: Settings, runtime: AgentRuntime) -> None:
    sender = "5491100000009"
    assert queued_meta.post(wa_text(WA_PHONE_ID, sender, "wamid.m1",
                                    "Hola, qué servicios tienen?", NOW_TS)).status_code == 200
    before = queued_meta.client.get("/metrics")
    assert before.headers["content-type"].startswith("text/plain")
    assert "mostrador_queue_depth 1.0" in before.text
    with workers(queue_settings, runtime):
        wait_until(lambda: len(graph.sends()) == 1, message="the reply")
    text = queued_meta.client.get("/metrics").text
    assert 'mostrador_turn_seconds_count{tenant="demo"}' in text
    assert 'mostrador_llm_seconds_count{tenant="demo"}' in text
    assert 'mostrador_tool_calls_total{outcome="ok",tenant="demo",tool="list_services"}' in text
    for name in ("mostrador_queue_pending", "mostrador_queue_dead",
                 "mostrador_queue_retries_total", "mostrador_rate_limited_total"):
        assert name in text
    assert sender not in text and "Hola" not in text


def test_a_late_web_chat_reply_is_pushed_by_server_sent_events(
        queue_settings: Settings, runtime: AgentRuntime, demo: object) -> None:
    settings = queue_settings.model_copy(update={"chat_reply_timeout_seconds": 0.2})
    app = create_app(settings, runtime)
    with live_server(app) as base:
        posted = httpx.post(f"{base}/v1/chat/demo/messages", timeout=10,
                            json={"session_id": "sse-session-1-0000000000000000", "text": "Hola"})
        assert posted.status_code == 202
        request_id = posted.json()["request_id"]
        with workers(settings, runtime):  # the worker answers before the page listens
            wait_until(lambda: app.state.queue.client.exists(
                app.state.queue.reply_key(request_id)) == 1, message="the reply")
        url = (f"{base}/v1/chat/demo/events?session_id=sse-session-1-0000000000000000"
               f"&request_id={request_id}")
        with httpx.stream("GET", url, timeout=10) as stream:
            assert stream.headers["content-type"].startswith("text/event-stream")
            for line in stream.iter_lines():
                if line.startswith("data: "):
                    event = json.loads(line[len("data: "):])
                    break
    assert event["reply"] and event["conversation_id"] == posted.json()["conversation_id"]


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_waiting_for_a_web_chat_reply_longer_than_the_socket_timeout_is_no_redis_error(
        queue_settings: Settings) -> None:
    client = redis.Redis.from_url(queue_settings.redis_url or "", decode_responses=True,
                                  socket_timeout=0.6)
    queue = Queue(client, prefix=queue_settings.queue_prefix, shards=4)
    assert queue.wait_reply("nobody", timeout=1.5) is None  # not a read timeout
    later = threading.Timer(0.8, lambda: queue.client.rpush(queue.reply_key("late"), '{"r": 1}'))
    later.start()
    assert queue.wait_reply("late", timeout=3) == {"r": 1}
    later.join()
    queue.close()


def test_a_webhook_acknowledged_while_redis_is_down_is_answered_after_the_redrive(
        queue_settings: Settings, runtime: AgentRuntime, wa: ChannelConnection,
        graph: GraphStandIn, queue: Queue, db: Session) -> None:
    down = queue_settings.model_copy(update={"redis_url": f"redis://127.0.0.1:{free_port()}/0"})
    with TestClient(create_app(down, runtime)) as client:
        assert Poster(client).post(wa_text(WA_PHONE_ID, "5491100000010", "wamid.down",
                                           "Hola", NOW_TS)).status_code == 200
    assert queue.stats().depth == 0  # the enqueue failed; the event waits in the DB
    ctx = ChannelContext.build(queue_settings, runtime.engine, runtime)
    assert redrive(ctx, queue, older_than=0) == 1
    ctx.graph.close()
    with workers(queue_settings, runtime):
        wait_until(lambda: len(graph.sends()) == 1, message="the reply")


@pytest.fixture
def cli_env(queue_settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MOSTRADOR_REDIS_URL", queue_settings.redis_url or "")
    monkeypatch.setenv("MOSTRADOR_QUEUE_PREFIX", queue_settings.queue_prefix)
    monkeypatch.setenv("MOSTRADOR_QUEUE_SHARDS", str(queue_settings.queue_shards))
    monkeypatch.setenv("MOSTRADOR_DATABASE_URL", queue_settings.database_url)
    get_settings.cache_clear()


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_dlq_commands_list_retry_and_drop_dead_letters(cli_env: None, queue: Queue) -> None:
    queue.enqueue([{"kind": "meta", "key": "whatsapp:1:a", "event": "1", "index": "0"},
                   {"kind": "meta", "key": "whatsapp:1:b", "event": "2", "index": "0"}])
    for shard in range(queue.shards):
        raw: Any = queue.client.xreadgroup("workers", "t", {queue.stream(shard): ">"},
                                           count=10)
        for _, rows in raw or []:
            from channels.durable.streams import Entry
            entries = [Entry(shard, i, f) for i, f in rows]
            queue.dead_letter(entries, error="TurnFailed", attempts=5)
    runner = CliRunner()
    listed = runner.invoke(cli, ["dlq", "list"])
    assert listed.exit_code == 0, listed.output
    lines = listed.output.strip().splitlines()
    assert len(lines) == 2 and "attempts=5" in lines[0] and "error=TurnFailed" in lines[0]
    first = lines[0].split("\t")[0]
    assert runner.invoke(cli, ["dlq", "retry", first]).output.startswith("Re-queued 1")
    assert queue.stats() == type(queue.stats())(depth=1, pending=0, dead=1)
    assert runner.invoke(cli, ["dlq", "drop", "--all"]).output.startswith("Dropped 1")
    assert queue.stats().dead == 0
    assert runner.invoke(cli, ["dlq", "retry"]).exit_code == 2
    get_settings.cache_clear()


def test_web_chat_rate_limits_are_counted_in_redis_and_shared_by_api_processes(
        queue_settings: Settings, runtime: AgentRuntime, demo: object, prefix: str) -> None:
    settings = queue_settings.model_copy(update={
        "chat_reply_timeout_seconds": 0.05, "chat_messages_per_session_per_minute": 2})
    session = "rate-limited-session-0000000000"
    body = {"session_id": session, "text": "Hola"}
    with TestClient(create_app(settings, runtime)) as one, \
            TestClient(create_app(settings, runtime)) as two:
        codes = [client.post("/v1/chat/demo/messages", json=body).status_code
                 for client in (one, two, one, two)]
        refused = two.post("/v1/chat/demo/messages", json=body)
    assert codes == [202, 202, 429, 429]  # no worker runs: queued, then over the limit
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    client = redis.Redis.from_url(settings.redis_url or "", decode_responses=True)
    keys = list(client.scan_iter(f"{prefix}:chatrl:*"))
    assert keys and not any(session in key or "testclient" in key for key in keys)
    client.close()


def test_with_redis_a_held_web_chat_gets_no_agent_reply_and_the_staff_reply_is_pushed(
        queue_settings: Settings, runtime: AgentRuntime, demo: object, db: Session) -> None:
    from crm.models import Role, Tenant
    from tests.factories import make_token, make_user

    tenant = db.exec(select(Tenant).where(Tenant.slug == "demo")).one()
    admin = {"Authorization": f"Bearer {make_token(db, make_user(db, tenant, role=Role.admin))}"}
    session = "held-session-0000000000000000"
    app = create_app(queue_settings, runtime)
    with live_server(app) as base, workers(queue_settings, runtime):
        first = httpx.post(f"{base}/v1/chat/demo/messages", timeout=15,
                           json={"session_id": session, "text": "Hola"}).json()
        assert first["reply"]
        conversation_id = first["conversation_id"]
        assert httpx.post(f"{base}/v1/conversations/{conversation_id}/takeover",
                          headers=admin, timeout=10).status_code == 200
        held = httpx.post(f"{base}/v1/chat/demo/messages", timeout=15,
                          json={"session_id": session, "text": "¿Hay alguien?"})
        assert held.status_code == 200 and held.json()["reply"] is None
        got: list[dict[str, Any]] = []
        connected = threading.Event()

        def listen() -> None:
            with httpx.stream("GET", f"{base}/v1/chat/demo/events?session_id={session}",
                              timeout=15) as stream:
                for line in stream.iter_lines():
                    if line.startswith(": connected"):
                        connected.set()
                    elif line.startswith("data: "):
                        got.append(json.loads(line[6:]))
                        return

        reader = threading.Thread(target=listen, daemon=True)
        reader.start()
        assert connected.wait(10)
        sent = httpx.post(f"{base}/v1/conversations/{conversation_id}/messages", headers=admin,
                          json={"text": "Hola, te escribe Lucía"}, timeout=10)
        assert sent.status_code == 201 and sent.json()["status"] == "sent"
        reader.join(10)
        history = httpx.get(f"{base}/v1/chat/demo/messages", params={"session_id": session},
                            timeout=10).json()
    assert got and got[0]["reply"] == "Hola, te escribe Lucía" and got[0]["role"] == "staff"
    assert [m["role"] for m in history] == ["user", "assistant", "user", "staff"]
