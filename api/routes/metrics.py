"""The owner's dashboard as JSON: `GET /v1/metrics/summary?from=&to=&seller=`.

Admins (and operators) see the whole business, or one seller's leads with `seller`; a
seller always gets the figures of their own leads. Figures are counts of rows, no personal
data, so reading them is not audited. Definitions: crm.services.metrics.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query
from sqlmodel import Session

from api.deps import Actor, CrmReader, SessionDep
from api.http_errors import unprocessable
from api.strict_input import StrictInputRoute
from crm.models import Role, User, utcnow
from crm.services.metrics import MAX_DAYS, MetricsSummary, summary

router = APIRouter(prefix="/v1", tags=["metrics"], route_class=StrictInputRoute)

DAY = r"^\d{4}-\d{2}-\d{2}$"
DEFAULT_DAYS = 30
FIRST_YEAR, LAST_YEAR = 2000, 2100  # the figures look weeks around the period: stay in range


def parse_day(value: str | None, name: str) -> date | None:
    """A YYYY-MM-DD day, or a 422 naming the parameter."""
    if not value:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise unprocessable(f"`{name}` is not a date: use YYYY-MM-DD (e.g. 2027-03-01).",
                            loc=["query", name]) from None
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise unprocessable(f"`{name}` must be a day between {FIRST_YEAR} and {LAST_YEAR}.",
                            loc=["query", name])
    return day


def period(actor: Actor, start: str | None, end: str | None) -> tuple[date, date]:
    """[from, to] from the query: `to` defaults to today (the business's timezone), `from`
    to 29 days before `to`; 422 when from > to or the period is too long."""
    last = parse_day(end, "to") or utcnow().astimezone(ZoneInfo(actor.tenant.timezone)).date()
    first = parse_day(start, "from") or last - timedelta(days=DEFAULT_DAYS - 1)
    if first > last:
        raise unprocessable("`from` is after `to`.", loc=["query", "from"])
    if (last - first).days + 1 > MAX_DAYS:
        raise unprocessable(f"The period is longer than {MAX_DAYS} days.",
                            loc=["query", "from"])
    return first, last


def seller_for(db: Session, actor: Actor, seller: str | None) -> str | None:
    """Whose leads: a seller's own always; an admin's choice (a seller of the business)."""
    if not actor.sees_every_lead:
        return actor.user.id
    if not seller:
        return None
    user = db.get(User, seller)
    if user is None or user.tenant_id != actor.tenant_id or user.role != Role.seller:
        raise unprocessable("`seller` is not a seller of this business.",
                            loc=["query", "seller"])
    return user.id


def summary_for(db: Session, actor: Actor, start: str | None, end: str | None,
                seller: str | None) -> MetricsSummary:
    first, last = period(actor, start, end)
    return summary(db, tenant_id=actor.tenant_id, timezone=actor.tenant.timezone,
                   start=first, end=last, seller_id=seller_for(db, actor, seller))


@router.get("/metrics/summary", response_model=MetricsSummary)
def metrics_summary(
    db: SessionDep, actor: CrmReader,
    start: Annotated[str | None, Query(alias="from", max_length=10, pattern=DAY, description=(
        "first day, YYYY-MM-DD in the business's timezone (default: 29 days before `to`)"))]
    = None,
    end: Annotated[str | None, Query(alias="to", max_length=10, pattern=DAY, description=(
        "last day, included (default: today)"))] = None,
    seller: Annotated[str | None, Query(max_length=32, description=(
        "admins: one seller's user id (their leads' figures); sellers always get their "
        "own"))] = None,
) -> MetricsSummary:
    """What the agent did for the business in a period: conversations, resolved by the
    agent alone, handoffs and why, leads and their conversion to appointments,
    appointments by the agent and by staff, first-response times, model calls.

    422: a bad date, `from` after `to`, a period over a year, or an unknown seller."""
    return summary_for(db, actor, start, end, seller)
