"""Fixtures for channel tests: the Graph stand-in, the app on it, connections, signing."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session

from agent.runtime import AgentRuntime
from api.app import create_app
from crm.crypto import box_for
from crm.models import ChannelConnection, ChannelKind, Tenant
from crm.services.connections import create_connection
from crm.settings import Settings
from tests.channels.payloads import signed
from tests.conftest import NOW
from tests.factories import make_demo
from tests.support.graph_standin import GraphStandIn

NOW_TS = int(NOW.timestamp())
TEST_SECRET_KEY = "test-secret-key-for-channels-0123456789"
APP_SECRET = "app-secret-of-the-business-7f3a"
PLATFORM_SECRET = "platform-app-secret-91bc"
WA_PHONE_ID = "106540352242922"
WA_TOKEN = "EAAG-access-token-whatsapp-SECRET-1234"
VERIFY = "verify-token-abc-123"


@pytest.fixture
def graph() -> Iterator[GraphStandIn]:
    server = GraphStandIn().start()
    yield server
    server.stop()


@pytest.fixture
def channel_settings(db_url: str, graph: GraphStandIn) -> Settings:
    return Settings(env="test", database_url=db_url, llm="offline", openai_api_key=None,
                    secret_key=TEST_SECRET_KEY, graph_api_url=graph.url,
                    graph_backoff_seconds=0.001, graph_max_retries=3,
                    lead_retry_base_seconds=0.05, lead_fetch_max_attempts=3,
                    meta_app_secret=None, channel_workers=4)


@pytest.fixture
def runtime(channel_settings: Settings, engine: Engine) -> AgentRuntime:
    return AgentRuntime(channel_settings, engine, clock=lambda: NOW)


@pytest.fixture
def client(channel_settings: Settings, runtime: AgentRuntime) -> Iterator[TestClient]:
    with TestClient(create_app(channel_settings, runtime)) as test_client:
        yield test_client


@pytest.fixture
def demo(db: Session) -> Tenant:
    return make_demo(db)


def connect(db: Session, settings: Settings, tenant: Tenant, kind: ChannelKind,
            account_id: str, *, token: str = WA_TOKEN, app_secret: str | None = APP_SECRET,
            verify_token: str = VERIFY, **extra: Any) -> ChannelConnection:
    connection = create_connection(db, box=box_for(settings), tenant=tenant, kind=kind,
                                   account_id=account_id, access_token=token,
                                   verify_token=verify_token, app_secret=app_secret, **extra)
    db.commit()
    return connection


@pytest.fixture
def wa(db: Session, channel_settings: Settings, demo: Tenant) -> ChannelConnection:
    return connect(db, channel_settings, demo, ChannelKind.whatsapp, WA_PHONE_ID)


@dataclass
class Poster:
    client: TestClient

    def post(self, body: dict[str, Any] | bytes, secret: str = APP_SECRET) -> Any:
        raw, headers = signed(body, secret)
        return self.client.post("/webhooks/meta", content=raw, headers=headers)

    def drain(self) -> None:
        assert self.client.app.state.processor.drain(30), "processing did not finish"  # type: ignore[attr-defined]


@pytest.fixture
def meta(client: TestClient) -> Poster:
    return Poster(client)
