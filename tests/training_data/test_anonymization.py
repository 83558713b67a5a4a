"""A transcript with a name, phone, DNI and email in text, tool arguments and results comes
out of every export with none of them, consistent surrogates and intact tool calls."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from crm.models import CorpusRecord, Lead, Tenant
from tests.training_data.conftest import Maker, booking_script
from training_data import ExportOptions, Intake, export_corpus
from training_data.export.openai import validate

# Every form the identity could leak in (case-insensitive, accents folded by listing both).
LEAKS = ["ana", "pérez", "perez", "58321190", "5832-1190", "5832 1190", "1158321190",
         "34.540.967", "34540967", "ana.perez"]


def _export_all(engine: Engine, tmp_path: Path) -> dict[str, Path]:
    outs = {}
    for fmt in ("openai", "parquet", "jsonl"):
        outs[fmt] = tmp_path / fmt
        export_corpus(engine, ExportOptions(format=fmt), outs[fmt], progress=False)
    return outs


def _words(blob: str) -> set[str]:
    return {w.strip(".,;:!¡?¿\"'()[]{}<>").lower() for w in blob.split()}


def test_no_identifier_survives_in_any_exported_file(
        business: Tenant, converse: Maker, intake: Intake, engine: Engine, db: Session,
        tmp_path: Path) -> None:
    conversation = converse(business, booking_script())
    assert intake.run().outcomes == {"ingested": 1}
    outs = _export_all(engine, tmp_path)
    crm_ids = {conversation.id, conversation.contact_id, business.id}
    crm_ids |= set(db.exec(select(Lead.id)).all())
    for path in (p for out in outs.values() for p in out.iterdir()):
        data = path.read_bytes()
        text = data.decode("utf-8", errors="replace").lower()
        if path.suffix == ".parquet":
            text = json.dumps(pq.read_table(path).to_pylist(), default=str,
                              ensure_ascii=False).lower()
        words = _words(text.replace("\\n", " "))
        for leak in LEAKS:
            if " " in leak or not leak.isalpha():
                assert leak not in text, (path.name, leak)
            else:
                assert leak not in words, (path.name, leak)
        for crm_id in crm_ids:
            assert crm_id.encode() not in data, path.name


def test_surrogates_are_consistent_and_tool_calls_stay_intact(
        business: Tenant, converse: Maker, intake: Intake, engine: Engine,
        tmp_path: Path) -> None:
    converse(business, booking_script())
    intake.run()
    out = tmp_path / "openai"
    export_corpus(engine, ExportOptions(format="openai"), out, progress=False)
    example = json.loads((out / "train.jsonl").read_text().splitlines()[0])
    assert validate(example) == []
    messages = example["messages"]
    calls = [c for m in messages for c in m.get("tool_calls", [])]
    assert [c["function"]["name"] for c in calls] == ["save_contact_details", "book_appointment"]
    save = json.loads(calls[0]["function"]["arguments"])
    booked = json.loads(calls[1]["function"]["arguments"])
    assert set(save) == {"name", "phone", "email", "notes"}
    assert booked == {"service": "Limpieza dental", "day": "2026-11-24", "time": "10:00"}
    said = next(m["content"] for m in messages if m["role"] == "user" and "DNI" in m["content"])
    # The fake name, phone and email of the tool arguments are the ones in the user's text.
    assert save["name"] in said and save["phone"] in said and save["email"] in said
    first = save["name"].split()[0]
    assert any(m.get("content", "").startswith(f"¡Listo, {first}!") for m in messages)
    results = [json.loads(m["content"]) for m in messages if m["role"] == "tool"]
    assert results[0]["contact"]["name"] == save["name"]
    assert results[1]["appointment"]["start"] == "2026-11-24T10:00:00-03:00"
    assert [m["tool_call_id"] for m in messages if m["role"] == "tool"] == [c["id"] for c in calls]


@pytest.mark.parametrize("style", ["placeholder"])
def test_the_business_style_setting_is_used(
        business: Tenant, converse: Maker, intake: Intake, db: Session, style: str) -> None:
    from crm.services.training import enable_training

    enable_training(db, tenant=business, redaction_style=style)
    db.commit()
    converse(business, booking_script())
    intake.run()
    record = db.exec(select(CorpusRecord)).one()
    assert record.redaction_style == style
    said = json.dumps(record.messages, ensure_ascii=False)
    assert "<PERSON_1>" in said and "<AR_DNI_1>" in said and "Ana" not in said
