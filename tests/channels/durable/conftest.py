"""Fixtures for the durable queue: a unique key prefix on the test Redis, queued settings,
and workers running in this process (the crash and restart tests use subprocesses)."""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
import redis
from fastapi.testclient import TestClient

from agent.runtime import AgentRuntime
from api.app import create_app
from channels.context import ChannelContext
from channels.durable.consumer import Worker
from channels.durable.streams import Queue
from channels.graph import GraphClient
from crm.settings import Settings
from tests.channels.conftest import Poster


def redis_test_url() -> str:
    url = os.environ.get("MOSTRADOR_TEST_REDIS_URL")
    if not url:
        pytest.fail("MOSTRADOR_TEST_REDIS_URL is not set: run the suite with `make test` "
                    "(it provides a Redis), or export it (e.g. redis://127.0.0.1:6379/0)")
    return url


def drop_prefix(url: str, prefix: str) -> None:
    """Delete this test's keys only: the Redis may be shared with other developers."""
    client = redis.Redis.from_url(url)
    try:
        keys = list(client.scan_iter(f"{prefix}:*", count=1000))
        if keys:
            client.delete(*keys)
    finally:
        client.close()


@pytest.fixture
def prefix() -> Iterator[str]:
    url = redis_test_url()
    value = f"mostrador-test-{uuid.uuid4().hex[:12]}"
    yield value
    drop_prefix(url, value)


@pytest.fixture
def queue_settings(channel_settings: Settings, prefix: str) -> Settings:
    return channel_settings.model_copy(update={
        "redis_url": redis_test_url(), "queue_prefix": prefix, "queue_shards": 4,
        "visibility_timeout_seconds": 2.0, "debounce_seconds": 0.0,
        "queue_retry_base_seconds": 0.01, "queue_max_attempts": 3,
        "chat_reply_timeout_seconds": 10.0, "rate_limit_tenant_per_minute": 0,
        "rate_limit_contact_per_minute": 0})


@pytest.fixture
def queue(queue_settings: Settings) -> Iterator[Queue]:
    q = Queue.from_settings(queue_settings)
    q.ensure_groups()
    yield q
    q.close()


@pytest.fixture
def queued_client(queue_settings: Settings, runtime: AgentRuntime) -> Iterator[TestClient]:
    with TestClient(create_app(queue_settings, runtime)) as client:
        yield client


@pytest.fixture
def queued_meta(queued_client: TestClient) -> Poster:
    return Poster(queued_client)


@contextmanager
def workers(settings: Settings, runtime: AgentRuntime, count: int = 1,
            concurrency: int = 2, graph: Callable[[], GraphClient] | None = None
            ) -> Iterator[list[Worker]]:
    """`count` workers in this process (threads), stopped afterwards; `graph` builds each
    one's Graph client (default: from the settings)."""
    started = []
    try:
        for _ in range(count):
            ctx = ChannelContext.build(settings, runtime.engine, runtime,
                                       graph() if graph is not None else None)
            worker = Worker(ctx, Queue.from_settings(settings), concurrency=concurrency)
            worker.start()
            started.append(worker)
        yield started
    finally:
        for worker in started:
            worker.stop(10)
            worker.ctx.graph.close()
            worker.queue.close()


def wait_until(predicate: Callable[[], bool], timeout: float = 20.0,
               message: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {message}")
