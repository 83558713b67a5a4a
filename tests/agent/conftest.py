"""Fixtures for agent tests: the scripted OpenAI-compatible server and a runtime on it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.engine import Engine

from agent.llm import _openai
from agent.runtime import AgentRuntime
from crm.settings import Settings
from tests.conftest import NOW
from tests.support.openai_stub import OpenAIStub


@pytest.fixture
def stub() -> Iterator[OpenAIStub]:
    server = OpenAIStub().start()
    yield server
    server.stop()


@pytest.fixture
def openai_settings(db_url: str, stub: OpenAIStub) -> Settings:
    _openai.cache_clear()
    return Settings(env="test", database_url=db_url, llm="openai", openai_api_key="sk-test",
                    openai_base_url=stub.base_url, llm_model="stub-model",
                    llm_timeout_seconds=1.0, llm_max_retries=1)


@pytest.fixture
def openai_runtime(openai_settings: Settings, engine: Engine) -> AgentRuntime:
    return AgentRuntime(openai_settings, engine, clock=lambda: NOW)
