"""Meta Lead Ads intake: retries of a failed fetch, contact dedup, seller rotation."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from crm.models import (
    ChannelKind,
    Contact,
    IntakeState,
    Lead,
    LeadAdIntake,
    LeadSource,
    Role,
    Tenant,
    User,
)
from crm.settings import Settings
from tests.channels.conftest import Poster, connect
from tests.channels.payloads import leadgen
from tests.factories import make_contact, make_user
from tests.support.graph_standin import GraphStandIn

PAGE = "5550001"


def _intakes(db: Session) -> list[LeadAdIntake]:
    db.commit()
    return list(db.exec(select(LeadAdIntake)))


def test_a_failed_fetch_is_retried_with_backoff_not_lost(
        meta: Poster, db: Session, demo: Tenant, graph: GraphStandIn,
        channel_settings: Settings) -> None:
    connect(db, channel_settings, demo, ChannelKind.lead_ads, PAGE)
    graph.add_lead("910001", {"full_name": "Bruno Díaz", "email": "bruno@example.test"})
    graph.fail(500, 500, 500, 500)  # the first fetch (1 + 3 retries) fails
    assert meta.post(leadgen(PAGE, "910001")).status_code == 200
    meta.drain()  # waits for the scheduled retry too
    [intake] = _intakes(db)
    assert intake.state == IntakeState.registrado and intake.attempts == 1
    assert intake.last_error is None and intake.lead_id is not None
    assert len([r for r in graph.requests if r.method == "GET"]) == 5


def test_a_fetch_that_keeps_failing_ends_in_error_with_its_count(
        meta: Poster, db: Session, demo: Tenant, graph: GraphStandIn,
        channel_settings: Settings) -> None:
    connect(db, channel_settings, demo, ChannelKind.lead_ads, PAGE)
    # no lead served: 404 is a refusal, not retried within a fetch, but the intake is
    meta.post(leadgen(PAGE, "910002"))
    meta.drain()
    [intake] = _intakes(db)
    assert intake.state == IntakeState.error
    assert intake.attempts == channel_settings.lead_fetch_max_attempts
    assert intake.last_error == "100" and intake.next_attempt_at is None
    assert db.exec(select(Lead)).all() == []


def test_re_driving_errored_intakes_registers_them(
        meta: Poster, db: Session, demo: Tenant, graph: GraphStandIn,
        channel_settings: Settings) -> None:
    from channels.lead_ads import retry_due_intakes

    connect(db, channel_settings, demo, ChannelKind.lead_ads, PAGE)
    meta.post(leadgen(PAGE, "910003"))
    meta.drain()
    graph.add_lead("910003", {"full_name": "Carla Ruiz", "phone_number": "11 4444-3322"})
    ctx = meta.client.app.state.processor.ctx  # type: ignore[attr-defined]
    assert retry_due_intakes(ctx) == (0, 0)  # attempts used up: only by hand
    assert retry_due_intakes(ctx, include_exhausted=True) == (1, 1)
    [intake] = _intakes(db)
    assert intake.state == IntakeState.registrado


@pytest.mark.chaos  # two intakes at once, beside a busy loop
def test_a_known_phone_or_email_updates_the_contact_and_its_open_lead(
        meta: Poster, db: Session, demo: Tenant, graph: GraphStandIn,
        channel_settings: Settings) -> None:
    connect(db, channel_settings, demo, ChannelKind.lead_ads, PAGE)
    known = make_contact(db, demo, name="Ana", phone="+5491155551234")
    db.add(Lead(tenant_id=demo.id, contact_id=known.id, source=LeadSource.whatsapp))
    db.commit()
    graph.add_lead("920001", {"full_name": "Ana María López", "phone_number": "011 15 5555-1234",
                              "email": "ana@example.test"})
    graph.add_lead("920002", {"full_name": "Ana López", "email": "ANA@example.test"})
    meta.post(leadgen(PAGE, "920001"))
    meta.post(leadgen(PAGE, "920002"))
    meta.drain()
    db.commit()
    db.expire_all()  # `known` was loaded by this session before the intake changed it
    [contact] = db.exec(select(Contact)).all()
    assert (contact.name, contact.email) == ("Ana", "ana@example.test")
    [lead] = db.exec(select(Lead)).all()
    assert lead.source == LeadSource.whatsapp and "leadgen 920001" in (lead.notes or "")
    assert {i.state for i in _intakes(db)} == {IntakeState.registrado}


@pytest.mark.chaos  # two intakes at once, beside a busy loop
def test_leads_rotate_among_the_connections_sellers(
        meta: Poster, db: Session, demo: Tenant, graph: GraphStandIn,
        channel_settings: Settings) -> None:
    extra = make_user(db, demo, role=Role.seller, email="zoe@clinica-demo.test")
    connect(db, channel_settings, demo, ChannelKind.lead_ads, PAGE,
            seller_emails=["lucia@clinica-demo.test", "zoe@clinica-demo.test"])
    for n in range(4):
        graph.add_lead(f"93000{n}", {"full_name": f"Persona {n}",
                                     "email": f"p{n}@example.test"})
        meta.post(leadgen(PAGE, f"93000{n}"))
    meta.drain()
    db.commit()
    emails = {u.id: u.email for u in db.exec(select(User))}
    assigned = sorted(emails[lead.assigned_to or ""] for lead in db.exec(select(Lead)))
    assert assigned == ["lucia@clinica-demo.test"] * 2 + ["zoe@clinica-demo.test"] * 2
    assert extra.email in assigned
