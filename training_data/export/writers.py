"""One writer per format and split; each writes as records come (constant memory)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import IO, Any

from crm.models import CorpusRecord
from training_data.export.openai import to_openai, tool_definitions, validate

EXTENSIONS = {"openai": "jsonl", "jsonl": "jsonl", "parquet": "parquet"}
_PARQUET_BATCH = 1000


def metadata(record: CorpusRecord) -> dict[str, Any]:
    """The record's metadata in Mostrador's own schema."""
    return {
        "tenant_category": record.tenant_category, "channel": record.channel,
        "language": record.language, "outcome": record.outcome,
        "lead_created": record.lead_created, "appointment_booked": record.appointment_booked,
        "handed_off": record.handed_off, "user_turns": record.user_turns,
        "message_count": record.message_count,
        "date": record.conversation_date.isoformat(),
        "redaction_style": record.redaction_style,
        "redaction_version": record.redaction_version,
    }


class Writer:
    """``write(record, split)`` → whether the record was written; ``close()`` at the end."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.rejected = 0

    def write(self, record: CorpusRecord, split: str) -> bool:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError


class _Lines(Writer):
    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self._handle: IO[str] = path.open("w", encoding="utf-8")

    def line(self, obj: dict[str, Any]) -> None:
        self._handle.write(json.dumps(obj, ensure_ascii=False, separators=(",", ":")) + "\n")

    def close(self) -> None:
        self._handle.close()


class OpenAIWriter(_Lines):
    def __init__(self, path: Path) -> None:
        super().__init__(path)
        tools = list(tool_definitions())
        # The same few kilobytes of tool schemas end every line: encoded once.
        self._tools = json.dumps(tools, ensure_ascii=False, separators=(",", ":"))
        self._names = [{"function": {"name": t["function"]["name"]}} for t in tools]

    def write(self, record: CorpusRecord, split: str) -> bool:
        example = to_openai(record, tools=False)
        if validate({**example, "tools": self._names}):  # counted in the card, not written
            self.rejected += 1
            return False
        messages = json.dumps(example["messages"], ensure_ascii=False, separators=(",", ":"))
        self._handle.write(f'{{"messages":{messages},"tools":{self._tools}}}\n')
        return True


class JsonlWriter(_Lines):
    def write(self, record: CorpusRecord, split: str) -> bool:
        self.line({"id": record.record_key, "split": split, "metadata": metadata(record),
                   "messages": record.messages})
        return True


class ParquetWriter(Writer):
    """One row per conversation; ``messages`` is a list of structs (tool-call arguments as
    JSON strings, since their keys differ by tool)."""

    def __init__(self, path: Path) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        super().__init__(path)
        self._pa = pa
        call = pa.struct([("id", pa.string()), ("name", pa.string()),
                          ("arguments", pa.string())])
        message = pa.struct([("role", pa.string()), ("content", pa.string()),
                             ("offset_s", pa.int32()), ("tool_calls", pa.list_(call)),
                             ("tool_call_id", pa.string()), ("name", pa.string())])
        self.schema = pa.schema([
            ("id", pa.string()), ("split", pa.string()), ("tenant_category", pa.string()),
            ("channel", pa.string()), ("language", pa.string()), ("outcome", pa.string()),
            ("lead_created", pa.bool_()), ("appointment_booked", pa.bool_()),
            ("handed_off", pa.bool_()), ("user_turns", pa.int32()),
            ("message_count", pa.int32()), ("date", pa.date32()),
            ("redaction_style", pa.string()), ("redaction_version", pa.string()),
            ("messages", pa.list_(message)),
        ])
        self._writer = pq.ParquetWriter(str(path), self.schema, compression="zstd")
        self._rows: list[dict[str, Any]] = []

    def write(self, record: CorpusRecord, split: str) -> bool:
        row = metadata(record)
        row["date"] = record.conversation_date
        row.update(id=record.record_key, split=split, messages=[
            {"role": m["role"], "content": m.get("content", ""), "offset_s": m.get("offset_s"),
             "tool_calls": [{"id": c["id"], "name": c["name"],
                             "arguments": json.dumps(c["arguments"], ensure_ascii=False)}
                            for c in m.get("tool_calls") or []] or None,
             "tool_call_id": m.get("tool_call_id"), "name": m.get("name")}
            for m in record.messages])
        self._rows.append(row)
        if len(self._rows) >= _PARQUET_BATCH:
            self._flush()
        return True

    def _flush(self) -> None:
        if self._rows:
            self._writer.write_table(self._pa.Table.from_pylist(self._rows, schema=self.schema))
            self._rows = []

    def close(self) -> None:
        self._flush()
        self._writer.close()


WRITERS: dict[str, type[Writer]] = {
    "openai": OpenAIWriter, "jsonl": JsonlWriter, "parquet": ParquetWriter}
