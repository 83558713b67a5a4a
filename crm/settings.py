"""Mostrador's one settings class, read from the environment (prefix ``MOSTRADOR_``).

The OpenAI variables keep their standard names (``OPENAI_API_KEY``, ``OPENAI_BASE_URL``).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_SECRET_KEY = "dev-insecure-secret-key-change-me"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="MOSTRADOR_", env_file=".env", extra="ignore", populate_by_name=True
    )

    env: Literal["development", "test", "production"] = "development"
    database_url: str = "sqlite:///./mostrador.db"
    redis_url: str | None = None
    host: str = "127.0.0.1"
    port: int = 8000
    log_level: str = "INFO"
    secret_key: SecretStr = SecretStr(DEV_SECRET_KEY)

    openai_api_key: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("OPENAI_API_KEY", "openai_api_key")
    )
    openai_base_url: str | None = Field(
        default=None, validation_alias=AliasChoices("OPENAI_BASE_URL", "openai_base_url")
    )
    llm: Literal["offline", "openai"] | None = None
    llm_model: str = "gpt-4o-mini"
    llm_timeout_seconds: float = 30.0
    llm_max_retries: int = 2
    agent_max_iterations: int = 6
    # The model's context window in tokens: older turns and tool results are compacted to
    # fit it (agent.context_budget). Set it to the server's (llama.cpp: its --n_ctx).
    llm_context_tokens: int = Field(default=16384, ge=2048)

    # Meta channels (WhatsApp Cloud API, Instagram, Messenger, Lead Ads).
    graph_api_url: str = "https://graph.facebook.com"
    graph_api_version: str = "v21.0"
    graph_timeout_seconds: float = 10.0
    graph_max_retries: int = 3
    graph_backoff_seconds: float = 0.5
    # The platform's own Meta app, for businesses connected through it (no app secret of
    # their own); its verify token answers the GET handshake too.
    meta_app_secret: SecretStr | None = None
    meta_verify_token: SecretStr | None = None
    # Former MOSTRADOR_SECRET_KEY values, comma-separated: still decrypt, never encrypt.
    secret_keys_previous: SecretStr | None = None
    channel_workers: int = 4
    lead_fetch_max_attempts: int = 5
    lead_retry_base_seconds: float = 60.0
    # The training corpus (training_data/): its own database when set, else the CRM's;
    # and where API exports are written.
    corpus_url: str | None = None
    corpus_export_dir: str = "./corpus-exports"

    # Privacy: staff tokens, data-subject requests, erasure tombstones.
    token_ttl_days: int = 90                   # new API tokens expire after this
    # Where erasure tombstones are also kept, out of the CRM database's backups, so a
    # restored backup can be purged again (mostrador privacy reapply-erasures).
    erasure_ledger_url: str = "sqlite:///./mostrador-erasures.db"
    privacy_download_days: int = 7             # access/portability links work this long
    # The application log runs every line through the PII redactor (last line of defence).
    log_redaction: bool = True

    # The staff console.
    # Where Mostrador is reached from outside (invitation links); default http://HOST:PORT.
    public_url: str | None = None
    console_session_idle_minutes: int = 12 * 60   # signed out after this long unused
    console_session_days: int = 7                 # and after this long in any case
    invitation_hours: int = 72                    # an invitation link works this long
    # Sign-in attempts per 15 minutes, per account and per client address (then 429).
    login_attempts_per_account: int = 5
    login_attempts_per_address: int = 20
    # A conversation taken over by staff goes back to the agent after this long without
    # any staff activity in it.
    takeover_idle_hours: float = 12.0

    # Outgoing email (one-time verification codes); unset: no email is sent.
    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_from: str = "no-reply@localhost"
    smtp_tls: Literal["starttls", "ssl", "none"] = "starttls"
    smtp_timeout_seconds: float = 10.0

    # The public web chat (POST/GET /v1/chat/...): requests per minute and client address,
    # and messages per minute and session; over them the answer is 429 with Retry-After.
    # Counted in Redis when MOSTRADOR_REDIS_URL is set (shared by every API process),
    # else in this process. 0 turns a limit off.
    chat_rate_per_ip_per_minute: int = 120
    chat_messages_per_session_per_minute: int = 20
    chat_sessions_per_ip_per_hour: int = 60

    # Durable processing on Redis (used only when MOSTRADOR_REDIS_URL is set).
    queue_prefix: str = "mostrador"
    queue_shards: int = 16
    visibility_timeout_seconds: float = 30.0   # a silent worker's shards move after this
    debounce_seconds: float = 1.5              # 0 answers every message on its own
    queue_max_attempts: int = 5                # then the dead-letter stream
    queue_retry_base_seconds: float = 0.5
    chat_reply_timeout_seconds: float = 20.0
    rate_limit_tenant_per_minute: int = 600
    rate_limit_contact_per_minute: int = 20
    # A retried turn whose send has no recorded outcome (its worker died mid-send, or
    # Meta's answer was lost) waits this long after the attempt for Meta's receipt (a
    # status/echo webhook) before sending again: a receipt later than this, the reply twice.
    send_confirm_seconds: float = 10.0

    @model_validator(mode="after")
    def _resolve(self) -> Settings:
        if self.llm is None:
            self.llm = "openai" if self.openai_api_key else "offline"
        if self.llm == "openai" and not self.openai_api_key:
            raise ValueError(
                "MOSTRADOR_LLM=openai needs OPENAI_API_KEY (any non-empty value for a local "
                "OpenAI-compatible server); unset MOSTRADOR_LLM to use the offline model"
            )
        if self.env == "production" and self.secret_key.get_secret_value() == DEV_SECRET_KEY:
            raise ValueError(
                "MOSTRADOR_SECRET_KEY is the development placeholder; set a long random value "
                "(python -c 'import secrets; print(secrets.token_urlsafe(48))') in production"
            )
        return self

    @property
    def previous_secret_keys(self) -> list[str]:
        raw = self.secret_keys_previous.get_secret_value() if self.secret_keys_previous else ""
        return [k.strip() for k in raw.split(",") if k.strip()]

    @property
    def llm_provider(self) -> Literal["offline", "openai"]:
        return self.llm or "offline"

    @property
    def base_url(self) -> str:
        """Mostrador's address as people reach it (MOSTRADOR_PUBLIC_URL), no trailing /."""
        return (self.public_url or f"http://{self.host}:{self.port}").rstrip("/")


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once. Tests call ``get_settings.cache_clear()``."""
    return Settings()
