"""Which chat model runs the agent: the built-in offline model or an OpenAI-compatible one."""

from __future__ import annotations

from functools import lru_cache

from langchain_core.language_models import BaseChatModel

from agent.compat import CompatChatOpenAI
from crm.settings import Settings


def chat_model(settings: Settings, *, model_name: str | None = None) -> BaseChatModel:
    """The chat model for the configured provider (MOSTRADOR_LLM)."""
    if settings.llm_provider == "offline":
        return _offline()
    return _openai(
        model_name or settings.llm_model,
        settings.openai_base_url,
        settings.openai_api_key.get_secret_value() if settings.openai_api_key else "",
        settings.llm_timeout_seconds,
        settings.llm_max_retries,
    )


@lru_cache(maxsize=1)
def _offline() -> BaseChatModel:
    from agent.offline import OfflineChatModel

    return OfflineChatModel()


@lru_cache(maxsize=16)
def _openai(model: str, base_url: str | None, api_key: str, timeout: float,
            retries: int) -> BaseChatModel:
    # The openai client retries 408/409/429/5xx, timeouts and connection errors with
    # exponential backoff; `retries` bounds it.
    return CompatChatOpenAI(
        model=model, base_url=base_url, api_key=api_key,  # type: ignore[arg-type]
        timeout=timeout, max_retries=retries, temperature=0.2,
    )
