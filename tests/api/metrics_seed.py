"""A week of a business with known figures, for the dashboard tests (JSON and console).

The period is Monday 1 to Sunday 7 March 2027 in Buenos Aires (UTC-3). Every row is placed
by hand; `EXPECTED` and `EXPECTED_SELLER` are the figures crm.services.metrics must give.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlmodel import Session, select

from crm.models import (
    Appointment,
    AppointmentStatus,
    Conversation,
    Lead,
    LeadSource,
    LeadStage,
    Message,
    Role,
    Service,
    Tenant,
    User,
)
from crm.services.audit import record_event
from tests.factories import make_contact, make_tenant, make_user

FROM, TO = "2027-03-01", "2027-03-07"


def at(day: int, hour: int, minute: int = 0, second: int = 0, month: int = 3) -> datetime:
    return datetime(2027, month, day, hour, minute, second, tzinfo=UTC)


@dataclass
class Week:
    tenant: Tenant
    admin: User
    vera: User     # seller: leads of Ana (before the period), Beto and Fede
    ramiro: User   # seller: Carla's lead


def _thread(db: Session, tenant: Tenant, contact_id: str, channel: str,
            messages: list[tuple[str, datetime, str, str | None]], **fields: Any
            ) -> Conversation:
    conversation = Conversation(tenant_id=tenant.id, contact_id=contact_id, channel=channel,
                                external_id=f"x-{contact_id}-{channel}",
                                created_at=messages[0][1], last_message_at=messages[-1][1],
                                **fields)
    db.add(conversation)
    db.flush()
    for role, when, text, tool in messages:
        db.add(Message(conversation_id=conversation.id, role=role, created_at=when, text=text,
                       tool_name=tool))
    return conversation


def _event(db: Session, tenant: Tenant, action: str, resource: str, when: datetime) -> None:
    event = record_event(db, action=action, actor_kind="user", tenant_id=tenant.id,
                         resource_type=action.split(".")[0], resource_ids=[resource])
    event.at = when  # placed in the week (the chain's hash is not what this test checks)
    db.add(event)


def _appointment(db: Session, tenant: Tenant, contact_id: str, created: datetime,
                 conversation_id: str | None = None) -> Appointment:
    service = db.exec(select(Service).where(Service.tenant_id == tenant.id)).first()
    assert service is not None
    start = at(20, 13)
    appointment = Appointment(tenant_id=tenant.id, contact_id=contact_id,
                              service_id=service.id, conversation_id=conversation_id,
                              start_at=start, end_at=start + timedelta(minutes=30),
                              status=AppointmentStatus.confirmada, created_at=created)
    db.add(appointment)
    db.flush()
    return appointment


def seed_week(db: Session) -> Week:
    tenant = make_tenant(db)
    admin = make_user(db, tenant, role=Role.admin)
    vera, ramiro = make_user(db, tenant), make_user(db, tenant)
    ok, no = '{"ok": true, "message": "listo"}', '{"ok": false, "error": "ocupado"}'

    # Ana (a customer since February, Vera's): answered alone; she writes again on day 8,
    # which starts a new conversation (after the period), so this one stays resolved.
    ana = make_contact(db, tenant, name="Ana", created_at=at(1, 12, month=2))
    db.add(Lead(tenant_id=tenant.id, contact_id=ana.id, source=LeadSource.web,
                assigned_to=vera.id, created_at=at(1, 12, month=2)))
    _thread(db, tenant, ana.id, "web", [
        ("user", at(2, 12), "Hola, ¿qué servicios tienen?", None),
        ("assistant", at(2, 12, 0, 5), "", None),
        ("tool", at(2, 12, 0, 6), ok, "list_services"),
        ("assistant", at(2, 12, 0, 10), "Tenemos consulta y limpieza.", None),
        ("user", at(10, 12), "Hola de nuevo", None),
        ("assistant", at(10, 12, 0, 8), "¡Hola!", None)])
    # Ana's older WhatsApp thread: started in February and went on into the period within
    # a week, so it is no conversation of this period.
    _thread(db, tenant, ana.id, "whatsapp", [
        ("user", at(25, 12, month=2), "Consulta", None),
        ("assistant", at(25, 12, 0, 9, month=2), "Decime", None),
        ("user", at(1, 12), "Otra cosa", None)])

    # Beto (new, Vera's lead from the 'verano' campaign): the agent booked; he wrote
    # again on day 6, so it was reopened: not resolved.
    beto = make_contact(db, tenant, name="Beto", created_at=at(2, 12, 30))
    db.add(Lead(tenant_id=tenant.id, contact_id=beto.id, source=LeadSource.whatsapp,
                stage=LeadStage.nuevo, assigned_to=vera.id, utm_campaign="verano",
                created_at=at(2, 13)))
    beto_thread = _thread(db, tenant, beto.id, "whatsapp", [
        ("user", at(2, 13), "Quiero un turno", None),
        ("assistant", at(2, 13, 0, 30), "¿Para qué día?", None),
        ("tool", at(2, 13, 1), ok, "book_appointment"),
        ("user", at(8, 13), "¿Sigue en pie?", None)])
    _appointment(db, tenant, beto.id, at(2, 13, 1), conversation_id=beto_thread.id)

    # Carla (new, Ramiro's, 'verano'): asked for a person; staff answered 10 minutes later.
    carla = make_contact(db, tenant, name="Carla", created_at=at(3, 14))
    db.add(Lead(tenant_id=tenant.id, contact_id=carla.id, source=LeadSource.instagram,
                stage=LeadStage.calificado, assigned_to=ramiro.id, utm_campaign="verano",
                created_at=at(3, 14)))
    _thread(db, tenant, carla.id, "instagram", [
        ("user", at(3, 15), "Quiero hablar con alguien", None),
        ("assistant", at(3, 15, 0, 2), "", None),
        ("tool", at(3, 15, 0, 3), ok, "request_human"),
        ("assistant", at(3, 15, 0, 4), "Ya le aviso a alguien del equipo.", None),
        ("staff", at(3, 15, 10, 3), "Hola Carla, soy Lucía.", None)])

    # Dora (a customer since January, no lead): the agent cancelled her appointment (and
    # failed to move another); then staff took the conversation over without writing.
    dora = make_contact(db, tenant, name="Dora", created_at=at(10, 9, month=1))
    dora_thread = _thread(db, tenant, dora.id, "messenger", [
        ("user", at(4, 10), "Cancelá mi turno", None),
        ("assistant", at(4, 10, 0, 10), "", None),
        ("tool", at(4, 10, 0, 20), ok, "cancel_appointment"),
        ("tool", at(4, 10, 0, 30), no, "reschedule_appointment"),
        ("assistant", at(4, 10, 0, 40), "Listo, cancelado.", None)])
    _event(db, tenant, "conversation.takeover", dora_thread.id, at(4, 10, 5))

    # Eva (new, unassigned manual lead, won): the agent flagged it (step limit) and it still
    # waits for a person; staff booked her by hand, after her lead, and later moved it.
    eva = make_contact(db, tenant, name="Eva", created_at=at(5, 9))
    db.add(Lead(tenant_id=tenant.id, contact_id=eva.id, source=LeadSource.manual,
                stage=LeadStage.ganado, created_at=at(5, 9)))
    _thread(db, tenant, eva.id, "web", [
        ("user", at(5, 10), "Necesito algo raro", None),
        ("assistant", at(5, 10, 1), "Déjame ver.", None)],
        needs_human=True, human_reason="límite de pasos del agente")
    eva_appointment = _appointment(db, tenant, eva.id, at(5, 11))
    _event(db, tenant, "appointment.move", eva_appointment.id, at(5, 12))
    _event(db, tenant, "appointment.cancel", eva_appointment.id, at(9, 12))  # after

    # Fede (a customer since 2026, Vera's lost lead created in the period): staff replied
    # unasked two minutes after his second message; his appointment predates the lead.
    fede = make_contact(db, tenant, name="Fede", created_at=at(1, 9, month=12).replace(
        year=2026))
    _appointment(db, tenant, fede.id, at(20, 9, month=2))
    db.add(Lead(tenant_id=tenant.id, contact_id=fede.id, source=LeadSource.web,
                stage=LeadStage.perdido, assigned_to=vera.id, created_at=at(6, 9)))
    _thread(db, tenant, fede.id, "whatsapp", [
        ("user", at(6, 10), "Hola", None),
        ("assistant", at(6, 10, 0, 15), "¡Hola! ¿En qué te ayudo?", None),
        ("user", at(6, 10, 10), "¿Puedo pagar en cuotas?", None),
        ("staff", at(6, 10, 12), "Sí, en 3 cuotas.", None)])
    db.commit()
    return Week(tenant=tenant, admin=admin, vera=vera, ramiro=ramiro)


_NO_LEADS_BY_SOURCE = {s.value: 0 for s in LeadSource}
_NO_LEADS_BY_STAGE = {s.value: 0 for s in LeadStage}

EXPECTED: dict[str, Any] = {
    "from": FROM, "to": TO, "timezone": "America/Argentina/Buenos_Aires", "seller": None,
    "conversations": 6,
    "conversations_by_channel": {"web": 2, "whatsapp": 2, "instagram": 1, "messenger": 1},
    "contacts_new": 3, "contacts_returning": 3,
    "resolved_by_agent": 1, "resolved_by_agent_rate": 0.1667,
    "handoffs": 4, "handoff_rate": 0.6667,
    "handoff_reasons": {"asked": 1, "flagged": 1, "taken_over": 2},
    "leads": 4,
    "leads_by_stage": {**_NO_LEADS_BY_STAGE, "nuevo": 1, "calificado": 1, "ganado": 1,
                       "perdido": 1},
    "leads_by_source": {**_NO_LEADS_BY_SOURCE, "whatsapp": 1, "instagram": 1, "manual": 1,
                        "web": 1},
    "leads_by_campaign": [{"campaign": None, "leads": 2, "with_appointment": 1},
                          {"campaign": "verano", "leads": 2, "with_appointment": 1}],
    "leads_with_appointment": 2, "lead_to_appointment_rate": 0.5,
    "appointments_booked_by_agent": 1, "appointments_booked_by_staff": 1,
    "appointments_moved_by_agent": 0, "appointments_moved_by_staff": 1,
    "appointments_cancelled_by_agent": 1, "appointments_cancelled_by_staff": 0,
    # agent: 10, 30, 4, 40, 60, 15 s; people: 600 (Carla), 120 (Fede)
    "first_response_seconds_p50": 15.0, "first_response_seconds_p90": 60.0,
    "human_first_response_seconds_p50": 120.0, "human_first_response_seconds_p90": 600.0,
    # assistant messages: Ana 2, Beto 1, Carla 2, Dora 2, Eva 1, Fede 1
    "llm_calls": 9, "llm_calls_per_conversation": 1.5, "llm_tokens_per_conversation": None,
}

EXPECTED_DAILY = [  # (day, conversations, resolved, handoffs, booked by agent, by staff)
    ("2027-03-01", 0, 0, 0, 0, 0), ("2027-03-02", 2, 1, 0, 1, 0),
    ("2027-03-03", 1, 0, 1, 0, 0), ("2027-03-04", 1, 0, 1, 0, 0),
    ("2027-03-05", 1, 0, 1, 0, 1), ("2027-03-06", 1, 0, 1, 0, 0),
    ("2027-03-07", 0, 0, 0, 0, 0)]

EXPECTED_VERA: dict[str, Any] = {
    **EXPECTED,
    "conversations": 3,
    "conversations_by_channel": {"web": 1, "whatsapp": 2, "instagram": 0, "messenger": 0},
    "contacts_new": 1, "contacts_returning": 2,
    "resolved_by_agent": 1, "resolved_by_agent_rate": 0.3333,
    "handoffs": 1, "handoff_rate": 0.3333,
    "handoff_reasons": {"asked": 0, "flagged": 0, "taken_over": 1},
    "leads": 2,
    "leads_by_stage": {**_NO_LEADS_BY_STAGE, "nuevo": 1, "perdido": 1},
    "leads_by_source": {**_NO_LEADS_BY_SOURCE, "whatsapp": 1, "web": 1},
    "leads_by_campaign": [{"campaign": None, "leads": 1, "with_appointment": 0},
                          {"campaign": "verano", "leads": 1, "with_appointment": 1}],
    "leads_with_appointment": 1, "lead_to_appointment_rate": 0.5,
    "appointments_booked_by_agent": 1, "appointments_booked_by_staff": 0,
    "appointments_moved_by_agent": 0, "appointments_moved_by_staff": 0,
    "appointments_cancelled_by_agent": 0, "appointments_cancelled_by_staff": 0,
    # agent: 10 (Ana), 30 (Beto), 15 (Fede); people: 120 (Fede)
    "first_response_seconds_p50": 15.0, "first_response_seconds_p90": 30.0,
    "human_first_response_seconds_p50": 120.0, "human_first_response_seconds_p90": 120.0,
    "llm_calls": 4, "llm_calls_per_conversation": 1.33,
}
