"""Checking a scenario's expectations against what the CRM holds and what the agent said.

`observe(db, ...)` reads the scenario contact's side of the CRM into a `CrmView`; `check`
compares an `Expect` with it and with the replies and tool calls, and returns the
failures (none: the expectations hold). Reply texts are compared without case or accents
and with runs of spaces as one ("sabado 13 hs" finds "Sábado 13  hs").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from crm.models import Appointment, Contact, Conversation, Lead, Service
from crm.text import fold, guess_language
from evals.results import Failure
from evals.suite import AppointmentExpect, Expect


@dataclass(frozen=True)
class AppointmentView:
    service: str
    start: str  # local "YYYY-MM-DD HH:MM"
    status: str

    def __str__(self) -> str:
        return f"{self.service} {self.start} {self.status}"


@dataclass(frozen=True)
class CrmView:
    """The scenario's contact as the CRM holds it, and its conversation's flag."""

    appointments: tuple[AppointmentView, ...] = ()
    lead: bool = False
    name: str | None = None
    phone: str | None = None  # the phone to reach them on (their own, or one they claimed)
    email: str | None = None
    needs_human: bool = False


def observe(db: Session, *, conversation_id: str, timezone: str) -> CrmView:
    """What the CRM holds now for the contact of `conversation_id`."""
    conversation = db.get(Conversation, conversation_id)
    if conversation is None:
        return CrmView()
    contact = db.get(Contact, conversation.contact_id)
    tz = ZoneInfo(timezone)
    rows = db.exec(select(Appointment, Service)
                   .join(Service, col(Service.id) == Appointment.service_id)
                   .where(Appointment.contact_id == conversation.contact_id)
                   .order_by(col(Appointment.start_at)))
    appointments = tuple(
        AppointmentView(service.name, a.start_at.astimezone(tz).strftime("%Y-%m-%d %H:%M"),
                        a.status.value) for a, service in rows)
    lead = db.exec(select(Lead.id).where(Lead.contact_id == conversation.contact_id)).first()
    return CrmView(appointments=appointments, lead=lead is not None,
                   name=contact.name if contact else None,
                   phone=contact.contact_phone if contact else None,
                   email=contact.contact_email if contact else None,
                   needs_human=conversation.needs_human)


def normalized(text: str) -> str:
    """Lower case, no accents, one space for any run of spaces."""
    return " ".join(fold(text).split())


def check(expect: Expect, *, crm: CrmView, replies: Sequence[str], tools: Sequence[str],
          turn: int | None = None) -> list[Failure]:
    """The failures of `expect`. `replies` and `tools` are the whole scenario's (`turn`
    None) or one turn's; see evals.suite.Expect for what each field looks at."""
    failures: list[Failure] = []

    def fail(name: str, expected: str, actual: str) -> None:
        failures.append(Failure(name, expected, actual, turn))

    last = replies[-1] if replies else ""
    for wanted in expect.reply_contains:
        if normalized(wanted) not in normalized(last):
            fail("reply_contains", repr(wanted), _quote(last))
    for unwanted in expect.reply_not_contains:
        said = next((r for r in replies if normalized(unwanted) in normalized(r)), None)
        if said is not None:
            fail("reply_not_contains", f"no {unwanted!r}", _quote(said))
    for name in expect.tools_called:
        if name not in tools:
            fail("tools_called", name, ", ".join(tools) or "no tool")
    for name in expect.tools_not_called:
        if name in tools:
            fail("tools_not_called", f"no {name}", f"{name} called")
    if expect.language is not None:
        # A reply without words of either language (times, a price) passes.
        other = next((r for r in replies if guess_language(r, expect.language)
                      != expect.language), None)
        if other is not None:
            fail("language", expect.language, _quote(other))
    if expect.needs_human is not None and crm.needs_human != expect.needs_human:
        fail("needs_human", str(expect.needs_human).lower(), str(crm.needs_human).lower())
    if expect.appointments is not None and not matches(expect.appointments, crm.appointments):
        fail("appointments", _listed(expect.appointments), _listed(crm.appointments))
    if expect.lead is False:
        if crm.lead:
            fail("lead", "no lead", "a lead")
    elif expect.lead is not None:
        lead = expect.lead
        if not crm.lead:
            fail("lead", "a lead", "no lead")
        if lead.name_contains and normalized(lead.name_contains) not in normalized(
                crm.name or ""):
            fail("lead.name_contains", repr(lead.name_contains), repr(crm.name))
        if lead.phone_endswith and not _digits(crm.phone or "").endswith(
                _digits(lead.phone_endswith)):
            fail("lead.phone_endswith", repr(lead.phone_endswith), repr(crm.phone))
        if lead.email and (crm.email or "").lower() != lead.email.strip().lower():
            fail("lead.email", repr(lead.email), repr(crm.email))
    return failures


def matches(expected: Sequence[AppointmentExpect], actual: Sequence[AppointmentView]) -> bool:
    """Whether each expected appointment is a different one of `actual`, and there is no
    other (fields left out match anything)."""
    if len(expected) != len(actual):
        return False

    def fits(spec: AppointmentExpect, view: AppointmentView) -> bool:
        return ((spec.service is None or normalized(spec.service) == normalized(view.service))
                and (spec.start is None or spec.start == view.start)
                and (spec.status is None or spec.status == view.status))

    def assign(i: int, used: frozenset[int]) -> bool:
        if i == len(expected):
            return True
        return any(j not in used and fits(expected[i], view) and assign(i + 1, used | {j})
                   for j, view in enumerate(actual))

    return assign(0, frozenset())


def _listed(items: Sequence[AppointmentExpect] | Sequence[AppointmentView]) -> str:
    if not items:
        return "none"
    out = []
    for item in items:
        if isinstance(item, AppointmentExpect):
            out.append(" ".join(v for v in (item.service, item.start, item.status) if v))
        else:
            out.append(str(item))
    return "[" + "; ".join(out) + "]"


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def _quote(text: str, limit: int = 160) -> str:
    flat = " ".join(text.split())
    return repr(flat if len(flat) <= limit else flat[:limit - 1] + "…")
