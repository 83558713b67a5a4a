"""The business's own profile, opening hours and services, as its staff configure them.

Everyone on the staff may read them; only admins change them. Hours are validated here so
that the agent never offers a time the booking service would refuse.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fastapi import APIRouter, Body, HTTPException, status
from pydantic import BaseModel, Field, field_validator
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from api.deps import BusinessReader, ConfigWriter, SessionDep
from api.http_errors import unprocessable
from api.origins import normalize_pattern
from api.strict_input import StrictInputRoute
from crm.models import HOLD_MINUTES, WEEKDAYS, Service, Tenant

router = APIRouter(prefix="/v1", tags=["business"], route_class=StrictInputRoute)


def _minutes(value: str) -> int:
    hours, _, minutes = value.partition(":")
    if not (hours.isdigit() and minutes.isdigit() and len(minutes) == 2 and len(hours) <= 2):
        raise ValueError('times are "HH:MM", e.g. "09:30"')
    total = int(hours) * 60 + int(minutes)
    if not 0 <= total <= 24 * 60 or int(minutes) >= 60:
        raise ValueError("times are times of day, 00:00 to 24:00")
    if total % HOLD_MINUTES:
        raise ValueError(f"opening hours go in steps of {HOLD_MINUTES} minutes")
    return total


def day_intervals(day: str, intervals: list[list[str]]) -> list[list[str]]:
    """One day's opening intervals, checked (HH:MM, in steps, opening before closing, no
    overlap) and in order; raises ValueError saying what is wrong."""
    spans = []
    for interval in intervals:
        if len(interval) != 2:
            raise ValueError(f"{day}: each interval is [open, close]")
        start, end = _minutes(interval[0]), _minutes(interval[1])
        if start >= end:
            raise ValueError(f"{day}: each interval opens before it closes")
        spans.append((start, end, interval))
    spans.sort()
    if any(a[1] > b[0] for a, b in zip(spans, spans[1:], strict=False)):
        raise ValueError(f"{day}: intervals overlap")
    return [list(interval) for _, _, interval in spans]


class ServiceOut(BaseModel):
    id: str
    name: str
    description: str | None
    duration_minutes: int
    price: Decimal
    active: bool


class ServiceIn(BaseModel):
    name: str = Field(min_length=1, max_length=120)
    description: str | None = Field(default=None, max_length=500)
    duration_minutes: int = Field(ge=HOLD_MINUTES, le=480, multiple_of=HOLD_MINUTES)
    price: Decimal = Field(ge=0, max_digits=12, decimal_places=2)
    active: bool = True


class BusinessOut(BaseModel):
    name: str
    slug: str
    timezone: str
    locale: str
    currency: str
    address: str | None
    phone: str | None
    email: str | None
    business_hours: dict[str, list[list[str]]]
    closed_dates: list[date]
    slot_step_minutes: int
    privacy_notice_url: str | None
    widget_origins: list[str]
    services: list[ServiceOut]


class BusinessIn(BaseModel):
    """Fields left out stay as they are."""

    name: str | None = Field(default=None, min_length=1, max_length=200)
    timezone: str | None = Field(default=None, max_length=64)
    locale: str | None = Field(default=None, pattern=r"^[a-z]{2}(-[A-Z]{2})?$")
    currency: str | None = Field(default=None, pattern=r"^[A-Z]{3}$")
    address: str | None = Field(default=None, max_length=300)
    phone: str | None = Field(default=None, max_length=32)
    email: str | None = Field(default=None, max_length=200)
    business_hours: dict[str, list[list[str]]] | None = Field(
        default=None, description='{"mon": [["09:00", "13:00"], ["14:00", "18:00"]], ...}'
    )
    closed_dates: list[date] | None = Field(
        default=None, max_length=400,
        description='holidays and other closed days, "YYYY-MM-DD" (the list replaces the '
                    "previous one; [] clears it)")
    slot_step_minutes: int | None = Field(default=None, ge=HOLD_MINUTES, le=240,
                                          multiple_of=HOLD_MINUTES)
    privacy_notice_url: str | None = Field(
        default=None, max_length=500, pattern=r"^https?://[^\s]+$",
        description="the business's privacy notice, linked from the web chat; null: "
                    "Mostrador's generated notice at /privacy/{slug}")
    widget_origins: list[str] | None = Field(
        default=None, max_length=50,
        description='sites allowed to embed the chat widget: "https://shop.example", '
                    '"http://localhost:*" (any port), "https://*.shop.example"')

    @field_validator("widget_origins")
    @classmethod
    def _origins(cls, value: list[str] | None) -> list[str] | None:
        if value is None:
            return None
        return list(dict.fromkeys(normalize_pattern(v) for v in value))

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                ZoneInfo(value)
            except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: name too long
                raise ValueError("unknown IANA timezone; use a name like "
                                 "America/Argentina/Buenos_Aires") from None
        return value

    @field_validator("business_hours")
    @classmethod
    def _valid_hours(cls, value: dict[str, list[list[str]]] | None
                     ) -> dict[str, list[list[str]]] | None:
        if value is None:
            return None
        unknown = sorted(set(value) - set(WEEKDAYS))
        if unknown:
            raise ValueError(f"unknown days; use {list(WEEKDAYS)}")
        return {day: day_intervals(day, value.get(day, [])) for day in WEEKDAYS}


def _service_out(service: Service) -> ServiceOut:
    return ServiceOut(id=service.id, name=service.name, description=service.description,
                      duration_minutes=service.duration_minutes, price=service.price,
                      active=service.active)


def _business_out(db: SessionDep, tenant: Tenant) -> BusinessOut:
    services = db.exec(select(Service).where(Service.tenant_id == tenant.id)
                       .order_by(col(Service.name))).all()
    return BusinessOut(
        name=tenant.name, slug=tenant.slug, timezone=tenant.timezone, locale=tenant.locale,
        currency=tenant.currency, address=tenant.address, phone=tenant.phone,
        email=tenant.email, business_hours=tenant.business_hours,
        closed_dates=[date.fromisoformat(d) for d in tenant.closed_dates or []],
        slot_step_minutes=tenant.slot_step_minutes,
        privacy_notice_url=tenant.privacy_notice_url,
        widget_origins=list(tenant.widget_origins or []),
        services=[_service_out(s) for s in services],
    )


@router.get("/business", response_model=BusinessOut)
def get_business(db: SessionDep, actor: BusinessReader) -> BusinessOut:
    """The business profile, opening hours and every service (active or not)."""
    return _business_out(db, actor.tenant)


@router.put("/business", response_model=BusinessOut)
def put_business(body: BusinessIn, db: SessionDep, actor: ConfigWriter) -> BusinessOut:
    """Change the profile or opening hours (times in the business's timezone)."""
    tenant = actor.tenant
    changed = body.model_dump(exclude_unset=True)
    if changed.get("closed_dates") is not None:
        changed["closed_dates"] = sorted({d.isoformat() for d in changed["closed_dates"]})
    for key, value in changed.items():
        if value is not None or key in {"address", "phone", "email", "privacy_notice_url"}:
            setattr(tenant, key, value)
    db.add(tenant)
    actor.audit(db, action="business.update", resource_type="tenant", resource_ids=[tenant.id],
                details={"fields": sorted(changed)})
    db.commit()
    return _business_out(db, tenant)


Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
Interval = Annotated[list[Annotated[str, Field(max_length=5)]], Field(min_length=2, max_length=2)]


@router.patch("/business/hours/{day}", response_model=BusinessOut)
def patch_business_hours(day: Weekday,
                         body: Annotated[list[Interval], Body(max_length=12)],
                         db: SessionDep, actor: ConfigWriter) -> BusinessOut:
    """Change one day's opening hours, leaving the other days as they are.

    The body lists the day's intervals, ``[["09:00", "13:00"], ["16:00", "20:00"]]``
    (times in the business's timezone, in steps of the booking hold); ``[]`` closes the
    day. 422 says what is wrong with a time or an interval."""
    try:
        intervals = day_intervals(day, body)
    except ValueError as exc:
        raise unprocessable(str(exc), loc=["body"]) from None
    tenant = actor.tenant
    hours = {d: list(tenant.business_hours.get(d, [])) for d in WEEKDAYS}
    hours[day] = intervals
    tenant.business_hours = hours  # a new dict: the JSON column sees the change
    db.add(tenant)
    actor.audit(db, action="business.hours", resource_type="tenant", resource_ids=[tenant.id],
                details={"day": day, "intervals": len(intervals)})
    db.commit()
    return _business_out(db, tenant)


@router.post("/services", response_model=ServiceOut, status_code=status.HTTP_201_CREATED)
def create_service(body: ServiceIn, db: SessionDep, actor: ConfigWriter) -> ServiceOut:
    service = Service(tenant_id=actor.tenant_id, **body.model_dump())
    db.add(service)
    try:
        db.commit()
    except IntegrityError:
        db.rollback()
        raise HTTPException(status.HTTP_409_CONFLICT,
                            "A service with that name already exists.") from None
    return _service_out(service)


def _own_service(db: SessionDep, tenant: Tenant, service_id: str) -> Service:
    service = db.get(Service, service_id)
    if service is None or service.tenant_id != tenant.id:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "No such service.")
    return service


@router.put("/services/{service_id}", response_model=ServiceOut)
def update_service(service_id: str, body: ServiceIn, db: SessionDep,
                   actor: ConfigWriter) -> ServiceOut:
    """Replace a service's fields. Booked appointments keep the duration they were booked
    with; set `active` to false to stop offering it."""
    service = _own_service(db, actor.tenant, service_id)
    for key, value in body.model_dump().items():
        setattr(service, key, value)
    db.add(service)
    try:
        db.commit()
    except IntegrityError:
        db.rollback()
        raise HTTPException(status.HTTP_409_CONFLICT,
                            "A service with that name already exists.") from None
    return _service_out(service)


@router.delete("/services/{service_id}", status_code=status.HTTP_204_NO_CONTENT)
def retire_service(service_id: str, db: SessionDep, actor: ConfigWriter) -> None:
    """Stop offering a service. It stays (inactive) so past appointments keep their name."""
    service = _own_service(db, actor.tenant, service_id)
    service.active = False
    db.add(service)
    db.commit()
