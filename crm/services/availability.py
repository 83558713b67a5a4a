"""Free appointment times: business hours minus held slots, in the tenant's timezone."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from crm.models import HOLD_MINUTES, Service, SlotHold, Tenant, hours_for

HOLD = timedelta(minutes=HOLD_MINUTES)


def parse_hhmm(value: str) -> time:
    hours, minutes = value.split(":")
    return time(int(hours), int(minutes))


def local_dt(tenant: Tenant, day: date, at: time) -> datetime:
    return datetime.combine(day, at, tzinfo=ZoneInfo(tenant.timezone))


def cells(start: datetime, end: datetime) -> list[datetime]:
    """The UTC hold cells [start, end) covers."""
    out, cursor = [], start.astimezone(UTC)
    stop = end.astimezone(UTC)
    while cursor < stop:
        out.append(cursor)
        cursor += HOLD
    return out


def opening_intervals(tenant: Tenant, day: date) -> list[tuple[datetime, datetime]]:
    """The day's opening intervals: none on a closed date (a holiday), else its weekday's."""
    if day.isoformat() in (tenant.closed_dates or ()):
        return []
    return [
        (local_dt(tenant, day, parse_hhmm(a)), local_dt(tenant, day, parse_hhmm(b)))
        for a, b in hours_for(tenant.business_hours, day.weekday())
    ]


def within_hours(tenant: Tenant, start: datetime, end: datetime) -> bool:
    day = start.astimezone(ZoneInfo(tenant.timezone)).date()
    return any(a <= start and end <= b for a, b in opening_intervals(tenant, day))


def held_cells(db: Session, *, tenant: Tenant, start: datetime, end: datetime) -> set[datetime]:
    rows = db.exec(
        select(SlotHold.slot_start).where(
            SlotHold.tenant_id == tenant.id,
            col(SlotHold.slot_start) >= start.astimezone(UTC),
            col(SlotHold.slot_start) < end.astimezone(UTC),
        )
    )
    return set(rows)


def free_starts(
    db: Session, *, tenant: Tenant, service: Service, day: date, now: datetime
) -> list[datetime]:
    """Start times (aware, tenant tz) on `day` where `service` fits and nothing is held."""
    intervals = opening_intervals(tenant, day)
    if not intervals:
        return []
    duration = timedelta(minutes=service.duration_minutes)
    step = timedelta(minutes=tenant.slot_step_minutes)
    held = held_cells(db, tenant=tenant, start=intervals[0][0], end=intervals[-1][1])
    starts: list[datetime] = []
    for open_at, close_at in intervals:
        cursor = open_at
        while cursor + duration <= close_at:
            if cursor > now and not any(c in held for c in cells(cursor, cursor + duration)):
                starts.append(cursor)
            cursor += step
    return starts
