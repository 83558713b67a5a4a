"""What an export takes: format, filters and the split, and the record query they make."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlmodel import Session, col, func, select

from crm.models import CorpusRecord, RecordStatus
from training_data.errors import ExportArgumentError

FORMATS = ("openai", "parquet", "jsonl")
OUTCOMES = ("lead_created", "appointment_booked", "handed_off", "none")
_BATCH = 500


@dataclass(frozen=True)
class ExportOptions:
    format: str
    tenant_keys: tuple[str, ...] | None = None  # None: every business
    tenants: tuple[str, ...] = ()  # the slugs asked for, for the dataset card only
    since: date | None = None
    until: date | None = None
    language: str | None = None
    outcome: str | None = None
    splits: dict[str, float] = field(default_factory=lambda: {"train": 1.0})

    def __post_init__(self) -> None:
        if self.format not in FORMATS:
            raise ExportArgumentError(f"unknown format {self.format!r}; use one of {FORMATS}")
        if self.outcome is not None and self.outcome not in OUTCOMES:
            raise ExportArgumentError(f"unknown outcome {self.outcome!r}; use one of {OUTCOMES}")
        if self.since and self.until and self.since > self.until:
            raise ExportArgumentError("--since is after --until")

    def filters(self) -> dict[str, Any]:
        """The filters as the dataset card and the audit log show them."""
        return {"tenants": list(self.tenants) or None,
                "since": self.since.isoformat() if self.since else None,
                "until": self.until.isoformat() if self.until else None,
                "language": self.language, "outcome": self.outcome}

    def where(self, status: RecordStatus = RecordStatus.ok) -> list[Any]:
        clauses: list[Any] = [col(CorpusRecord.status) == status]
        if self.tenant_keys is not None:
            clauses.append(col(CorpusRecord.tenant_key).in_(self.tenant_keys))
        if self.since:
            clauses.append(col(CorpusRecord.conversation_date) >= self.since)
        if self.until:
            clauses.append(col(CorpusRecord.conversation_date) <= self.until)
        if self.language:
            clauses.append(col(CorpusRecord.language) == self.language)
        if self.outcome == "none":
            clauses += [col(CorpusRecord.lead_created).is_(False),
                        col(CorpusRecord.appointment_booked).is_(False),
                        col(CorpusRecord.handed_off).is_(False)]
        elif self.outcome:
            clauses.append(col(getattr(CorpusRecord, self.outcome)).is_(True))
        return clauses


def parse_split(text: str | None) -> dict[str, float]:
    """``"train=0.9,validation=0.1"`` → ``{"train": 0.9, "validation": 0.1}`` (sums to 1)."""
    if not text:
        return {"train": 1.0}
    splits: dict[str, float] = {}
    for part in text.split(","):
        name, _, value = part.partition("=")
        name = name.strip()
        try:
            fraction = float(value)
        except ValueError:
            raise ExportArgumentError(f"bad split {part!r}; write name=fraction") from None
        if not name.isidentifier() or not 0 < fraction <= 1 or name in splits:
            raise ExportArgumentError(f"bad split {part!r}; write name=fraction")
        splits[name] = fraction
    if abs(sum(splits.values()) - 1) > 1e-6:
        raise ExportArgumentError("split fractions must add up to 1")
    return splits


def split_of(record_key: str, splits: dict[str, float]) -> str:
    """The split of a record: a function of its key alone, so stable across runs."""
    point = int(hashlib.sha256(("split:" + record_key).encode()).hexdigest()[:15], 16) / 16**15
    total = 0.0
    for name, fraction in splits.items():
        total += fraction
        if point < total:
            return name
    return list(splits)[-1]


def count_records(session: Session, options: ExportOptions,
                  status: RecordStatus = RecordStatus.ok) -> int:
    query = select(func.count()).select_from(CorpusRecord).where(*options.where(status))
    return int(session.exec(query).one())


def iter_records(session: Session, options: ExportOptions,
                 batch: int = _BATCH) -> Iterator[CorpusRecord]:
    """Matching records in key order, a batch at a time (constant memory)."""
    after = ""
    while True:
        rows = session.exec(select(CorpusRecord)
                            .where(*options.where(), col(CorpusRecord.record_key) > after)
                            .order_by(col(CorpusRecord.record_key)).limit(batch)).all()
        if not rows:
            return
        yield from rows
        after = rows[-1].record_key
        session.expunge_all()
