"""Where the corpus lives: the CRM database, or its own (``MOSTRADOR_CORPUS_URL``).

The corpus tables are created in whichever database holds them; the CRM-side tables
(preferences, training settings, the intake ledger) always live with the CRM.
"""

from __future__ import annotations

from contextlib import AbstractContextManager

from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel

from crm.db import get_engine, session_scope
from crm.models import CorpusRecord
from crm.settings import Settings


def corpus_engine(settings: Settings, crm_engine: Engine | None = None) -> Engine:
    """The engine of the corpus database, its tables created."""
    if settings.corpus_url:
        engine = get_engine(settings.corpus_url)
    else:
        engine = crm_engine if crm_engine is not None else get_engine(settings.database_url)
    SQLModel.metadata.create_all(engine, tables=[CorpusRecord.__table__])  # type: ignore[attr-defined]
    return engine


def separate(settings: Settings) -> bool:
    """Whether the corpus has a database of its own."""
    return bool(settings.corpus_url)


def corpus_session(engine: Engine) -> AbstractContextManager[Session]:
    """A session on the corpus database that commits on success and rolls back on error."""
    return session_scope(engine)
