"""Corpus statistics: records by business, language and outcome, and the quarantine."""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, func, select

from crm.db import reader_engine
from crm.models import CorpusIntake, CorpusRecord, RecordStatus, Tenant
from crm.settings import Settings
from training_data.keys import corpus_keys


def corpus_stats(settings: Settings, crm: Engine, corpus: Engine) -> dict[str, Any]:
    """``{"records", "quarantined", "by_tenant", "by_language", "by_outcome",
    "intake"}``; businesses appear by slug (resolved through the key), or as
    ``unknown:<hash prefix>`` when the CRM no longer has them."""
    keys = corpus_keys(settings)
    with Session(reader_engine(crm)) as db:
        slugs = {keys.tenant_key(t.id): t.slug for t in db.exec(select(Tenant))}
        intake = {str(o): n for o, n in db.exec(
            select(CorpusIntake.outcome, func.count()).group_by(col(CorpusIntake.outcome)))}
    with Session(reader_engine(corpus)) as cdb:
        def grouped(column: Any) -> dict[str, int]:
            rows = cdb.exec(select(column, func.count())
                            .where(col(CorpusRecord.status) == RecordStatus.ok)
                            .group_by(column)).all()
            return {str(k): int(n) for k, n in rows}

        status = {str(k): int(n) for k, n in cdb.exec(
            select(CorpusRecord.status, func.count()).group_by(col(CorpusRecord.status)))}
        by_tenant = {slugs.get(k, f"unknown:{k[:8]}"): n
                     for k, n in grouped(col(CorpusRecord.tenant_key)).items()}
        return {
            "records": status.get(RecordStatus.ok.value, 0),
            "quarantined": status.get(RecordStatus.quarantined.value, 0),
            "by_tenant": dict(sorted(by_tenant.items())),
            "by_language": grouped(col(CorpusRecord.language)),
            "by_outcome": grouped(col(CorpusRecord.outcome)),
            "intake": dict(sorted(intake.items())),
        }
