"""Erasures survive a backup restore: the ledger keeps the tombstones, `reapply_erasures`
finds the restored person by their keyed hashes and erases them again. (The restore of a
real dump, SQLite and PostgreSQL, is the end of the end-to-end test in test_erasure.py.)"""

from __future__ import annotations

import dataclasses
from datetime import timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from channels.receiver import receive
from crm.crypto import box_for
from crm.models import (
    ChannelKind,
    Contact,
    ErasureTombstone,
    LeadAdIntake,
    SubjectKind,
    WebhookEvent,
)
from crm.services.connections import create_connection
from crm.settings import Settings
from privacy.context import PrivacyContext
from privacy.erasure import erase_contacts
from privacy.locate import Subject
from privacy.tombstones import read_tombstones, reapply_erasures
from tests.channels.conftest import APP_SECRET, VERIFY, WA_PHONE_ID, WA_TOKEN
from tests.channels.payloads import signed
from tests.conftest import NOW
from tests.factories import make_contact, make_demo
from tests.privacy.conftest import PHONE, Person
from tests.privacy.everywhere import OTHER, PERSON, scan_database, wa_batch


def test_a_person_who_comes_back_after_the_erasure_day_is_left_alone(
        privacy_ctx: PrivacyContext, person: Person, db: Session) -> None:
    ctx = dataclasses.replace(privacy_ctx, clock=lambda: NOW)
    erase_contacts(ctx, tenant_id=person.tenant.id, contact_ids=[person.contact.id],
                   request_id="r-1")
    returning = make_contact(db, person.tenant, phone=PHONE,
                             created_at=NOW + timedelta(days=1))
    report = reapply_erasures(ctx, actor_kind="system")
    assert report.contacts_erased == 0
    db.expire_all()
    assert db.get(Contact, returning.id) is not None
    returning.created_at = NOW  # the same day as the erasure: taken for a restored row
    db.add(returning)
    db.commit()
    assert reapply_erasures(ctx).contacts_erased == 1


def test_raw_webhooks_and_form_answers_of_an_erased_phone_go_again(
        privacy_settings: Settings, engine: Engine, db: Session) -> None:
    """No contact had the phone: what comes back is a raw body and a Lead Ads answer."""
    settings = privacy_settings.model_copy(update={"meta_app_secret": None})
    ctx = PrivacyContext.build(settings, engine)
    tenant = make_demo(db)
    create_connection(db, box=box_for(settings), tenant=tenant, kind=ChannelKind.whatsapp,
                      account_id=WA_PHONE_ID, access_token=WA_TOKEN, verify_token=VERIFY,
                      app_secret=APP_SECRET)
    db.commit()
    erase_contacts(ctx, tenant_id=tenant.id, contact_ids=[], request_id="r-phone",
                   identifiers=Subject(SubjectKind.phone, PERSON.phone).identifiers())
    # "restored": the raw body and a form's answers of that phone are in the database again
    raw, headers = signed(wa_batch((PERSON, "wamid.r.1", "Hola")), APP_SECRET)
    stored = receive(db, settings=settings, box=box_for(settings), body=raw,
                     signature=headers["X-Hub-Signature-256"])
    db.add(LeadAdIntake(tenant_id=tenant.id, leadgen_id="lg-r-1", page_id="p",
                        answers={"full_name": PERSON.name, "phone_number": PERSON.typed}))
    db.add(LeadAdIntake(tenant_id=tenant.id, leadgen_id="lg-r-2", page_id="p",
                        answers={"full_name": OTHER.name, "phone_number": OTHER.typed}))
    db.commit()
    report = reapply_erasures(ctx)
    assert report.identifiers_erased >= 1 and report.contacts_erased == 0
    db.expire_all()
    assert db.get(WebhookEvent, stored.event_id) is None
    assert [i.leadgen_id for i in db.exec(select(LeadAdIntake))] == ["lg-r-2"]
    assert scan_database(engine, PERSON.needles()) == []


def test_tombstones_the_ledger_lacks_are_copied_to_it(privacy_ctx: PrivacyContext,
                                                      person: Person, db: Session) -> None:
    """A ledger lost or created later gets the CRM database's tombstones back."""
    erase_contacts(privacy_ctx, tenant_id=person.tenant.id, contact_ids=[person.contact.id],
                   request_id="r-1")
    with Session(privacy_ctx.ledger) as ledger:
        for row in ledger.exec(select(ErasureTombstone)):
            ledger.delete(row)
        ledger.commit()
    report = reapply_erasures(privacy_ctx)
    assert report.copied_to_ledger == len(read_tombstones(privacy_ctx.engine)) > 0
    assert {t.key for t in read_tombstones(privacy_ctx.ledger)} == {
        t.key for t in read_tombstones(privacy_ctx.engine)}
