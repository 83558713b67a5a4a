"""``export_corpus``: filter, split and write the corpus, then the dataset card.

Output contract: ``out`` is a directory. It receives one file per split
(``train.jsonl``, ``validation.parquet``...) and ``README.md``, the dataset card. Files of
splits that got no record are still written (empty), so a pipeline finds what it expects.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select

from crm.db import reader_engine
from crm.models import CorpusRecord, RecordStatus, utcnow
from training_data.errors import ExportArgumentError
from training_data.export.card import write_card
from training_data.export.options import ExportOptions, count_records, iter_records, split_of
from training_data.export.writers import EXTENSIONS, WRITERS, Writer

log = logging.getLogger("mostrador.corpus")


@dataclass
class ExportResult:
    out: Path
    format: str
    counts: dict[str, int] = field(default_factory=dict)
    rejected: int = 0  # records whose example failed the format checks (openai)
    quarantined: int = 0  # records matching the filters held back by the residual audit
    # What tripped the audit, per kind (entity types and shapes; a record may count twice).
    quarantine_reasons: dict[str, int] = field(default_factory=dict)
    first_date: date | None = None
    last_date: date | None = None
    styles: dict[str, int] = field(default_factory=dict)
    versions: set[str] = field(default_factory=set)
    files: list[str] = field(default_factory=list)
    started_at: datetime = field(default_factory=utcnow)

    @property
    def records(self) -> int:
        return sum(self.counts.values())


def export_corpus(engine: Engine, options: ExportOptions, out: Path, *,
                  progress: bool | None = None,
                  on_record: Callable[[], None] | None = None) -> ExportResult:
    """Write the matching records under ``out`` (a directory; created) and its card.

    ``progress`` shows a bar on stderr (default: when stderr is a terminal).
    Raises ExportArgumentError when ``out`` exists and is not a directory.
    """
    if out.exists() and not out.is_dir():
        raise ExportArgumentError(f"{out} exists and is not a directory")
    out.mkdir(parents=True, exist_ok=True)
    result = ExportResult(out=out, format=options.format)
    ext = EXTENSIONS[options.format]
    writers: dict[str, Writer] = {
        name: WRITERS[options.format](out / f"{name}.{ext}") for name in options.splits}
    with Session(reader_engine(engine)) as session:
        total = count_records(session, options)
        result.quarantined = count_records(session, options, RecordStatus.quarantined)
        if result.quarantined:
            for kinds in session.exec(select(CorpusRecord.residual_types).where(
                    *options.where(RecordStatus.quarantined))):
                for kind in kinds or []:
                    result.quarantine_reasons[kind] = result.quarantine_reasons.get(kind, 0) + 1
        bar = _progress(total) if (progress if progress is not None
                                   else sys.stderr.isatty()) else None
        try:
            for record in iter_records(session, options):
                split = split_of(record.record_key, options.splits)
                if writers[split].write(record, split):
                    result.counts[split] = result.counts.get(split, 0) + 1
                    day = record.conversation_date
                    result.first_date = min(result.first_date or day, day)
                    result.last_date = max(result.last_date or day, day)
                    result.styles[record.redaction_style] = (
                        result.styles.get(record.redaction_style, 0) + 1)
                    result.versions.add(record.redaction_version)
                if bar is not None:
                    bar[0].advance(bar[1])
                if on_record is not None:
                    on_record()
        finally:
            for writer in writers.values():
                writer.close()
                result.rejected += writer.rejected
            if bar is not None:
                bar[0].stop()
        result.files = sorted(w.path.name for w in writers.values())
        corpus_total = int(session.exec(select(func.count()).select_from(CorpusRecord)).one())
    write_card(out / "README.md", options, result, corpus_total=corpus_total)
    result.files.append("README.md")
    log.info("corpus export: format=%s records=%d rejected=%d quarantined=%d", options.format,
             result.records, result.rejected, result.quarantined)
    return result


def _progress(total: int):  # type: ignore[no-untyped-def]
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    bar = Progress("[progress.description]{task.description}", BarColumn(),
                   MofNCompleteColumn(), TimeRemainingColumn(),
                   console=Console(stderr=True), transient=False)
    task = bar.add_task("exporting", total=total)
    bar.start()
    return bar, task
