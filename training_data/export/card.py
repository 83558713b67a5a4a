"""The dataset card: ``README.md`` beside the exported files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from training_data.export.options import ExportOptions

if TYPE_CHECKING:
    from training_data.export.run import ExportResult

_FORMAT_TEXT = {
    "openai": "OpenAI chat fine-tuning JSONL (`messages` with system/user/assistant/tool "
              "roles and `tool_calls`, plus `tools`); assistant messages that only call tools "
              "have no `content` key.",
    "parquet": "Parquet, one row per conversation (`messages` is a list of structs; "
               "tool-call `arguments` are JSON strings). `pandas.read_parquet` or "
               "`datasets.load_dataset(\"parquet\", data_files=...)` read it.",
    "jsonl": "Mostrador JSONL: `{\"id\", \"split\", \"metadata\", \"messages\"}` per line.",
}


def write_card(path: Path, options: ExportOptions, result: ExportResult, *,
               corpus_total: int) -> None:
    splits = ", ".join(f"{k}={v:g}" for k, v in options.splits.items())
    dates = (f"{result.first_date} to {result.last_date}" if result.first_date
             else "no records")
    lines = [
        "# Mostrador anonymized conversation corpus",
        "",
        f"Exported {result.started_at:%Y-%m-%d %H:%M} UTC. Format: {_FORMAT_TEXT[options.format]}",
        "",
        "## Contents",
        "",
        "| split | file | records |",
        "|---|---|---|",
        *[f"| {name} | `{name}.{'parquet' if options.format == 'parquet' else 'jsonl'}` | "
          f"{result.counts.get(name, 0)} |" for name in options.splits],
        f"| **total** | | **{result.records}** |",
        "",
        f"- Conversation dates: {dates} (dates only; message times are offsets in seconds).",
        f"- Split (by a hash of each record's key, stable across exports): {splits}.",
        f"- Filters: `{json.dumps(options.filters(), ensure_ascii=False)}`.",
        f"- Redaction styles: {_counts(result.styles) or 'none'}; versions: "
        f"{', '.join(sorted(result.versions)) or 'none'}.",
        "",
        "## Residual-PII audit",
        "",
        "After anonymization each record went through two more checks: the recognizers "
        "again with a lower threshold, and an independent check by shape (any run of six "
        "digits, anything e-mail- or handle-shaped, parts of the contact's own name, e-mail "
        "or phone inside a handle, an e-mail, a URL or a number). Records where either "
        "found something are quarantined and never exported.",
        "",
        f"- Quarantined records matching these filters: {result.quarantined}"
        + (f" (tripped by: {_counts(result.quarantine_reasons)})." if result.quarantine_reasons
           else "."),
        f"- Records failing the format checks (not written): {result.rejected}.",
        f"- Records in the whole corpus: {corpus_total}.",
        "",
        "## Provenance and use",
        "",
        "Conversations between small businesses' AI agents and their customers, kept only "
        "when the business enabled training use and the customer did not object, after the "
        "conversation closed. Names, phones, emails, national ids and other identifiers were "
        "replaced (surrogate style: realistic fakes, consistent within a conversation; "
        "placeholder style: `<PERSON_1>`). Record ids are keyed hashes: nothing here joins "
        "back to the CRM, and a customer's later erasure request removes their records from "
        "the corpus — delete old exports on the schedule your data policy sets.",
        "",
    ]
    path.write_text("\n".join(lines), encoding="utf-8")


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{k} ({v})" for k, v in sorted(counts.items()))
