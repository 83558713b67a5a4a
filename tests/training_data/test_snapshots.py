"""The exported record shapes, pinned: a format change is a reviewed diff of
tests/data/corpus/*.json (regenerate with MOSTRADOR_UPDATE_SNAPSHOTS=1)."""

from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path

import pytest

from crm.models import CorpusRecord
from training_data.export.openai import to_openai
from training_data.export.writers import metadata

SNAPSHOTS = Path(__file__).resolve().parents[1] / "data" / "corpus"


def _record() -> CorpusRecord:
    return CorpusRecord(
        record_key="k" * 64, subject_key="s" * 64, tenant_key="t" * 64,
        tenant_category="salud_dental", channel="whatsapp", language="es",
        outcome="appointment_booked", lead_created=True, appointment_booked=True,
        user_turns=2, message_count=6, conversation_date=date(2026, 11, 23),
        fingerprint="f" * 64, redaction_style="surrogate", redaction_version="test",
        ingested_on=date(2026, 11, 24),
        messages=[
            {"role": "user", "content": "Soy Marta Ruiz, quiero limpieza mañana 10hs",
             "offset_s": 0},
            {"role": "assistant", "content": "", "offset_s": 2, "tool_calls": [
                {"id": "call_1", "name": "book_appointment",
                 "arguments": {"service": "Limpieza dental", "day": "2026-11-24",
                               "time": "10:00"}}]},
            {"role": "tool", "content": '{"ok": true, "appointment": {"id": "id_1"}}',
             "offset_s": 2, "tool_call_id": "call_1", "name": "book_appointment"},
            {"role": "assistant", "content": "¡Listo, Marta! Te espero el martes.",
             "offset_s": 3},
            {"role": "user", "content": "gracias", "offset_s": 40},
            {"role": "assistant", "content": "¡De nada!", "offset_s": 41},
        ])


@pytest.mark.parametrize("name", ["openai", "jsonl"])
def test_exported_shapes_match_the_snapshots(name: str) -> None:
    record = _record()
    if name == "openai":
        shape = to_openai(record, tools=False)
    else:
        shape = {"id": record.record_key, "split": "train", "metadata": metadata(record),
                 "messages": record.messages}
    path = SNAPSHOTS / f"{name}.json"
    text = json.dumps(shape, ensure_ascii=False, indent=2) + "\n"
    if os.environ.get("MOSTRADOR_UPDATE_SNAPSHOTS"):
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8")
