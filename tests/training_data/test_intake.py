"""Intake gates: closing idle conversations, objection, business opt-out, erasure, short
conversations, near-duplicates and the residual-PII quarantine."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from crm.models import (
    Contact,
    Conversation,
    ConversationStatus,
    CorpusIntake,
    CorpusRecord,
    RecordStatus,
    Tenant,
)
from crm.services.training import enable_training, set_training_objection
from crm.settings import Settings
from redaction import Redactor
from tests.factories import make_contact
from tests.training_data.conftest import LATER, Maker, booking_script
from training_data import Intake, erase_contact
from training_data.keys import corpus_keys


def _records(db: Session) -> list[CorpusRecord]:
    db.expire_all()
    return list(db.exec(select(CorpusRecord)).all())


def _other(db: Session, tenant: Tenant, n: int) -> Contact:
    return make_contact(db, tenant, name=f"Lucas Gómez{n}", phone=f"+54911440000{n:02d}",
                        email=f"lucas{n}@correo.test")


def test_idle_conversations_close_and_enter_once(
        business: Tenant, converse: Maker, intake: Intake, db: Session) -> None:
    conversation = converse(business, booking_script(), closed=False,
                            when=LATER - timedelta(hours=30))
    fresh = converse(business, booking_script(name="Lucas Gómez", phone_text="11 4400-0001",
                                              dni="30.111.222", email="lucas@correo.test"),
                     contact=_other(db, business, 1), closed=False, when=LATER)
    report = intake.run()
    assert report.closed == 1 and report.outcomes == {"ingested": 1}
    db.expire_all()
    assert db.get(Conversation, conversation.id).status == ConversationStatus.cerrada
    assert db.get(Conversation, fresh.id).status == ConversationStatus.abierta
    assert intake.run().outcomes == {}  # nothing new: the ledger remembers
    assert len(_records(db)) == 1


def test_a_contact_who_objects_is_kept_out_and_their_records_removed(
        business: Tenant, converse: Maker, intake: Intake, db: Session) -> None:
    first = converse(business, booking_script())
    intake.run()
    assert len(_records(db)) == 1
    contact = db.get(Contact, first.contact_id)
    assert contact is not None
    set_training_objection(db, contact=contact, source="chat")
    db.commit()
    converse(business, booking_script(), contact=contact)
    report = intake.run()
    assert report.withdrawn == 1 and report.outcomes == {"contact_objected": 1}
    assert _records(db) == []


def test_a_business_that_opts_out_keeps_nothing(
        business: Tenant, converse: Maker, intake: Intake, db: Session) -> None:
    converse(business, booking_script())
    intake.run()
    assert len(_records(db)) == 1
    enable_training(db, tenant=business, enabled=False)
    db.commit()
    converse(business, booking_script(), contact=_other(db, business, 2))
    report = intake.run()
    assert report.withdrawn == 1 and report.outcomes == {"tenant_opted_out": 1}
    assert _records(db) == []


def test_erasure_removes_only_that_contacts_records(
        business: Tenant, converse: Maker, intake: Intake, db: Session,
        settings: Settings) -> None:
    mine = converse(business, booking_script())
    converse(business, [*booking_script(name="Lucas Gómez", phone_text="11 4400-0003",
                                        dni="30.111.222", email="lucas@correo.test"),
                        {"role": "user", "text": "¿Aceptan tarjeta de crédito?"},
                        {"role": "assistant", "text": "Sí, hasta 3 cuotas sin interés."}],
             contact=_other(db, business, 3))
    intake.run()
    assert len(_records(db)) == 2
    removed = erase_contact(db, mine.contact_id, settings=settings)
    db.commit()
    left = _records(db)
    assert removed == 1 and len(left) == 1
    assert left[0].subject_key != corpus_keys(settings).subject_key(mine.contact_id)


def test_short_and_near_duplicate_conversations_are_dropped(
        business: Tenant, converse: Maker, intake: Intake, db: Session) -> None:
    converse(business, [{"role": "user", "text": "hola"},
                        {"role": "assistant", "text": "¡Hola! ¿En qué te ayudo?"}])
    converse(business, booking_script(), contact=_other(db, business, 4))
    # The same conversation by another person: only names, numbers and emails differ.
    converse(business, booking_script(name="Lucas Gómez", phone_text="11 4400-0005",
                                      dni="30.111.222", email="lucas5@correo.test"),
             contact=_other(db, business, 5))
    report = intake.run()
    assert report.outcomes == {"too_short": 1, "ingested": 1, "duplicate": 1}
    outcomes = {row.outcome for row in db.exec(select(CorpusIntake))}
    assert outcomes == {"too_short", "ingested", "duplicate"}


def test_a_record_with_residual_pii_is_quarantined_without_its_transcript(
        business: Tenant, converse: Maker, settings: Settings, engine: Engine,
        db: Session, redactors: tuple[Redactor, Redactor]) -> None:
    # A first pass that misses what the stricter second pass still finds.
    lax = Intake(settings, engine, redactor=Redactor(score_threshold=0.99),
                 strict=redactors[1], clock=lambda: LATER)
    converse(business, booking_script(), contact=_other(db, business, 6))
    assert lax.run().outcomes == {"quarantined": 1}
    record = _records(db)[0]
    assert record.status == RecordStatus.quarantined
    assert record.messages == [] and "PERSON" in record.residual_types


def test_a_separate_corpus_database_holds_the_records_and_erasure_reaches_it(
        business: Tenant, converse: Maker, engine: Engine, db: Session, settings: Settings,
        redactors: tuple[Redactor, Redactor], tmp_path: object) -> None:
    separate = settings.model_copy(update={"corpus_url": f"sqlite:///{tmp_path}/corpus.db"})
    intake = Intake(separate, engine, redactor=redactors[0], strict=redactors[1],
                    clock=lambda: LATER)
    conversation = converse(business, booking_script())
    assert intake.run().outcomes == {"ingested": 1}
    assert _records(db) == []  # nothing in the CRM database
    with Session(intake.corpus) as cdb:
        assert len(cdb.exec(select(CorpusRecord)).all()) == 1
    assert erase_contact(db, conversation.contact_id, settings=separate) == 1
    with Session(intake.corpus) as cdb:
        assert cdb.exec(select(CorpusRecord)).all() == []


def test_audit_events_chain_their_hashes(db: Session) -> None:
    from crm.services.audit import event_digest, record_event

    first = record_event(db, action="corpus.export", actor_kind="cli",
                         resource_type="corpus_export", details={"records": 3})
    second = record_event(db, action="corpus.export", actor_kind="cli",
                          resource_type="corpus_export", details={"records": 4})
    db.commit()
    assert first.prev_hash == "" and second.prev_hash == first.hash
    assert second.hash == event_digest(first.hash, second)


def test_an_objection_survives_a_contact_merge(business: Tenant, db: Session) -> None:
    from crm.services.contacts import merge_contacts
    from crm.services.training import has_objected

    known = make_contact(db, business, name="Lucas Gómez", phone="+541144000007")
    anonymous = make_contact(db, business)
    set_training_objection(db, contact=anonymous, source="chat")
    db.commit()
    merged = merge_contacts(db, keep=known, drop=anonymous)  # proven one person (a code, staff)
    db.commit()
    assert merged.id == known.id and has_objected(db, contact_id=known.id)


def test_a_business_can_restrict_the_identifiers_to_its_countries(
        business: Tenant, converse: Maker, intake: Intake, db: Session) -> None:
    """Every country by default (a Mexican customer of an Argentine shop is redacted); a
    business that keeps only AR loses the CURP recognizer, and the shape check holds the
    record back instead of letting the CURP through."""
    curp = "GAVS741228MTSHJK16"
    script = [{"role": "user", "text": "Hola, quiero turno"},
              {"role": "assistant", "text": "¡Hola! ¿Para qué día?"},
              {"role": "user", "text": f"Para el martes, mi CURP es {curp}"},
              {"role": "assistant", "text": "Anotado."}]
    converse(business, script)
    assert intake.run().outcomes == {"ingested": 1}
    record = db.exec(select(CorpusRecord)).one()
    assert curp not in str(record.messages)
    enable_training(db, tenant=business, redaction_countries=["AR"])
    db.commit()
    converse(business, script, contact=_other(db, business, 7))
    fresh = Intake(intake.settings, intake.engine, clock=lambda: LATER)
    assert fresh.run().outcomes == {"quarantined": 1}
    db.commit()
    held = db.exec(select(CorpusRecord).where(
        CorpusRecord.status == RecordStatus.quarantined)).one()
    assert "DIGIT_RUN" in held.residual_types and held.messages == []
