"""Exports: the OpenAI format validates, Parquet loads with pyarrow, splits are stable,
filters select, and the dataset card tells what is inside."""

from __future__ import annotations

import hashlib
import json
from datetime import date, timedelta
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from crm.models import CorpusRecord, RecordStatus
from training_data import ExportArgumentError, ExportOptions, export_corpus, parse_split
from training_data.export.openai import to_openai, validate

DAY = date(2026, 10, 1)


def _record(n: int, **overrides: object) -> CorpusRecord:
    call = "call_1"
    values: dict[str, object] = dict(
        record_key=hashlib.sha256(f"r{n}".encode()).hexdigest(), subject_key=f"s{n}",
        tenant_key="t1" if n % 2 else "t2", channel="web", language="en" if n % 5 == 0 else "es",
        outcome="appointment_booked" if n % 3 == 0 else "none",
        appointment_booked=n % 3 == 0, user_turns=2, message_count=6,
        conversation_date=DAY + timedelta(days=n % 20), fingerprint=f"f{n}",
        redaction_style="surrogate", redaction_version="test", ingested_on=DAY,
        messages=[
            {"role": "user", "content": f"Hola, quiero un turno ({n})", "offset_s": 0},
            {"role": "assistant", "content": "", "offset_s": 1, "tool_calls": [
                {"id": call, "name": "list_services", "arguments": {}}]},
            {"role": "tool", "content": '{"ok": true}', "offset_s": 1, "tool_call_id": call,
             "name": "list_services"},
            {"role": "assistant", "content": "¿Qué servicio querés?", "offset_s": 2},
            {"role": "user", "content": "Limpieza", "offset_s": 30},
            {"role": "assistant", "content": "", "offset_s": 31},
        ],
    )
    values.update(overrides)
    return CorpusRecord(**values)  # type: ignore[arg-type]


@pytest.fixture
def corpus(db: Session) -> int:
    for n in range(200):
        db.add(_record(n))
    db.add(_record(999, status=RecordStatus.quarantined, messages=[],
                   residual_types=["PERSON"]))
    db.commit()
    return 200


def _lines(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_every_openai_example_passes_the_format_checks(
        corpus: int, engine: Engine, tmp_path: Path) -> None:
    result = export_corpus(engine, ExportOptions(format="openai"), tmp_path, progress=False)
    examples = _lines(tmp_path / "train.jsonl")
    assert result.records == len(examples) == corpus and result.quarantined == 1
    for example in examples:
        assert validate(example) == []
        roles = [m["role"] for m in example["messages"]]  # type: ignore[index]
        assert roles[0] == "system" and roles[-1] == "assistant"
        assert {t["function"]["name"] for t in example["tools"]} >= {  # type: ignore[index]
            "list_services", "book_appointment", "record_training_objection"}


def test_the_validator_catches_what_openai_rejects() -> None:
    example = to_openai(_record(1))
    assert validate(example) == []
    broken = json.loads(json.dumps(example))
    broken["messages"][1]["content"] = ""
    assert "missing_content" in validate(broken)
    orphan = json.loads(json.dumps(example))
    orphan["messages"][3]["tool_call_id"] = "call_9"
    assert {"tool_message_without_call", "tool_call_unanswered"} <= set(validate(orphan))
    assert "example_missing_assistant_message" in validate(
        {"messages": [{"role": "user", "content": "hola"}]})
    assert "unrecognized_role" in validate({"messages": [{"role": "bot", "content": "x"}]})


def test_parquet_loads_with_pyarrow_one_row_per_conversation(
        corpus: int, engine: Engine, tmp_path: Path) -> None:
    export_corpus(engine, ExportOptions(format="parquet"), tmp_path, progress=False)
    table = pq.read_table(tmp_path / "train.parquet")
    assert table.num_rows == corpus
    assert {"id", "split", "language", "outcome", "date", "messages"} <= set(table.column_names)
    row = table.slice(0, 1).to_pylist()[0]
    call = row["messages"][1]["tool_calls"][0]
    assert call["name"] == "list_services" and json.loads(call["arguments"]) == {}


def test_splits_are_stable_across_runs_and_near_the_fractions(
        corpus: int, engine: Engine, tmp_path: Path) -> None:
    options = ExportOptions(format="jsonl", splits=parse_split("train=0.8,validation=0.2"))
    runs = []
    for name in ("a", "b"):
        export_corpus(engine, options, tmp_path / name, progress=False)
        runs.append({split: [r["id"] for r in _lines(tmp_path / name / f"{split}.jsonl")]
                     for split in ("train", "validation")})
    assert runs[0] == runs[1]
    assert 120 <= len(runs[0]["train"]) <= 190 and len(runs[0]["validation"]) >= 10
    assert not set(runs[0]["train"]) & set(runs[0]["validation"])


def test_filters_select_records_and_the_card_records_them(
        corpus: int, engine: Engine, tmp_path: Path) -> None:
    options = ExportOptions(format="jsonl", tenant_keys=("t1",), language="es",
                            outcome="appointment_booked", since=DAY + timedelta(days=5),
                            until=DAY + timedelta(days=15))
    result = export_corpus(engine, options, tmp_path, progress=False)
    rows = _lines(tmp_path / "train.jsonl")
    expected = [n for n in range(corpus) if n % 2 and n % 5 and n % 3 == 0
                and 5 <= n % 20 <= 15]
    assert len(rows) == result.records == len(expected) > 0
    assert all(r["metadata"]["outcome"] == "appointment_booked" for r in rows)  # type: ignore[index]
    card = (tmp_path / "README.md").read_text()
    assert f"**{len(expected)}**" in card and '"outcome": "appointment_booked"' in card
    assert "Quarantined records matching these filters: 0" in card


@pytest.mark.parametrize("bad", ["train=0.9", "train=0.5,train=0.5", "train=x", "a b=1"])
def test_bad_splits_are_refused(bad: str) -> None:
    with pytest.raises(ExportArgumentError):
        parse_split(bad)
