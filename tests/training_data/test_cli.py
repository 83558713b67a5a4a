"""`mostrador seed-demo` and `mostrador corpus ingest|export|stats` end to end."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select
from typer.testing import CliRunner

from agent.runtime import AgentRuntime, Inbound
from api.cli import app
from crm.models import AuditEvent, Channel, Role, User
from crm.services.tenants import tenant_by_slug
from crm.services.training import training_settings
from crm.settings import Settings, get_settings

runner = CliRunner()


@pytest.fixture
def cli_env(db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("MOSTRADOR_DATABASE_URL", db_url)
    monkeypatch.setenv("MOSTRADOR_LLM", "offline")
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_seed_ingest_export_and_stats(cli_env: None, engine: Engine, db: Session,
                                      settings: Settings, tmp_path: Path) -> None:
    assert runner.invoke(app, ["seed-demo"]).exit_code == 0
    demo = tenant_by_slug(db, slug="demo")
    config = training_settings(db, tenant=demo)
    assert config is not None and config.training_enabled
    ml = db.exec(select(User).where(User.email == "datos@clinica-demo.test")).one()
    assert ml.role == Role.ml
    runtime = AgentRuntime(settings, engine)
    for text in ("Hola, ¿qué servicios tienen?", "Soy Ana Pérez, quiero limpieza",
                 "gracias"):
        runtime.handle(Inbound(tenant_slug="demo", channel=Channel.web,
                               thread_id="cli-visitor", text=text))
    ingested = runner.invoke(app, ["corpus", "ingest", "--idle-seconds", "0"])
    assert ingested.exit_code == 0, ingested.output
    assert "ingested: 1" in ingested.output
    out = tmp_path / "export"
    exported = runner.invoke(app, ["corpus", "export", "--format", "openai", "--out", str(out),
                                   "--tenant", "demo", "--split", "train=0.9,validation=0.1"])
    assert exported.exit_code == 0, exported.output
    assert {p.name for p in out.iterdir()} == {"train.jsonl", "validation.jsonl", "README.md"}
    exported_text = (out / "train.jsonl").read_text() + (out / "validation.jsonl").read_text()
    # Surrogates are random ("Mariana" may come up): look for the name as a word.
    assert not re.search(r"\bAna\b|Pérez", exported_text)
    stats = runner.invoke(app, ["corpus", "stats", "--json"])
    assert stats.exit_code == 0, stats.output
    assert json.loads(stats.output)["by_tenant"] == {"demo": 1}
    db.commit()  # end the read transaction: see the CLI's writes
    event = db.exec(select(AuditEvent).where(AuditEvent.action == "corpus.export")).one()
    assert event.actor_kind == "cli" and event.details["records"] == 1
    bad = runner.invoke(app, ["corpus", "export", "--format", "csv", "--out", str(out)])
    assert bad.exit_code == 2
