"""Shared fixtures: real databases (SQLite and PostgreSQL), the app, and a no-network guard.

The database fixture is parametrized over both backends. PostgreSQL runs when
MOSTRADOR_TEST_POSTGRES_URL names a server (.ci/run and `make test` set it to the local
`test` database); without it the PostgreSQL cases fail with instructions rather than skip.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, create_engine

from crm.db import get_engine, init_db, normalize_url, reader_engine
from crm.settings import Settings

# A Monday, 10:00 in Buenos Aires: a pinned clock makes dates in tests deterministic.
NOW = datetime(2026, 11, 23, 13, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _no_internet(monkeypatch: pytest.MonkeyPatch) -> None:
    """Refuse connections to anything but this machine: no test reaches a paid LLM or Meta."""
    real_connect = socket.socket.connect

    def guarded(self: socket.socket, address: object) -> object:
        host = address[0] if isinstance(address, tuple) else address
        if isinstance(host, str) and not (
            host.startswith("127.") or host in ("localhost", "::1") or host.startswith("/")
        ):
            raise RuntimeError(f"tests must not reach the network (tried {host})")
        return real_connect(self, address)  # type: ignore[arg-type]

    monkeypatch.setattr(socket.socket, "connect", guarded)


def postgres_url() -> str:
    url = os.environ.get("MOSTRADOR_TEST_POSTGRES_URL")
    if not url:
        pytest.fail("MOSTRADOR_TEST_POSTGRES_URL is not set: run the suite with `make test`, "
                    "or export it (e.g. postgresql://postgres@127.0.0.1:5432/test)")
    return url


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database on each backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.db'}"
        return
    base = normalize_url(postgres_url())
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in base else "?"
    yield f"{base}{sep}options=-csearch_path%3D{schema}"
    get_engine.cache_clear()
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    eng = get_engine(db_url)
    init_db(eng)
    yield eng
    eng.dispose()
    get_engine.cache_clear()


@pytest.fixture
def db(engine: Engine) -> Iterator[Session]:
    with Session(reader_engine(engine), expire_on_commit=False) as session:
        yield session


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    return Settings(env="test", database_url=db_url, llm="offline", openai_api_key=None,
                    erasure_ledger_url=f"sqlite:///{tmp_path / 'erasures.db'}")


__all__ = ["NOW", "SQLModel"]
