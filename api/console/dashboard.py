"""The owner's dashboard: what the agent did in a period, as charts, tables and a CSV.

The figures are the JSON API's (api.routes.metrics, crm.services.metrics): an admin sees
the business or one seller's leads; a seller her own leads. The period is today, the last
7 or 30 days, or a custom range (`from`/`to`); a bad range is said on the page (422).
"""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, HTTPException, Query, Request, status
from fastapi.responses import HTMLResponse, Response
from sqlmodel import Session

from api.console.charts import COLOURS, Bar, bars, columns
from api.console.deps import Console, ConsoleDep
from api.console.leads import _sellers
from api.console.messages import t
from api.console.pages import page, reason
from api.deps import SessionDep
from api.routes.metrics import summary_for
from api.strict_input import StrictInputRoute
from crm.models import utcnow
from crm.services.metrics import HANDOFF_REASONS, MetricsSummary

router = APIRouter(prefix="/console", include_in_schema=False, route_class=StrictInputRoute)

RANGES = {"today": 1, "7": 7, "30": 30}
Day = Query(None, max_length=10)


def _dates(console: Console, range_: str | None, start: str | None,
           end: str | None) -> tuple[str, str | None, str | None]:
    """(range, from, to) for the figures: a preset counts back from today."""
    if range_ in RANGES or not (start or end):
        chosen = range_ if range_ in RANGES else "30"
        today = utcnow().astimezone(ZoneInfo(console.actor.tenant.timezone)).date()
        return chosen, (today - timedelta(days=RANGES[chosen] - 1)).isoformat(), \
            today.isoformat()
    return "custom", start, end


def _figures(console: Console, db: Session, range_: str | None, start: str | None,
             end: str | None, seller: str | None) -> tuple[str, MetricsSummary]:
    chosen, first, last = _dates(console, range_, start, end)
    return chosen, summary_for(db, console.actor, first, last,
                               seller if console.is_admin else None)


@router.get("/dashboard", response_class=HTMLResponse)
def dashboard(request: Request, console: ConsoleDep, db: SessionDep,
              range_: str | None = Query(None, alias="range", max_length=10),
              start: str | None = Query(None, alias="from", max_length=10),
              end: str | None = Query(None, alias="to", max_length=10),
              seller: str | None = Query(None, max_length=32)) -> HTMLResponse:
    sellers = _sellers(db, console.actor.tenant_id) if console.is_admin else []
    form = {"range": range_ or "30", "from": start or "", "to": end or "",
            "seller": seller or ""}
    try:
        chosen, figures = _figures(console, db, range_, start, end, seller)
    except HTTPException as exc:
        if exc.status_code != status.HTTP_422_UNPROCESSABLE_CONTENT:
            raise
        return page(request, console, "dashboard.html", section="dashboard",
                    status_code=exc.status_code, error=reason(exc, console.lang),
                    form={**form, "range": "custom"}, sellers=sellers, figures=None)
    form.update({"range": chosen, "from": figures.period_from.isoformat(),
                 "to": figures.period_to.isoformat()})
    return page(request, console, "dashboard.html", section="dashboard", form=form,
                sellers=sellers, figures=figures, charts=_charts(figures, console.lang),
                csv_query=request.url.query, reasons=HANDOFF_REASONS)


@router.get("/dashboard.csv")
def dashboard_csv(console: ConsoleDep, db: SessionDep,
                  range_: str | None = Query(None, alias="range", max_length=10),
                  start: str | None = Query(None, alias="from", max_length=10),
                  end: str | None = Query(None, alias="to", max_length=10),
                  seller: str | None = Query(None, max_length=32)) -> Response:
    """Every figure as `figure,value` rows (the JSON's keys, nested ones dotted)."""
    _, figures = _figures(console, db, range_, start, end, seller)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["figure", "value"])
    writer.writerows(flatten(figures.model_dump(mode="json", by_alias=True)))
    name = f"mostrador-{figures.period_from}-{figures.period_to}.csv"
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


def flatten(body: dict[str, Any]) -> list[tuple[str, Any]]:
    """(dotted key, value) of the summary's JSON; lists keyed by their rows' first field."""
    rows: list[tuple[str, Any]] = []

    def walk(prefix: str, value: Any) -> None:
        if isinstance(value, dict):
            for key, inner in value.items():
                walk(f"{prefix}.{key}" if prefix else str(key), inner)
        elif isinstance(value, list):
            for item in value:
                first, *rest = item.items()
                label = "" if first[1] is None else first[1]
                for key, inner in rest:
                    walk(f"{prefix}.{label}.{key}", inner)
        else:
            rows.append((prefix, "" if value is None else value))

    walk("", body)
    return rows


def _charts(figures: MetricsSummary, lang: str) -> dict[str, Any]:
    def _(key: str, **fields: object) -> str:
        return t(key, lang, **fields)

    days = figures.daily
    other = [d.conversations - d.resolved_by_agent - d.handoffs for d in days]
    booked = [("agent", "booked", figures.appointments_booked_by_agent),
              ("staff", "booked", figures.appointments_booked_by_staff),
              ("agent", "moved", figures.appointments_moved_by_agent),
              ("staff", "moved", figures.appointments_moved_by_staff),
              ("agent", "cancelled", figures.appointments_cancelled_by_agent),
              ("staff", "cancelled", figures.appointments_cancelled_by_staff)]
    return {
        "daily": columns(_("dash.chart_daily"), [d.day.strftime("%d/%m") for d in days], [
            (COLOURS["agent"], [d.resolved_by_agent for d in days]),
            (COLOURS["people"], [d.handoffs for d in days]),
            (COLOURS["other"], other)]),
        "channels": bars(_("dash.by_channel"), [
            Bar(_("channel." + c), n) for c, n in figures.conversations_by_channel.items()]),
        "handoffs": bars(_("dash.handoff_reasons"), [
            Bar(_("dash.reason." + r), figures.handoff_reasons[r], COLOURS["people"])
            for r in HANDOFF_REASONS]),
        "stages": bars(_("dash.leads_by_stage"), [
            Bar(_("stage." + s), n) for s, n in figures.leads_by_stage.items()]),
        "appointments": bars(_("dash.appointments"), [
            Bar(_(f"dash.appt.{what}_{who}"), n, COLOURS[who]) for who, what, n in booked]),
    }
