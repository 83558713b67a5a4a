"""The owner's dashboard: what the agent did for the business in a period, from the CRM rows.

The period is [`start`, `end`] in the business's timezone, both days included. With
`seller_id` every figure is of that seller's leads: their leads, and the conversations and
appointments of those leads' contacts. Definitions (the console and
`GET /v1/metrics/summary` show exactly these):

- **conversations**: episodes of a channel thread (crm.services.metrics_threads) that start
  in the period and in which the customer wrote; by the thread's channel.
- **contacts_new / contacts_returning**: the distinct customers of those conversations;
  new if the contact was created in the period, returning if it existed before.
- **handoffs**: conversations in which people took part: the agent called request_human
  (`asked`), the agent flagged it itself (`flagged`: the thread still waits for a person and
  it is its latest episode), or staff took it over or wrote in it (`taken_over`).
- **resolved_by_agent**: conversations the agent answered with no handoff and that were
  not reopened: the customer did not write again 24 h (the business's idle-close setting)
  to 7 days after a previous message. A message after more than 7 days starts a new
  conversation, so the earlier one stays resolved.
- **leads**: leads created in the period, by their current stage, source and UTM campaign;
  a lead *converted* when its contact has an appointment booked (any status) at or after
  the lead's creation; `lead_to_appointment_rate` = converted / leads.
- **appointments_booked_by_agent / _by_staff**: appointments created in the period, with a
  conversation (the agent's booking tool) or without (the calendar, the API).
  **moved / cancelled**: by the agent, its reschedule/cancel tools that succeeded in the
  period; by staff, the audited `appointment.move` / `appointment.cancel` in the period.
- **first_response_seconds_p50/p90**: the agent, from the customer's first message of a
  conversation to the first assistant text after it. **human_first_response_seconds**:
  from the hand-over (request_human; else the customer's message staff answered) to the
  first staff message. Nearest-rank percentiles.
- **llm_calls**: assistant messages stored in the period's conversations (each is one
  model answer). Token usage is not stored (the runtime counts it per turn but keeps no
  row of it), so `llm_tokens_per_conversation` is None.

Rates are fractions (0–1) rounded to 4 places, None when there is nothing to divide by.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel, Field
from sqlalchemy import func
from sqlalchemy import select as select_columns  # sqlmodel's select stops at 4 columns
from sqlmodel import Session, col, select

from crm.models import (
    Appointment,
    AuditEvent,
    Channel,
    Contact,
    Conversation,
    Lead,
    LeadSource,
    LeadStage,
    Message,
    TenantTrainingSettings,
)
from crm.services.metrics_threads import QUIET, Episode, Row, episodes, mark_takeover, percentile

DEFAULT_IDLE = timedelta(hours=24)
MAX_DAYS = 366
HANDOFF_REASONS = ("asked", "flagged", "taken_over")
STAFF_CHANGES = {"appointment.move": "moved", "appointment.cancel": "cancelled"}


class CampaignRow(BaseModel):
    campaign: str | None = Field(description="utm_campaign; null: leads without one")
    leads: int
    with_appointment: int


class DayRow(BaseModel):
    day: date
    conversations: int
    resolved_by_agent: int
    handoffs: int
    appointments_booked_by_agent: int
    appointments_booked_by_staff: int


class MetricsSummary(BaseModel):
    """The dashboard's figures for a period (definitions: crm.services.metrics)."""

    period_from: date = Field(serialization_alias="from")
    period_to: date = Field(serialization_alias="to")
    timezone: str
    seller: str | None = Field(description="the seller whose leads these are; null: the "
                                           "whole business")
    conversations: int
    conversations_by_channel: dict[str, int]
    contacts_new: int
    contacts_returning: int
    resolved_by_agent: int
    resolved_by_agent_rate: float | None
    handoffs: int
    handoff_rate: float | None
    handoff_reasons: dict[str, int]
    leads: int
    leads_by_stage: dict[str, int]
    leads_by_source: dict[str, int]
    leads_by_campaign: list[CampaignRow]
    leads_with_appointment: int
    lead_to_appointment_rate: float | None
    appointments_booked_by_agent: int
    appointments_booked_by_staff: int
    appointments_moved_by_agent: int
    appointments_moved_by_staff: int
    appointments_cancelled_by_agent: int
    appointments_cancelled_by_staff: int
    first_response_seconds_p50: float | None
    first_response_seconds_p90: float | None
    human_first_response_seconds_p50: float | None
    human_first_response_seconds_p90: float | None
    llm_calls: int
    llm_calls_per_conversation: float | None
    llm_tokens_per_conversation: float | None = Field(
        default=None, description="null: token usage is not recorded yet")
    daily: list[DayRow]


@dataclass(frozen=True)
class Period:
    start: date
    end: date
    tz: ZoneInfo

    @property
    def lo(self) -> datetime:
        return datetime.combine(self.start, time(), self.tz)

    @property
    def hi(self) -> datetime:
        return datetime.combine(self.end + timedelta(days=1), time(), self.tz)

    def contains(self, at: datetime) -> bool:
        return self.lo <= at < self.hi

    def day(self, at: datetime) -> date:
        return at.astimezone(self.tz).date()


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def summary(db: Session, *, tenant_id: str, timezone: str, start: date, end: date,
            seller_id: str | None = None) -> MetricsSummary:
    """Every figure of the period (the module docstring defines them). Raises ValueError
    when `start` is after `end` or the period is longer than MAX_DAYS days."""
    if start > end:
        raise ValueError("`from` is after `to`.")
    if (end - start).days + 1 > MAX_DAYS:
        raise ValueError(f"The period is longer than {MAX_DAYS} days.")
    period = Period(start, end, ZoneInfo(timezone))
    mine = (select(Lead.contact_id).where(Lead.tenant_id == tenant_id,
                                          Lead.assigned_to == seller_id)
            if seller_id is not None else None)
    counted = _conversations(db, tenant_id=tenant_id, period=period, mine=mine)
    leads = _leads(db, tenant_id=tenant_id, period=period, seller_id=seller_id)
    booked = _booked(db, tenant_id=tenant_id, period=period, mine=mine)
    changes = _staff_changes(db, tenant_id=tenant_id, period=period, mine=mine)
    for episode in counted:
        changes.update(f"{what}_by_agent" for what, at in episode.agent_changes
                       if period.contains(at))
    by_day: dict[date, Counter[str]] = {period.start + timedelta(days=n): Counter()
                                        for n in range((end - start).days + 1)}
    for episode in counted:
        day = by_day[period.day(episode.start)]
        day["conversations"] += 1
        day["resolved_by_agent"] += episode.resolved_by_agent
        day["handoffs"] += episode.handoff_reason is not None
    for at, by_agent in booked:
        by_day[period.day(at)]["by_agent" if by_agent else "by_staff"] += 1
    total = len(counted)
    resolved = sum(e.resolved_by_agent for e in counted)
    reasons = Counter(e.handoff_reason for e in counted if e.handoff_reason)
    calls = sum(e.model_answers for e in counted)
    agent = [s for e in counted if (s := e.agent_seconds) is not None]
    human = [s for e in counted if (s := e.human_seconds) is not None]
    threads = _threads(db, counted)
    return MetricsSummary(
        period_from=start, period_to=end, timezone=timezone, seller=seller_id,
        conversations=total,
        conversations_by_channel=_by_channel(counted, threads),
        **_contacts(counted, threads, period),
        resolved_by_agent=resolved, resolved_by_agent_rate=_rate(resolved, total),
        handoffs=sum(reasons.values()), handoff_rate=_rate(sum(reasons.values()), total),
        handoff_reasons={r: reasons[r] for r in HANDOFF_REASONS},
        **leads,
        appointments_booked_by_agent=sum(1 for _, a in booked if a),
        appointments_booked_by_staff=sum(1 for _, a in booked if not a),
        appointments_moved_by_agent=changes["moved_by_agent"],
        appointments_moved_by_staff=changes["moved_by_staff"],
        appointments_cancelled_by_agent=changes["cancelled_by_agent"],
        appointments_cancelled_by_staff=changes["cancelled_by_staff"],
        first_response_seconds_p50=percentile(agent, 50),
        first_response_seconds_p90=percentile(agent, 90),
        human_first_response_seconds_p50=percentile(human, 50),
        human_first_response_seconds_p90=percentile(human, 90),
        llm_calls=calls,
        llm_calls_per_conversation=round(calls / total, 2) if total else None,
        daily=[DayRow(day=day, conversations=c["conversations"],
                      resolved_by_agent=c["resolved_by_agent"], handoffs=c["handoffs"],
                      appointments_booked_by_agent=c["by_agent"],
                      appointments_booked_by_staff=c["by_staff"])
               for day, c in by_day.items()])


def _idle(db: Session, tenant_id: str) -> timedelta:
    hours = db.exec(select(TenantTrainingSettings.idle_close_hours).where(
        TenantTrainingSettings.tenant_id == tenant_id)).first()
    return timedelta(hours=hours) if hours else DEFAULT_IDLE


def _conversations(db: Session, *, tenant_id: str, period: Period,
                   mine: Any) -> list[Episode]:
    """The episodes that start in the period with a customer message in them.

    Messages are read from a week before the period (is an episode new, or does it go on?)
    to two weeks after it (was it reopened?)."""
    since, until = period.lo - QUIET, period.hi + 2 * QUIET
    query = (select_columns(col(Message.conversation_id), col(Message.role),
                            col(Message.created_at), col(Message.tool_name),
                            func.substr(Message.text, 1, 12))
             .join(Conversation, col(Conversation.id) == Message.conversation_id)
             .where(col(Conversation.tenant_id) == tenant_id,
                    col(Conversation.last_message_at) >= since,
                    col(Conversation.created_at) < period.hi,
                    col(Message.created_at) >= since, col(Message.created_at) < until)
             .order_by(col(Message.conversation_id), col(Message.created_at),
                       col(Message.id)))
    if mine is not None:
        query = query.where(col(Conversation.contact_id).in_(mine))
    rows = (Row(cid, str(role), at, tool, head or "")
            for cid, role, at, tool, head in db.execute(query))
    threads = episodes(rows, idle=_idle(db, tenant_id))
    takeovers = db.exec(select(AuditEvent.resource_ids, AuditEvent.at).where(
        AuditEvent.tenant_id == tenant_id, AuditEvent.action == "conversation.takeover",
        col(AuditEvent.at) >= since, col(AuditEvent.at) < until))
    for ids, at in takeovers:
        if ids:
            mark_takeover(threads, ids[0], at)
    # Flags and holds are current state only: they belong to the thread's latest episode.
    for conversation_id, needs_human, held in db.exec(
            select(Conversation.id, Conversation.needs_human, Conversation.held_by).where(
                Conversation.tenant_id == tenant_id,
                col(Conversation.last_message_at) >= since,
                col(Conversation.needs_human).is_(True)
                | col(Conversation.held_by).is_not(None))):
        if threads.get(conversation_id):
            latest = threads[conversation_id][-1]
            latest.flagged = latest.flagged or needs_human
            latest.taken_over = latest.taken_over or held is not None
    return [e for thread in threads.values() for e in thread
            if e.customer_wrote and period.contains(e.start)]


def _threads(db: Session, counted: list[Episode]) -> dict[str, tuple[str, str, datetime]]:
    """Channel, contact and the contact's creation of each counted thread."""
    ids = {e.conversation_id for e in counted}
    found: dict[str, tuple[str, str, datetime]] = {}
    chunk = sorted(ids)
    for n in range(0, len(chunk), 1000):
        for cid, channel, contact_id, created in db.exec(
                select(Conversation.id, Conversation.channel, Conversation.contact_id,
                       Contact.created_at)
                .join(Contact, col(Contact.id) == Conversation.contact_id)
                .where(col(Conversation.id).in_(chunk[n:n + 1000]))):
            found[cid] = (str(channel), contact_id, created)
    return found


def _by_channel(counted: list[Episode], threads: dict[str, tuple[str, str, datetime]]
                ) -> dict[str, int]:
    counts = Counter(threads[e.conversation_id][0] for e in counted)
    return {c.value: counts[c.value] for c in Channel}


def _contacts(counted: list[Episode], threads: dict[str, tuple[str, str, datetime]],
              period: Period) -> dict[str, int]:
    contacts = {threads[e.conversation_id][1]: threads[e.conversation_id][2] for e in counted}
    new = sum(1 for created in contacts.values() if created >= period.lo)
    return {"contacts_new": new, "contacts_returning": len(contacts) - new}


def _leads(db: Session, *, tenant_id: str, period: Period,
           seller_id: str | None) -> dict[str, Any]:
    query = select_columns(col(Lead.stage), col(Lead.source), col(Lead.utm_campaign),
                           col(Lead.contact_id), col(Lead.created_at)).where(
        col(Lead.tenant_id) == tenant_id, col(Lead.created_at) >= period.lo,
        col(Lead.created_at) < period.hi)
    if seller_id is not None:
        query = query.where(col(Lead.assigned_to) == seller_id)
    leads = list(db.execute(query))
    contacts = select(Lead.contact_id).where(Lead.tenant_id == tenant_id,
                                             col(Lead.created_at) >= period.lo,
                                             col(Lead.created_at) < period.hi)
    latest = dict(db.exec(select(Appointment.contact_id, func.max(Appointment.created_at))
                          .where(Appointment.tenant_id == tenant_id,
                                 col(Appointment.contact_id).in_(contacts))
                          .group_by(col(Appointment.contact_id))).all())
    converted = [lead for lead in leads
                 if (last := latest.get(lead[3])) is not None and last >= lead[4]]
    stages = Counter(str(lead[0]) for lead in leads)
    sources = Counter(str(lead[1]) for lead in leads)
    campaigns = Counter(lead[2] for lead in leads)
    won = Counter(lead[2] for lead in converted)
    return {
        "leads": len(leads),
        "leads_by_stage": {s.value: stages[s.value] for s in LeadStage},
        "leads_by_source": {s.value: sources[s.value] for s in LeadSource},
        "leads_by_campaign": [CampaignRow(campaign=c, leads=n, with_appointment=won[c])
                              for c, n in sorted(campaigns.items(),
                                                 key=lambda kv: (-kv[1], kv[0] or ""))],
        "leads_with_appointment": len(converted),
        "lead_to_appointment_rate": _rate(len(converted), len(leads)),
    }


def _booked(db: Session, *, tenant_id: str, period: Period,
            mine: Any) -> list[tuple[datetime, bool]]:
    """(created, by the agent) of the appointments booked in the period."""
    query = select(Appointment.created_at, Appointment.conversation_id).where(
        Appointment.tenant_id == tenant_id, col(Appointment.created_at) >= period.lo,
        col(Appointment.created_at) < period.hi)
    if mine is not None:
        query = query.where(col(Appointment.contact_id).in_(mine))
    return [(at, conversation_id is not None) for at, conversation_id in db.exec(query)]


def _staff_changes(db: Session, *, tenant_id: str, period: Period, mine: Any) -> Counter[str]:
    """Appointments staff moved or cancelled in the period (the audit log says who)."""
    events = list(db.exec(select(AuditEvent.action, AuditEvent.resource_ids).where(
        AuditEvent.tenant_id == tenant_id, col(AuditEvent.action).in_(STAFF_CHANGES),
        col(AuditEvent.at) >= period.lo, col(AuditEvent.at) < period.hi)))
    if mine is not None and events:
        ids = {ids[0] for _, ids in events if ids}
        allowed = set(db.exec(select(Appointment.id).where(
            col(Appointment.id).in_(ids), col(Appointment.contact_id).in_(mine))))
        events = [(action, ids) for action, ids in events if ids and ids[0] in allowed]
    return Counter(f"{STAFF_CHANGES[action]}_by_staff" for action, _ in events)
