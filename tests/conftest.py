"""Shared fixtures: real databases (SQLite and PostgreSQL), the app, and a no-network guard.

The database fixture is parametrized over both backends. PostgreSQL runs when
MOSTRADOR_TEST_POSTGRES_URL names a server (.ci/run and `make test` set it to the local
`test` database); without it the PostgreSQL cases fail with instructions rather than skip.
"""

from __future__ import annotations

import os
import shutil
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


@pytest.fixture(autouse=True)
def _cpu_contention(request: pytest.FixtureRequest) -> Iterator[None]:
    """Tests marked `chaos` run beside a busy-loop process (tests.support.contention): a
    race in the product should fail them here, not in production."""
    if request.node.get_closest_marker("chaos") is None:
        yield
        return
    from tests.support.contention import busy_loop

    with busy_loop():
        yield


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Chaos tests run one at a time on one xdist worker (`--dist loadgroup`): each brings
    its own busy loop, and two of them at once would measure the machine, not the code."""
    for item in items:
        if item.get_closest_marker("chaos") is not None:
            item.add_marker(pytest.mark.xdist_group("chaos"))


def postgres_url() -> str:
    url = os.environ.get("MOSTRADOR_TEST_POSTGRES_URL")
    if not url:
        pytest.fail("MOSTRADOR_TEST_POSTGRES_URL is not set: run the suite with `make test`, "
                    "or export it (e.g. postgresql://postgres@127.0.0.1:5432/test)")
    return url


def _blank_postgres_schema() -> tuple[str, str]:
    """A new, empty schema on the test server: (its name, a URL whose search_path is it)."""
    base = normalize_url(postgres_url())
    schema = f"t_{uuid.uuid4().hex[:12]}"
    with _admin().begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in base else "?"
    return schema, f"{base}{sep}options=-csearch_path%3D{schema}"


_ADMIN: list[Engine] = []
# Schemas migrated to the head revision and emptied, ready for the next test: creating and
# migrating a schema costs ~0.7 s, emptying one ~10 ms.
_READY_SCHEMAS: list[tuple[str, str]] = []


def _admin() -> Engine:
    if not _ADMIN:
        _ADMIN.append(create_engine(normalize_url(postgres_url())))
    return _ADMIN[0]


def _drop_schema(schema: str) -> None:
    with _admin().begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))


def _empty_for_reuse(schema: str) -> bool:
    """Delete every row of a used schema; False when it is not at the head revision with
    exactly the models' tables (a test altered it: it is dropped instead)."""
    from crm.migrate import head_revision

    tables = [t.name for t in reversed(SQLModel.metadata.sorted_tables)]
    with _admin().begin() as conn:
        found = set(conn.execute(text(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = :s"),
            {"s": schema}).scalars())
        if found != {*tables, "alembic_version"}:
            return False
        version = conn.execute(text(f'SELECT version_num FROM "{schema}".alembic_version'))
        if list(version.scalars()) != [head_revision()]:
            return False
        for table in tables:  # children first
            conn.execute(text(f'DELETE FROM "{schema}"."{table}"'))
    return True


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite database migrated to the head revision, copied for each test."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    engine = get_engine(f"sqlite:///{path}")
    init_db(engine)
    engine.dispose()  # the last connection closing checkpoints the WAL into the file
    get_engine.cache_clear()
    return path


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database on each backend, at the current schema and empty of rows.

    SQLite: a copy of a migrated template file. PostgreSQL: a schema of its own, taken
    from a pool of migrated, emptied schemas (a schema a test altered is dropped, not
    reused). Tests of migrations themselves use `blank_db_url`.
    """
    if request.param == "sqlite":
        path = tmp_path / "test.db"
        shutil.copyfile(request.getfixturevalue("_sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    if _READY_SCHEMAS:
        schema, url = _READY_SCHEMAS.pop()
    else:
        schema, url = _blank_postgres_schema()
        engine = get_engine(url)
        init_db(engine)
        engine.dispose()
    yield url
    get_engine.cache_clear()
    if _empty_for_reuse(schema):
        _READY_SCHEMAS.append((schema, url))
    else:
        _drop_schema(schema)


@pytest.fixture(params=["sqlite", "postgres"])
def blank_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database with no tables at all, on each backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'blank.db'}"
        return
    schema, url = _blank_postgres_schema()
    yield url
    get_engine.cache_clear()
    _drop_schema(schema)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Drop the pooled schemas; the test database is left as it was found."""
    while _READY_SCHEMAS:
        _drop_schema(_READY_SCHEMAS.pop()[0])
    for admin in _ADMIN:
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
