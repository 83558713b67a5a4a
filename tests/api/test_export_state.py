"""The corpus export's state file: polls racing its rewrites always read a whole state."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from agent.runtime import AgentRuntime
from api.app import create_app
from api.export_state import STATE_FILE, read_state, write_state
from crm.models import Role, User
from crm.seed import DEMO_ML, seed_demo
from crm.services.tokens import issue_token
from crm.settings import Settings
from tests.conftest import NOW

POLLS = 300


def _rewriting(directory: Path, base: dict[str, object]) -> tuple[threading.Thread,
                                                                    threading.Event,
                                                                    Callable[[], int]]:
    """A thread that rewrites the state without pause until told to stop; started once
    its first rewrite is done."""
    stop, first = threading.Event(), threading.Event()
    count = [0]

    def rewrite() -> None:
        while not stop.is_set():
            done = count[0] % 2 == 1
            write_state(directory, {**base, "status": "done" if done else "running",
                                    "records": count[0],
                                    "files": [f"part-{i:05d}.jsonl" for i in range(50)]
                                    if done else []})
            count[0] += 1
            first.set()

    thread = threading.Thread(target=rewrite, daemon=True)
    thread.start()
    first.wait(timeout=30)
    return thread, stop, lambda: count[0]


def test_reads_racing_rewrites_see_whole_states(tmp_path: Path) -> None:
    write_state(tmp_path, {"status": "running", "format": "jsonl"})
    thread, stop, rewrites = _rewriting(tmp_path, {"format": "jsonl"})
    try:
        before = rewrites()
        states = [read_state(tmp_path) for _ in range(2000)]
        during = rewrites() - before
    finally:
        stop.set()
        thread.join(timeout=30)
    assert during > 0, "the reads did not overlap the rewrites"
    assert all(s is not None and s["status"] in ("running", "done") for s in states)
    assert [p.name for p in tmp_path.iterdir()] == [STATE_FILE]  # no temporary file left


def test_no_state_reads_as_none(tmp_path: Path) -> None:
    assert read_state(tmp_path) is None
    assert read_state(tmp_path / "missing") is None


@pytest.fixture
def ml_client(db_url: str, engine: Engine, tmp_path: Path) -> Iterator[tuple[TestClient, str]]:
    settings = Settings(env="test", database_url=db_url, llm="offline", openai_api_key=None,
                        erasure_ledger_url=f"sqlite:///{tmp_path / 'erasures.db'}",
                        corpus_export_dir=str(tmp_path / "exports"))
    with Session(engine) as db:
        tenant = seed_demo(db)
        ml = db.exec(select(User).where(User.email == DEMO_ML, User.role == Role.ml)).one()
        token = issue_token(db, user=ml)
        db.commit()
        assert tenant.id
    app = create_app(settings, AgentRuntime(settings, engine, clock=lambda: NOW))
    with TestClient(app, headers={"Authorization": f"Bearer {token}"}) as client:
        yield client, str(tmp_path / "exports")


def test_polling_an_export_while_its_state_is_rewritten_never_fails(
        ml_client: tuple[TestClient, str]) -> None:
    client, exports = ml_client
    started = client.post("/v1/corpus/exports", json={"format": "jsonl"})
    assert started.status_code == 202
    export_id = started.json()["id"]
    directory = Path(exports) / export_id
    state = read_state(directory)
    assert state is not None
    thread, stop, rewrites = _rewriting(directory, state)
    try:
        before = rewrites()
        answers = [client.get(f"/v1/corpus/exports/{export_id}") for _ in range(POLLS)]
        during = rewrites() - before
    finally:
        stop.set()
        thread.join(timeout=30)
    assert during > 0, "the polls did not overlap the rewrites"
    assert [a.status_code for a in answers] == [200] * POLLS
    assert {a.json()["status"] for a in answers} <= {"running", "done"}
