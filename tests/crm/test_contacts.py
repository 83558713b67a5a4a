"""Identity levels: a typed phone or email is a claim that never joins two contacts; a value
a channel vouches for (or a code proves) takes over what was booked under it."""

from __future__ import annotations

from datetime import date, time

from sqlmodel import Session, select

from crm.models import (
    Appointment,
    Channel,
    ChannelIdentity,
    Contact,
    Conversation,
    Lead,
    LeadSource,
    Tenant,
)
from crm.services import booking
from crm.services.contacts import (
    contact_for_identity,
    link_verified,
    merge_contacts,
    rectify_contact,
    shared_values,
    update_contact_details,
)
from crm.services.conversations import open_conversation
from tests.conftest import NOW
from tests.factories import make_contact, make_tenant

ANA_PHONE = "+541144445555"


def _web(db: Session, tenant: Tenant, session: str) -> Contact:
    contact = contact_for_identity(db, tenant=tenant, channel="web", external_id=session)
    open_conversation(db, tenant=tenant, contact=contact, channel=Channel.web,
                      external_id=session)
    db.commit()
    return contact


def _ana_with_a_booking(db: Session, tenant: Tenant) -> Contact:
    ana = _web(db, tenant, "session-ana")
    update_contact_details(db, tenant=tenant, contact=ana, name="Ana Gómez",
                           phone="11 4444-5555")
    booking.book(db, tenant=tenant, contact=ana, service_name="Consulta general",
                 day=date(2026, 11, 25), at=time(10), now=NOW)
    db.add(Lead(tenant_id=tenant.id, contact_id=ana.id, source=LeadSource.web))
    db.commit()
    return ana


# --- claims ------------------------------------------------------------------------------

def test_a_phone_another_contact_holds_is_kept_as_a_claim_and_never_merges(db: Session) -> None:
    tenant = make_tenant(db)
    ana = _ana_with_a_booking(db, tenant)
    pedro = _web(db, tenant, "session-pedro")
    kept = update_contact_details(db, tenant=tenant, contact=pedro, name="Pedro Ruiz",
                                  phone="11 4444-5555")
    db.commit()
    assert kept.id == pedro.id
    assert (kept.name, kept.phone, kept.claimed_phone) == ("Pedro Ruiz", None, ANA_PHONE)
    assert kept.contact_phone == ANA_PHONE  # still how to reach him, and booking works
    db.refresh(ana)
    assert (ana.name, ana.phone) == ("Ana Gómez", ANA_PHONE)
    assert {a.contact_id for a in db.exec(select(Appointment))} == {ana.id}
    assert {c.contact_id for c in db.exec(select(Conversation))} == {ana.id, pedro.id}


def test_an_email_another_contact_holds_is_a_claim_too(db: Session) -> None:
    tenant = make_tenant(db)
    make_contact(db, tenant, name="Ana", email="ana@correo.test")
    pedro = _web(db, tenant, "session-pedro")
    update_contact_details(db, tenant=tenant, contact=pedro, email="ANA@correo.test")
    db.commit()
    assert (pedro.email, pedro.claimed_email) == (None, "ana@correo.test")


def test_a_value_nobody_holds_becomes_the_contacts_own_unverified(db: Session) -> None:
    tenant = make_tenant(db)
    pedro = _web(db, tenant, "session-pedro")
    update_contact_details(db, tenant=tenant, contact=pedro, phone="11 4444-5555")
    update_contact_details(db, tenant=tenant, contact=pedro, phone="11 4444-6666")
    db.commit()
    assert (pedro.phone, pedro.phone_verified, pedro.claimed_phone) == (
        "+541144446666", False, None)


def test_a_verified_phone_is_never_replaced_by_a_typed_one(db: Session) -> None:
    tenant = make_tenant(db)
    wa = contact_for_identity(db, tenant=tenant, channel="whatsapp",
                              external_id="5491144445555", phone="5491144445555")
    update_contact_details(db, tenant=tenant, contact=wa, phone="11 4444-6666")
    db.commit()
    assert (wa.phone, wa.phone_verified, wa.claimed_phone) == (
        "+5491144445555", True, "+541144446666")


def test_booking_works_with_a_claimed_phone(db: Session) -> None:
    tenant = make_tenant(db)
    _ana_with_a_booking(db, tenant)
    pedro = _web(db, tenant, "session-pedro")
    update_contact_details(db, tenant=tenant, contact=pedro, name="Pedro Ruiz",
                           phone="11 4444-5555")
    appointment = booking.book(db, tenant=tenant, contact=pedro,
                               service_name="Limpieza dental", day=date(2026, 11, 26),
                               at=time(11), now=NOW)
    db.commit()
    assert appointment.contact_id == pedro.id


# --- verified channels ---------------------------------------------------------------

def test_whatsapp_reuses_a_contact_whose_phone_it_verified(db: Session) -> None:
    tenant = make_tenant(db)
    first = contact_for_identity(db, tenant=tenant, channel="whatsapp",
                                 external_id="5491144445555", phone="5491144445555")
    db.commit()
    again = contact_for_identity(db, tenant=tenant, channel="instagram", external_id="igsid-1",
                                 phone="5491144445555")
    assert again.id == first.id and first.phone_verified


def test_whatsapp_takes_over_a_phone_that_was_only_claimed_in_a_chat(db: Session) -> None:
    tenant = make_tenant(db)
    # A web visitor typed the number first (an impostor or the owner, nobody knows yet).
    claimant = _web(db, tenant, "session-claimant")
    update_contact_details(db, tenant=tenant, contact=claimant, name="Quien Sea",
                           phone="+5491144445555")
    booking.book(db, tenant=tenant, contact=claimant, service_name="Consulta general",
                 day=date(2026, 11, 25), at=time(10), now=NOW)
    db.commit()
    owner = contact_for_identity(db, tenant=tenant, channel="whatsapp",
                                 external_id="5491144445555", phone="5491144445555")
    db.commit()
    db.refresh(claimant)
    assert owner.id != claimant.id
    assert (owner.phone, owner.phone_verified) == ("+5491144445555", True)
    # What was booked under the number follows its verified holder...
    assert [a.contact_id for a in db.exec(select(Appointment))] == [owner.id]
    # ...and the chat that only claimed it keeps its conversation, not the number.
    assert (claimant.phone, claimant.claimed_phone) == (None, "+5491144445555")
    assert db.exec(select(Conversation.contact_id)).all() == [claimant.id]
    identities = {i.channel: i.contact_id for i in db.exec(select(ChannelIdentity))}
    assert identities == {"web": claimant.id, "whatsapp": owner.id}


# --- proofs and staff ------------------------------------------------------------------

def test_proving_a_verified_holders_phone_merges_the_chat_into_it(db: Session) -> None:
    tenant = make_tenant(db)
    owner = contact_for_identity(db, tenant=tenant, channel="whatsapp",
                                 external_id="5491144445555", phone="5491144445555")
    owner.name = "Ana Gómez"
    chat = _web(db, tenant, "session-chat")
    update_contact_details(db, tenant=tenant, contact=chat, name="Ani",
                           phone="+5491144445555")
    db.commit()
    linked = link_verified(db, prover=chat, field="phone", value="+5491144445555")
    db.commit()
    assert linked.id == owner.id and linked.name == "Ana Gómez"
    assert db.get(Contact, chat.id) is None
    assert {c.contact_id for c in db.exec(select(Conversation))} == {owner.id}
    assert linked.claimed_phone is None


def test_proving_a_phone_only_claimed_by_another_chat_takes_it_over(db: Session) -> None:
    tenant = make_tenant(db)
    ana = _ana_with_a_booking(db, tenant)
    pedro = _web(db, tenant, "session-pedro")
    update_contact_details(db, tenant=tenant, contact=pedro, name="Pedro Ruiz",
                           phone="11 4444-5555")
    db.commit()
    linked = link_verified(db, prover=pedro, field="phone", value=ANA_PHONE)
    db.commit()
    db.refresh(ana)
    assert linked.id == pedro.id and (pedro.phone, pedro.phone_verified) == (ANA_PHONE, True)
    assert [a.contact_id for a in db.exec(select(Appointment))] == [pedro.id]
    assert (ana.phone, ana.claimed_phone, ana.name) == (None, ANA_PHONE, "Ana Gómez")


def test_staff_see_contacts_sharing_a_phone_both_ways(db: Session) -> None:
    tenant = make_tenant(db)
    ana = _ana_with_a_booking(db, tenant)
    pedro = _web(db, tenant, "session-pedro")
    update_contact_details(db, tenant=tenant, contact=pedro, phone="11 4444-5555")
    db.commit()
    assert [(f, c.id) for f, c in shared_values(db, contact=pedro)] == [("phone", ana.id)]
    assert [(f, c.id) for f, c in shared_values(db, contact=ana)] == [("phone", pedro.id)]


def test_a_merge_keeps_the_survivors_values_and_drops_a_claim_it_now_holds(
        db: Session) -> None:
    tenant = make_tenant(db)
    ana = _ana_with_a_booking(db, tenant)
    pedro = _web(db, tenant, "session-pedro")
    update_contact_details(db, tenant=tenant, contact=pedro, name="Pedro", phone="11 4444-5555",
                           email="pedro@correo.test")
    db.commit()
    kept = merge_contacts(db, keep=ana, drop=pedro)
    db.commit()
    assert (kept.name, kept.phone, kept.email, kept.claimed_phone) == (
        "Ana Gómez", ANA_PHONE, "pedro@correo.test", None)


def test_a_rectified_phone_is_no_longer_verified(db: Session) -> None:
    tenant = make_tenant(db)
    wa = contact_for_identity(db, tenant=tenant, channel="whatsapp",
                              external_id="5491144445555", phone="5491144445555")
    db.commit()
    assert rectify_contact(db, tenant=tenant, contact=wa, phone="11 4444-6666") == ["phone"]
    assert wa.phone_verified is False
