"""What privacy jobs need: settings, the CRM and corpus databases, the erasure ledger, the
secret box and, when configured, the durable queue's Redis."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache

from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

from channels.durable.streams import Queue
from crm.crypto import SecretBox, box_for
from crm.db import get_engine
from crm.models import ErasureTombstone
from crm.settings import Settings
from training_data.store import corpus_engine


@dataclass
class PrivacyContext:
    settings: Settings
    engine: Engine            # the CRM database
    corpus: Engine            # the corpus database (the CRM's unless MOSTRADOR_CORPUS_URL)
    ledger: Engine            # the erasure ledger (MOSTRADOR_ERASURE_LEDGER_URL)
    box: SecretBox
    queue: Queue | None = None  # the durable queue, when MOSTRADOR_REDIS_URL is set
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))

    @classmethod
    def build(cls, settings: Settings, engine: Engine | None = None,
              queue: Queue | None = None) -> PrivacyContext:
        """From settings; opens the durable queue when Redis is configured and none is given."""
        engine = engine if engine is not None else get_engine(settings.database_url)
        if queue is None and settings.redis_url:
            queue = Queue.from_settings(settings)
        return cls(settings=settings, engine=engine, corpus=corpus_engine(settings, engine),
                   ledger=ledger_engine(settings), box=box_for(settings), queue=queue)


def ledger_engine(settings: Settings) -> Engine:
    """The erasure ledger's engine, its table created."""
    return _ledger(settings.erasure_ledger_url)


@lru_cache(maxsize=8)
def _ledger(url: str) -> Engine:
    engine = get_engine(url)
    SQLModel.metadata.create_all(engine, tables=[ErasureTombstone.__table__])  # type: ignore[attr-defined]
    return engine
