"""Retention: rows seeded at chosen ages in two businesses with different policies; a dry
run changes nothing, a run removes exactly what expired, a second run finds nothing, every
run is audited per business; the CLI and the staff API of the policy."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, select
from typer.testing import CliRunner

from api.app import create_app
from api.cli import app as cli
from crm.models import (
    Appointment,
    AuditEvent,
    Channel,
    ChannelIdentity,
    ConsentPurpose,
    Contact,
    ContactConsent,
    ContactPreference,
    Conversation,
    CorpusRecord,
    ErasureTombstone,
    ExpiredContactAction,
    InboundKey,
    IntakeState,
    Lead,
    LeadAdIntake,
    LeadSource,
    Message,
    MessageRole,
    PrivacyRequest,
    Role,
    Service,
    Tenant,
    TenantPrivacySettings,
    WebhookEvent,
    WebhookStatus,
    utcnow,
)
from crm.settings import Settings, get_settings
from privacy.context import PrivacyContext
from privacy.retention import RetentionReport, last_activity, run_retention
from tests.conftest import NOW
from tests.factories import make_tenant, make_token, make_user
from training_data.keys import corpus_keys

DAY = timedelta(days=1)
NAMES = ("Rocío Benítez", "Tomás Aguirre", "Julieta Ferreyra", "Nahuel Paz", "Carla Ledesma",
         "Bruno Acosta", "Ailén Medina", "Facundo Ojeda", "Milagros Sosa")


@dataclass
class World:
    a: Tenant   # default policy: conversations 180 d, contacts 730 d (anonymize), raw 30 d
    b: Tenant   # delete; conversations 30 d, contacts 365 d, raw 7 d
    ids: dict[str, str]


class Seeder:
    def __init__(self, db: Session, settings: Settings, now: datetime = NOW) -> None:
        self.db, self.settings, self.now, self.n = db, settings, now, 0

    def contact(self, tenant: Tenant, age: timedelta, **extra: Any) -> Contact:
        self.n += 1
        at = self.now - age
        contact = Contact(tenant_id=tenant.id, name=NAMES[self.n % len(NAMES)],
                          phone=f"+54911500{self.n:05d}", email=f"persona{self.n}@correo.test",
                          created_at=at, updated_at=at, **extra)
        self.db.add(contact)
        self.db.flush()
        self.db.add(ChannelIdentity(tenant_id=tenant.id, contact_id=contact.id, channel="web",
                                    external_id=f"web-ses-{self.n}"))
        self.db.flush()
        return contact

    def conversation(self, contact: Contact, age: timedelta, *, closed: bool = False,
                     channel: Channel = Channel.web) -> Conversation:
        self.n += 1
        at = self.now - age
        conversation = Conversation(tenant_id=contact.tenant_id, contact_id=contact.id,
                                    channel=channel, external_id=f"thread-{self.n}",
                                    created_at=at - DAY, last_message_at=at,
                                    status="cerrada" if closed else "abierta")
        self.db.add(conversation)
        self.db.flush()
        for role, text in ((MessageRole.user, "Hola, quiero un turno"),
                           (MessageRole.assistant, "¡Hola! ¿Para qué día?")):
            self.db.add(Message(conversation_id=conversation.id, role=role, text=text,
                                created_at=at))
        self.db.flush()
        return conversation

    def lead(self, contact: Contact, age: timedelta, notes: str | None = "Llamar a la tarde"
             ) -> Lead:
        at = self.now - age
        lead = Lead(tenant_id=contact.tenant_id, contact_id=contact.id, source=LeadSource.web,
                    notes=notes, utm_campaign="promo", created_at=at, updated_at=at)
        self.db.add(lead)
        self.db.flush()
        return lead

    def appointment(self, contact: Contact, end: datetime,
                    conversation: Conversation | None = None) -> Appointment:
        service = self.db.exec(select(Service).where(
            Service.tenant_id == contact.tenant_id)).first()
        assert service is not None
        row = Appointment(tenant_id=contact.tenant_id, contact_id=contact.id,
                          service_id=service.id, start_at=end - timedelta(minutes=30),
                          end_at=end, created_at=end - 3 * DAY, updated_at=end - 3 * DAY,
                          conversation_id=conversation.id if conversation else None)
        self.db.add(row)
        self.db.flush()
        return row

    def event(self, tenant: Tenant | None, age: timedelta, status: WebhookStatus) -> WebhookEvent:
        self.n += 1
        at = self.now - age
        event = WebhookEvent(received_at=at, object="whatsapp_business_account",
                             body=json.dumps({"object": "whatsapp_business_account",
                                              "entry": [], "n": self.n}),
                             tenant_id=tenant.id if tenant else None, status=status,
                             items_total=1, items_done=0 if status == "received" else 1,
                             processed_at=None if status == "received" else at)
        self.db.add(event)
        self.db.flush()
        if tenant is not None:
            self.db.add(InboundKey(channel="whatsapp", external_id=f"wamid.ret{self.n}",
                                   event_id=event.id, tenant_id=tenant.id,
                                   sender_id=f"54911600{self.n:05d}", created_at=at))
        return event

    def intake(self, lead: Lead, age: timedelta) -> LeadAdIntake:
        self.n += 1
        at = self.now - age
        row = LeadAdIntake(tenant_id=lead.tenant_id, leadgen_id=f"lg-{self.n}", page_id="p1",
                           state=IntakeState.registrado, lead_id=lead.id,
                           answers={"full_name": "Ana Lía Soto", "phone_number": "1155550000"},
                           received_at=at, registered_at=at, updated_at=at)
        self.db.add(row)
        self.db.flush()
        return row

    def corpus_record(self, conversation: Conversation) -> str:
        keys = corpus_keys(self.settings)
        record_key = keys.record_key(conversation.tenant_id, conversation.id)
        self.db.add(CorpusRecord(
            record_key=record_key, subject_key=keys.subject_key(conversation.contact_id),
            tenant_key=keys.tenant_key(conversation.tenant_id), channel="web", language="es",
            outcome="none", user_turns=1, message_count=2, conversation_date=date(2024, 9, 1),
            fingerprint=hashlib.sha256(record_key.encode()).hexdigest(),
            redaction_style="surrogate", redaction_version="test", ingested_on=date(2024, 9, 2),
            messages=[{"role": "user", "content": "Hola", "offset_s": 0}]))
        return record_key


def _world(db: Session, settings: Settings, now: datetime = NOW) -> World:
    """Two businesses with rows at chosen ages before `now`."""
    s = Seeder(db, settings, now)
    a, b = make_tenant(db), make_tenant(db)
    db.add(TenantPrivacySettings(tenant_id=b.id, conversation_retention_days=30,
                                 lead_retention_days=365, raw_event_retention_days=7,
                                 expired_contact_action=ExpiredContactAction.delete))
    ids: dict[str, str] = {}
    # A: expired, objected to training: anonymized, corpus record removed.
    old = s.contact(a, 800 * DAY)
    lead = s.lead(old, 800 * DAY)
    old_conv = s.conversation(old, 790 * DAY, closed=True)
    appt = s.appointment(old, now - 790 * DAY, conversation=old_conv)
    db.add(ContactPreference(contact_id=old.id, tenant_id=a.id, objected_to_training=True,
                             objection_source="chat", updated_at=now - 800 * DAY))
    db.add(ContactConsent(contact_id=old.id, tenant_id=a.id, purpose=ConsentPurpose.marketing,
                          granted=True, source="chat", updated_at=now - 800 * DAY))
    s.intake(lead, 800 * DAY)
    ids |= {"old": old.id, "old_lead": lead.id, "old_conv": old_conv.id, "old_appt": appt.id,
            "old_record": s.corpus_record(old_conv)}
    # A: expired, no objection: anonymized, corpus record kept.
    quiet = s.contact(a, 760 * DAY)
    s.lead(quiet, 760 * DAY, notes=None)
    ids |= {"quiet": quiet.id,
            "quiet_record": s.corpus_record(s.conversation(quiet, 760 * DAY))}
    # A: expired, nothing but an identity and a chat: the row itself goes.
    shell = s.contact(a, 900 * DAY)
    s.conversation(shell, 900 * DAY)
    ids["shell"] = shell.id
    # A: old row, but an appointment still ahead / a recent chat: not expired.
    ahead = s.contact(a, 800 * DAY)
    s.lead(ahead, 800 * DAY)
    s.appointment(ahead, now + 5 * DAY)
    chatty = s.contact(a, 800 * DAY)
    ids |= {"ahead": ahead.id, "chatty": chatty.id,
            "chatty_conv": s.conversation(chatty, 100 * DAY).id}
    # A: expired but restricted: kept.
    restricted = s.contact(a, 800 * DAY)
    db.add(ContactPreference(contact_id=restricted.id, tenant_id=a.id,
                             processing_restricted=True, restricted_at=now - 10 * DAY))
    ids["restricted"] = restricted.id
    ids["restricted_conv"] = s.conversation(restricted, 750 * DAY).id
    # A: an active contact's conversations: 200 d (open) goes, 100 d and 40 d stay.
    active = s.contact(a, 5 * DAY)
    stale = s.conversation(active, 200 * DAY)
    ids |= {"active": active.id, "stale_conv": stale.id,
            "stale_appt": s.appointment(active, now - 199 * DAY, conversation=stale).id,
            "a_conv_100": s.conversation(active, 100 * DAY).id,
            "a_conv_40": s.conversation(active, 40 * DAY).id}
    active_lead = s.lead(active, 5 * DAY)
    ids |= {"a_intake_40": s.intake(active_lead, 40 * DAY).id,
            "a_intake_10": s.intake(active_lead, 10 * DAY).id}
    # A: raw webhook bodies.
    ids |= {f"a_event_{k}": str(s.event(a, age * DAY, st).id) for k, age, st in (
        ("processed_40", 40, WebhookStatus.processed), ("error_40", 40, WebhookStatus.error),
        ("pending_40", 40, WebhookStatus.received), ("processed_10", 10,
                                                     WebhookStatus.processed))}
    # B: an expired contact deleted whole; a 40-day conversation; a 10-day event.
    gone = s.contact(b, 400 * DAY)
    s.lead(gone, 400 * DAY)
    s.conversation(gone, 400 * DAY)
    b_active = s.contact(b, 5 * DAY)
    ids |= {"b_gone": gone.id, "b_active": b_active.id,
            "b_conv_40": s.conversation(b_active, 40 * DAY).id,
            "b_conv_20": s.conversation(b_active, 20 * DAY).id,
            "b_event_10": str(s.event(b, 10 * DAY, WebhookStatus.processed).id)}
    # No business (theirs was deleted): the default period.
    ids["orphan_event"] = str(s.event(None, 40 * DAY, WebhookStatus.processed).id)
    db.commit()
    return World(a=a, b=b, ids=ids)


def _snapshot(db: Session) -> dict[str, int]:
    db.commit()
    return {t.name: db.exec(select(func.count()).select_from(t)).one()  # type: ignore[call-overload]
            for t in SQLModel.metadata.sorted_tables if t.name != "auditevent"}


def _counts(report: RetentionReport, tenant: Tenant) -> dict[str, int]:
    return next(b.counts() for b in report.businesses if b.tenant_id == tenant.id)


EXPECTED_A = {"contacts_anonymized": 3, "contacts_deleted": 0, "contacts_kept_restricted": 1,
              "conversations_deleted": 1, "messages_deleted": 2, "webhook_events_deleted": 2,
              "lead_ad_answers_cleared": 1}
EXPECTED_B = {"contacts_anonymized": 0, "contacts_deleted": 1, "contacts_kept_restricted": 0,
              "conversations_deleted": 1, "messages_deleted": 2, "webhook_events_deleted": 1,
              "lead_ad_answers_cleared": 0}


@pytest.fixture
def world(db: Session, privacy_ctx: PrivacyContext) -> World:
    return _world(db, privacy_ctx.settings)


def test_last_activity_is_the_latest_of_row_leads_conversations_and_appointments(
        db: Session, world: World) -> None:
    ids = world.ids
    latest = last_activity(db, [ids["old"], ids["ahead"], ids["chatty"]])
    assert latest[ids["old"]] == NOW - 790 * DAY          # the conversation / appointment
    assert latest[ids["ahead"]] == NOW + 5 * DAY          # the appointment still ahead
    assert latest[ids["chatty"]] == NOW - 100 * DAY       # the recent conversation


def test_dry_run_reports_and_changes_nothing(db: Session, world: World,
                                             privacy_ctx: PrivacyContext) -> None:
    before = _snapshot(db)
    report = run_retention(privacy_ctx, dry_run=True, now=NOW)
    assert _counts(report, world.a) == EXPECTED_A
    assert _counts(report, world.b) == EXPECTED_B
    assert _snapshot(db) == before


def test_a_run_removes_exactly_what_expired_and_a_second_finds_nothing(
        db: Session, world: World, privacy_ctx: PrivacyContext) -> None:
    ids = world.ids
    report = run_retention(privacy_ctx, now=NOW)
    assert _counts(report, world.a) == EXPECTED_A and _counts(report, world.b) == EXPECTED_B
    assert next(b for b in report.businesses if b.tenant_id is None).webhook_events_deleted == 1
    db.commit()
    db.expire_all()

    # Anonymized: the person is gone, their lead and appointment stay for the statistics.
    old = db.get(Contact, ids["old"])
    assert old is not None and (old.name, old.phone, old.email) == (None, None, None)
    for model in (ChannelIdentity, ContactConsent, ContactPreference, Conversation):
        assert db.exec(select(model).where(model.contact_id == ids["old"])).all() == []  # type: ignore[attr-defined]
    lead = db.get(Lead, ids["old_lead"])
    assert lead is not None and lead.notes is None and lead.utm_campaign == "promo"
    appt = db.get(Appointment, ids["old_appt"])
    assert appt is not None and appt.conversation_id is None
    intake = db.exec(select(LeadAdIntake).where(LeadAdIntake.lead_id == ids["old_lead"])).one()
    assert not intake.answers
    # Corpus: removed for the one who objected, kept (already anonymous) for the other.
    assert db.get(CorpusRecord, ids["old_record"]) is None
    assert db.get(CorpusRecord, ids["quiet_record"]) is not None
    # A contact with nothing to keep is deleted.
    assert db.get(Contact, ids["shell"]) is None
    # Not expired, or restricted: untouched.
    for key in ("ahead", "chatty", "restricted", "active", "b_active"):
        contact = db.get(Contact, ids[key])
        assert contact is not None and contact.name is not None, key
    for key in ("chatty_conv", "restricted_conv", "a_conv_100", "a_conv_40", "b_conv_20"):
        assert db.get(Conversation, ids[key]) is not None, key
    # Expired conversations: gone with their messages; the appointment loses the link only.
    for key in ("stale_conv", "b_conv_40"):
        assert db.get(Conversation, ids[key]) is None, key
        assert db.exec(select(Message).where(Message.conversation_id == ids[key])).all() == []
    stale_appt = db.get(Appointment, ids["stale_appt"])
    assert stale_appt is not None and stale_appt.conversation_id is None
    # Raw copies: processed/errored and old go (with their ledger rows); pending stays.
    events = {k: db.get(WebhookEvent, int(v)) for k, v in ids.items() if "event" in k}
    assert {k for k, e in events.items() if e is not None} == {
        "a_event_pending_40", "a_event_processed_10"}
    assert db.exec(select(InboundKey).where(InboundKey.event_id.in_(  # type: ignore[attr-defined]
        [int(ids["a_event_processed_40"]), int(ids["a_event_error_40"])]))).all() == []
    assert not db.get(LeadAdIntake, ids["a_intake_40"]).answers  # type: ignore[union-attr]
    assert db.get(LeadAdIntake, ids["a_intake_10"]).answers  # type: ignore[union-attr]
    # B deletes whole, as an erasure without tombstones.
    assert db.get(Contact, ids["b_gone"]) is None
    assert db.exec(select(Lead).where(Lead.contact_id == ids["b_gone"])).all() == []
    assert db.exec(select(ErasureTombstone)).all() == []

    again = run_retention(privacy_ctx, now=NOW)
    for business in again.businesses:
        assert business.total == 0, business
    assert _counts(again, world.a)["contacts_kept_restricted"] == 1


def test_every_run_is_audited_per_business_with_counts_only(
        db: Session, world: World, privacy_ctx: PrivacyContext) -> None:
    report = run_retention(privacy_ctx, now=NOW, tenant_id=world.b.id, dry_run=True)
    run_retention(privacy_ctx, now=NOW, tenant_id=world.b.id, actor_kind="cli",
                  actor_id="operador", source="cli")
    db.commit()
    events = db.exec(select(AuditEvent).where(AuditEvent.action == "retention.run")
                     .order_by(AuditEvent.id)).all()  # type: ignore[arg-type]
    assert [e.tenant_id for e in events] == [world.b.id, world.b.id]  # --tenant: B only
    assert events[0].details == {"dry_run": True, **EXPECTED_B}
    assert report.run_id in events[0].resource_ids
    assert (events[1].actor_kind, events[1].actor_id, events[1].source) == (
        "cli", "operador", "cli")
    assert events[1].details == {"dry_run": False, **EXPECTED_B}


def test_due_privacy_requests_run_with_the_job(db: Session, privacy_ctx: PrivacyContext
                                               ) -> None:
    from crm.services.privacy import flag_minor

    tenant = make_tenant(db)
    contact = Seeder(db, privacy_ctx.settings).contact(tenant, 1 * DAY)
    conversation = Seeder(db, privacy_ctx.settings).conversation(contact, 1 * DAY)
    request = flag_minor(db, box=privacy_ctx.box, contact=contact, conversation=conversation,
                         now=NOW - 2 * DAY)
    db.commit()
    contact_id, request_id = contact.id, request.id
    dry = run_retention(privacy_ctx, now=NOW, dry_run=True)
    assert dry.privacy_requests == 1
    assert run_retention(privacy_ctx, now=NOW).privacy_requests == 1
    db.commit()
    db.expire_all()
    done = db.get(PrivacyRequest, request_id)
    assert done is not None and done.status == "completed"
    assert db.get(Contact, contact_id) is None
    assert run_retention(privacy_ctx, now=NOW).privacy_requests == 0


# --- the command line --------------------------------------------------------------------

@pytest.fixture
def cli_env(privacy_settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("MOSTRADOR_DATABASE_URL", privacy_settings.database_url)
    monkeypatch.setenv("MOSTRADOR_ERASURE_LEDGER_URL", privacy_settings.erasure_ledger_url)
    monkeypatch.setenv("MOSTRADOR_LLM", "offline")
    monkeypatch.delenv("MOSTRADOR_REDIS_URL", raising=False)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_cli_reports_counts_per_business_as_text_and_json(
        db: Session, privacy_settings: Settings, cli_env: None) -> None:
    world = _world(db, privacy_settings, now=utcnow())  # the command runs on the real clock
    runner = CliRunner()
    dry = runner.invoke(cli, ["retention", "run", "--dry-run", "--tenant", world.a.slug])
    assert dry.exit_code == 0, dry.output
    assert "dry run, nothing changed" in dry.output
    assert f"{world.a.slug}: contacts_anonymized=3" in dry.output and world.b.slug not in \
        dry.output
    result = runner.invoke(cli, ["retention", "run", "--json"])
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout.strip().splitlines()[-1])
    by_slug = {b["tenant"]: b for b in body["businesses"]}
    assert {k: by_slug[world.a.slug][k] for k in EXPECTED_A} == EXPECTED_A
    assert {k: by_slug[world.b.slug][k] for k in EXPECTED_B} == EXPECTED_B
    assert body["dry_run"] is False and body["privacy_requests"] == 0
    unknown = runner.invoke(cli, ["retention", "run", "--tenant", "no-such-shop"])
    assert unknown.exit_code == 2 and "no business" in unknown.output


# --- the staff API of the policy ---------------------------------------------------------

@pytest.fixture
def client(settings: Settings, engine: Engine) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def _auth(db: Session, tenant: Tenant, role: Role = Role.admin) -> dict[str, str]:
    return {"Authorization": f"Bearer {make_token(db, make_user(db, tenant, role=role))}"}


def test_settings_api_shows_defaults_changes_fields_and_audits(
        client: TestClient, db: Session) -> None:
    a, b = make_tenant(db), make_tenant(db)
    admin = _auth(db, a)
    shown = client.get("/v1/privacy/settings", headers=admin)
    assert shown.status_code == 200
    assert shown.json() == {
        "conversation_retention_days": 180, "lead_retention_days": 730,
        "expired_contact_action": "anonymize", "raw_event_retention_days": 30,
        "minor_age": 13, "minor_review_hours": 24.0, "erasure_deadline_hours": 72,
        "request_deadline_days": 10, "updated_at": None}
    changed = client.put("/v1/privacy/settings", headers=admin,
                         json={"conversation_retention_days": 90, "minor_age": 16,
                               "expired_contact_action": "delete"})
    assert changed.status_code == 200, changed.text
    assert changed.json()["conversation_retention_days"] == 90
    assert changed.json()["lead_retention_days"] == 730 and changed.json()["updated_at"]
    again = client.put("/v1/privacy/settings", headers=admin, json={"minor_age": 0})
    assert again.json()["minor_age"] == 0 and again.json()["conversation_retention_days"] == 90
    # Another business keeps its own (default) policy.
    assert client.get("/v1/privacy/settings",
                      headers=_auth(db, b)).json()["conversation_retention_days"] == 180
    db.commit()
    event = db.exec(select(AuditEvent).where(AuditEvent.action == "privacy_settings.update")
                    .order_by(AuditEvent.id)).first()  # type: ignore[arg-type]
    assert event is not None and event.tenant_id == a.id
    assert event.details == {"changes": {"conversation_retention_days": 90, "minor_age": 16,
                                         "expired_contact_action": "delete"}}


BAD_BODIES = [
    {"conversation_retention_days": 0}, {"lead_retention_days": 5000}, {"minor_age": 30},
    {"expired_contact_action": "shred"}, {"minor_review_hours": -1}, {"surprise": 1},
    {"raw_event_retention_days": 200},  # longer than the conversations (180)
]


def test_settings_api_refuses_bad_values_with_422(client: TestClient, db: Session) -> None:
    admin = _auth(db, make_tenant(db))
    for body in BAD_BODIES:
        response = client.put("/v1/privacy/settings", headers=admin, json=body)
        assert response.status_code == 422, (body, response.text)
    db.commit()
    assert db.exec(select(TenantPrivacySettings)).all() == []


def test_settings_api_is_for_admins(client: TestClient, db: Session) -> None:
    tenant = make_tenant(db)
    seller = _auth(db, tenant, Role.seller)
    assert client.get("/v1/privacy/settings", headers=seller).status_code == 403
    assert client.put("/v1/privacy/settings", headers=seller,
                      json={"minor_age": 0}).status_code == 403
    assert client.get("/v1/privacy/settings").status_code == 401
