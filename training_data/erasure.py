"""Removing corpus records: erasure of a contact, withdrawals (objection, business opt-out).

The corpus holds no CRM ids, so records are found by recomputing their keyed hashes from
the CRM: the record keys of the contact's conversations and the contact's subject key,
under the current and every previous ``MOSTRADOR_SECRET_KEY``. Call ``erase_contact``
*before* deleting the contact (its conversations give the record keys; the subject key
alone still finds the records afterwards).
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from crm.models import Conversation, CorpusRecord
from crm.settings import Settings, get_settings
from training_data.keys import all_corpus_keys
from training_data.store import corpus_engine, corpus_session, separate

_CHUNK = 500


def delete_records(session: Session, *, record_keys: Sequence[str] = (),
                   subject_keys: Sequence[str] = (), tenant_keys: Sequence[str] = ()) -> int:
    """Delete the records matching any of the keys; returns how many (flushed, not
    committed)."""
    removed = 0
    for column, keys in ((CorpusRecord.record_key, record_keys),
                         (CorpusRecord.subject_key, subject_keys),
                         (CorpusRecord.tenant_key, tenant_keys)):
        keys = list(keys)
        for i in range(0, len(keys), _CHUNK):
            result = session.exec(  # type: ignore[call-overload]
                delete(CorpusRecord).where(col(column).in_(keys[i:i + _CHUNK])))
            removed += result.rowcount or 0
    session.flush()
    return removed


def erase_contact(db: Session, contact_id: str, *, settings: Settings | None = None,
                  corpus: Engine | None = None) -> int:
    """Remove every corpus record of the contact; returns how many.

    With the corpus in the CRM database the deletion joins ``db``'s transaction (the caller
    commits); with ``MOSTRADOR_CORPUS_URL`` it is committed in the corpus database at once.
    """
    settings = settings or get_settings()
    conversations = db.exec(select(Conversation.id, Conversation.tenant_id)
                            .where(Conversation.contact_id == contact_id)).all()
    keys = all_corpus_keys(settings)
    record_keys = [k.record_key(t, c) for k in keys for c, t in conversations]
    subject_keys = [k.subject_key(contact_id) for k in keys]
    if not separate(settings) and corpus is None:
        return delete_records(db, record_keys=record_keys, subject_keys=subject_keys)
    engine = corpus if corpus is not None else corpus_engine(settings)
    if not separate(settings) and engine is db.get_bind():
        return delete_records(db, record_keys=record_keys, subject_keys=subject_keys)
    with corpus_session(engine) as cdb:
        return delete_records(cdb, record_keys=record_keys, subject_keys=subject_keys)


def erase_conversation(db: Session, tenant_id: str, conversation_id: str, *,
                       settings: Settings | None = None, corpus: Engine | None = None) -> int:
    """Remove the corpus record of one conversation (by its record keys); how many."""
    settings = settings or get_settings()
    record_keys = [k.record_key(tenant_id, conversation_id) for k in all_corpus_keys(settings)]
    engine = corpus if corpus is not None else (corpus_engine(settings) if separate(settings)
                                                else None)
    if engine is None or engine is db.get_bind():
        return delete_records(db, record_keys=record_keys)
    with corpus_session(engine) as cdb:
        return delete_records(cdb, record_keys=record_keys)
