"""The FastAPI app on a real database, driven through its ASGI interface."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from agent.llm import _openai
from agent.runtime import AgentRuntime
from api.app import create_app
from crm.settings import Settings
from tests.conftest import NOW
from tests.support.browser import browser, new_page, page  # noqa: F401  (browser tests)
from tests.support.graph_standin import GraphStandIn
from tests.support.openai_stub import OpenAIStub


@pytest.fixture
def stub() -> Iterator[OpenAIStub]:
    server = OpenAIStub().start()
    yield server
    server.stop()


@pytest.fixture
def client(db_url: str, engine: Engine, stub: OpenAIStub) -> Iterator[TestClient]:
    """The app with its LLM on the scripted local server (the offline model is tested apart)."""
    _openai.cache_clear()
    settings = Settings(env="test", database_url=db_url, llm="openai", openai_api_key="sk-test",
                        openai_base_url=stub.base_url, llm_max_retries=0)
    runtime = AgentRuntime(settings, engine, clock=lambda: NOW)
    with TestClient(create_app(settings, runtime)) as test_client:
        yield test_client


@pytest.fixture
def graph() -> Iterator[GraphStandIn]:
    """The Graph API stand-in the WhatsApp, Instagram and Messenger replies go to."""
    server = GraphStandIn().start()
    yield server
    server.stop()
