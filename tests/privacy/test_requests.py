"""The request lifecycle: accept (validate, normalize, encrypt, deadline), locate, run each
type, fail and retry, run the due ones."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta

import pytest
from sqlmodel import Session, select

from crm.models import (
    AuditEvent,
    ChannelIdentity,
    ConsentPurpose,
    Contact,
    ContactPreference,
    CorpusRecord,
    PrivacyRequest,
    RequestStatus,
    RequestType,
    SubjectKind,
    TenantPrivacySettings,
)
from crm.services.privacy import consents_of, flag_minor, processing_block
from privacy.context import PrivacyContext
from privacy.errors import InvalidPrivacyRequest, InvalidSubject
from privacy.locate import Subject, locate
from privacy.requests import (
    MAX_ATTEMPTS,
    cancel_request,
    create_request,
    process_due,
    run_request,
)
from tests.conftest import NOW
from tests.factories import make_contact, make_tenant
from tests.privacy.conftest import (
    EMAIL,
    OTHER_PHONE,
    PHONE,
    WA_ID,
    Person,
    add_corpus_records,
    fresh,
)


def _create(db: Session, ctx: PrivacyContext, person: Person, type: str,
            subject: Mapping[str, object], **kwargs: object) -> PrivacyRequest:
    request = create_request(db, box=ctx.box, tenant=person.tenant, type=type, subject=subject,
                             source="api", requested_by="u1", now=NOW, **kwargs)  # type: ignore[arg-type]
    db.commit()
    return request


def test_a_request_is_stored_normalized_encrypted_masked_and_with_its_deadline(
        db: Session, privacy_ctx: PrivacyContext, person: Person) -> None:
    db.add(TenantPrivacySettings(tenant_id=person.tenant.id, erasure_deadline_hours=48,
                                 request_deadline_days=5))
    db.commit()
    erase = _create(db, privacy_ctx, person, "erase", {"phone": "+54 9 11 6123-4567"})
    access = _create(db, privacy_ctx, person, "access", {"email": " Valentina.Rios@Correo.TEST "})
    assert erase.subject_kind == SubjectKind.phone and erase.status == RequestStatus.pending
    assert privacy_ctx.box.decrypt(erase.subject_enc or "") == PHONE
    assert privacy_ctx.box.decrypt(access.subject_enc or "") == EMAIL
    assert PHONE not in (erase.subject_enc or "") and erase.subject_hint == "+54911****4567"
    assert access.subject_hint == "v***@correo.test"
    assert erase.contact_ids == access.contact_ids == [person.contact.id]
    assert erase.due_at == NOW and erase.deadline_at == NOW + timedelta(hours=48)
    assert access.deadline_at == NOW + timedelta(days=5)


BAD: list[tuple[str, dict[str, object], dict[str, object], type[Exception]]] = [
    ("delete", {"phone": PHONE}, {}, InvalidPrivacyRequest),
    ("access", {}, {}, InvalidSubject),
    ("access", {"phone": PHONE, "email": EMAIL}, {}, InvalidSubject),
    ("access", {"phone": "12"}, {}, InvalidSubject),
    ("access", {"email": "valentina@"}, {}, InvalidSubject),
    ("access", {"name": "Valentina"}, {}, InvalidSubject),
    ("access", {"contact_id": "0" * 32}, {}, InvalidPrivacyRequest),
    ("access", {"phone": PHONE}, {"options": {"purpose": "training"}}, InvalidPrivacyRequest),
    ("access", {"phone": PHONE}, {"fields": {"name": "X"}}, InvalidPrivacyRequest),
    ("rectify", {"phone": PHONE}, {}, InvalidPrivacyRequest),
    ("rectify", {"phone": PHONE}, {"fields": {"phone": "12"}}, InvalidSubject),
    ("rectify", {"phone": PHONE}, {"fields": {"dni": "30111222"}}, InvalidPrivacyRequest),
    ("withdraw-consent", {"phone": PHONE}, {}, InvalidPrivacyRequest),
    ("withdraw-consent", {"phone": PHONE}, {"options": {"purpose": "ads"}},
     InvalidPrivacyRequest),
]


def test_bad_requests_are_refused_without_repeating_the_values(
        db: Session, privacy_ctx: PrivacyContext, person: Person) -> None:
    for type_, subject, extra, error in BAD:
        with pytest.raises(error) as caught:
            _create(db, privacy_ctx, person, type_, subject, **extra)
        db.rollback()
        fields = extra.get("fields") or {}
        assert isinstance(fields, dict)
        for value in (*subject.values(), *fields.values()):
            assert str(value) not in str(caught.value), (type_, subject, extra)
    assert db.exec(select(PrivacyRequest)).all() == []


def test_a_phone_finds_the_contact_and_whatsapp_identities_in_both_argentine_forms(
        db: Session, person: Person) -> None:
    # A WhatsApp-only contact (no phone stored) whose wa_id is the number's digits.
    wa_only = make_contact(db, person.tenant, name="Sin teléfono")
    db.add(ChannelIdentity(tenant_id=person.tenant.id, contact_id=wa_only.id,
                           channel="whatsapp", external_id="5491199998888"))
    db.commit()
    found = locate(db, tenant_id=person.tenant.id,
                   subject=Subject(SubjectKind.phone, "+541199998888"))
    assert [c.id for c in found] == [wa_only.id]
    by_phone = locate(db, tenant_id=person.tenant.id, subject=Subject(SubjectKind.phone, PHONE))
    assert [c.id for c in by_phone] == [person.contact.id]
    elsewhere = make_tenant(db)
    assert locate(db, tenant_id=elsewhere.id, subject=Subject(SubjectKind.phone, PHONE)) == []
    assert locate(db, tenant_id=elsewhere.id,
                  subject=Subject(SubjectKind.contact_id, person.contact.id)) == []


def test_access_completes_once_opens_the_download_window_and_forgets_the_locator(
        db: Session, privacy_ctx: PrivacyContext, person: Person) -> None:
    request = _create(db, privacy_ctx, person, "access", {"phone": WA_ID})
    done = run_request(privacy_ctx, request.id, now=NOW)
    assert done.status == RequestStatus.completed and done.attempts == 1
    assert done.subject_enc is None and done.params_enc is None
    assert done.download_until == NOW + timedelta(
        days=privacy_ctx.settings.privacy_download_days)
    assert done.result == {"subject_found": True, "contacts": 1, "channel_identities": 2,
                           "leads": 1, "appointments": 1, "conversations": 2, "messages": 6,
                           "consents": 0, "preferences": 0, "privacy_requests": 1}
    again = run_request(privacy_ctx, request.id)
    assert again.attempts == 1 and again.completed_at == done.completed_at
    events = db.exec(select(AuditEvent).where(AuditEvent.action == "privacy.access")).all()
    assert len(events) == 1 and events[0].actor_kind == "system"
    assert events[0].resource_ids == [request.id, person.contact.id]


def test_restrict_object_and_withdrawals_change_preferences_and_remove_corpus_records(
        db: Session, privacy_ctx: PrivacyContext, person: Person) -> None:
    add_corpus_records(db, privacy_ctx.settings, person)
    subject = {"contact_id": person.contact.id}
    restricted = run_request(privacy_ctx, _create(db, privacy_ctx, person, "restrict",
                                                  subject).id)
    assert restricted.result["corpus_records"] == 2
    fresh(db)
    assert processing_block(db, contact_id=person.contact.id) == "restricted"
    assert len(db.exec(select(CorpusRecord)).all()) == 1  # the other person's
    lifted = run_request(privacy_ctx, _create(db, privacy_ctx, person, "restrict", subject,
                                              options={"lift": True}).id)
    assert lifted.result == {"subject_found": True, "contacts": 1, "lifted": True}
    fresh(db)
    assert processing_block(db, contact_id=person.contact.id) is None
    pref = db.get(ContactPreference, person.contact.id)
    assert pref is not None and pref.objected_to_training  # a restriction's objection stays
    marketing = run_request(privacy_ctx, _create(
        db, privacy_ctx, person, "withdraw-consent", {"email": EMAIL},
        options={"purpose": "marketing"}).id)
    assert marketing.status == RequestStatus.completed and "corpus_records" not in marketing.result
    fresh(db)
    consents = {c.purpose: c.granted for c in consents_of(db, contact_id=person.contact.id)}
    assert consents == {ConsentPurpose.marketing: False}
    objected = run_request(privacy_ctx, _create(db, privacy_ctx, person, "object",
                                                {"contact_id": person.other.id}).id)
    assert objected.result["corpus_records"] == 1
    assert db.exec(select(CorpusRecord)).all() == []


def test_rectify_overwrites_and_a_conflict_fails_then_retries_until_it_gives_up(
        db: Session, privacy_ctx: PrivacyContext, person: Person) -> None:
    fixed = run_request(privacy_ctx, _create(
        db, privacy_ctx, person, "rectify", {"phone": PHONE},
        fields={"name": "Valentina Ríos Paz", "email": ""}).id)
    assert fixed.result["fields"] == ["email", "name"] and fixed.options == {
        "fields": ["email", "name"]}
    fresh(db)
    contact = db.get(Contact, person.contact.id)
    assert contact is not None and contact.email is None and contact.name == "Valentina Ríos Paz"
    clash = _create(db, privacy_ctx, person, "rectify", {"contact_id": person.contact.id},
                    fields={"phone": OTHER_PHONE})
    failed = run_request(privacy_ctx, clash.id, now=NOW)
    assert (failed.status, failed.error, failed.attempts) == (RequestStatus.failed, "Conflict", 1)
    assert failed.params_enc is not None and failed.due_at > NOW  # kept for the retry
    assert process_due(privacy_ctx, now=NOW) == 0  # not yet: it backs off
    later = NOW + timedelta(days=1)
    for attempt in range(2, MAX_ATTEMPTS + 1):
        assert process_due(privacy_ctx, now=later + timedelta(days=attempt)) == 1
    assert process_due(privacy_ctx, now=later + timedelta(days=30)) == 0
    fresh(db)
    gave_up = db.get(PrivacyRequest, clash.id)
    assert gave_up is not None and gave_up.attempts == MAX_ATTEMPTS
    assert gave_up.subject_enc is None and gave_up.params_enc is None
    failures = [e for e in db.exec(select(AuditEvent).where(
        AuditEvent.action == "privacy.rectify")) if e.details["status"] == "failed"]
    assert len(failures) == MAX_ATTEMPTS
    assert OTHER_PHONE not in str([e.details for e in failures])


def test_process_due_runs_a_minor_erasure_only_after_the_review_and_cancel_clears_the_flag(
        db: Session, privacy_ctx: PrivacyContext, person: Person) -> None:
    queued = flag_minor(db, box=privacy_ctx.box, contact=person.other,
                        conversation=person.other_conversation, now=NOW)
    access = _create(db, privacy_ctx, person, "access", {"phone": PHONE})
    db.commit()
    assert process_due(privacy_ctx, now=NOW) == 1  # the access; the erasure is not due yet
    fresh(db)
    assert db.get(PrivacyRequest, access.id).status == RequestStatus.completed  # type: ignore[union-attr]
    assert db.get(PrivacyRequest, queued.id).status == RequestStatus.pending  # type: ignore[union-attr]
    cancelled = cancel_request(db, tenant_id=person.tenant.id, request_id=queued.id)
    db.commit()
    assert cancelled.status == RequestStatus.cancelled and cancelled.subject_enc is None
    assert processing_block(db, contact_id=person.other.id) is None
    assert process_due(privacy_ctx, now=NOW + timedelta(days=3)) == 0
    assert run_request(privacy_ctx, queued.id).status == RequestStatus.cancelled


def test_erase_removes_the_person_and_tombstones_an_identifier_nobody_had(
        db: Session, privacy_ctx: PrivacyContext, person: Person) -> None:
    from crm.models import ErasureTombstone

    contact_id, other_id = person.contact.id, person.other.id
    erased = run_request(privacy_ctx, _create(db, privacy_ctx, person, "erase",
                                              {"phone": PHONE}).id)
    assert erased.status == RequestStatus.completed, erased.error
    assert erased.subject_hint == "[borrado]" and erased.subject_enc is None
    assert erased.result["contacts"] == 1 and erased.result["subject_found"] is True
    fresh(db)
    assert db.get(Contact, contact_id) is None
    assert db.get(Contact, other_id) is not None
    nobody = run_request(privacy_ctx, _create(db, privacy_ctx, person, "erase",
                                              {"email": "nadie@correo.test"}).id)
    assert nobody.status == RequestStatus.completed and nobody.result["subject_found"] is False
    assert nobody.result["tombstones"] >= 1 and nobody.subject_hint == "[borrado]"
    assert db.exec(select(ErasureTombstone).where(
        ErasureTombstone.request_id == nobody.id)).all()
    assert RequestType.erase.value in {e.details["type"] for e in db.exec(
        select(AuditEvent).where(AuditEvent.action == "privacy.erase"))}
