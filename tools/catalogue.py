"""Tools that answer from the business's catalogue: services, prices, hours, address, FAQ."""

from __future__ import annotations

from datetime import date, timedelta

from langchain.tools import ToolRuntime, tool
from sqlmodel import select

from crm.models import FaqEntry, hours_for
from crm.services.catalogue import active_services, fold, format_price
from crm.weekdays import WEEKDAY_NAMES, day_label
from tools.context import ToolContext
from tools.results import guarded, ok


@tool
@guarded
def list_services(runtime: ToolRuntime[ToolContext]) -> str:
    """List the services the business offers, with duration in minutes and price."""
    ctx = runtime.context
    services = active_services(ctx.db, tenant=ctx.tenant)
    return ok(services=[
        {"name": s.name, "duration_minutes": s.duration_minutes,
         "price": format_price(s, currency=ctx.tenant.currency), "description": s.description}
        for s in services
    ])


def day_hours_text(business_hours: dict[str, list[list[str]]], weekday: int) -> str:
    """One weekday's opening hours: "09:00 a 13:00 y 14:00 a 18:00", or "cerrado"."""
    intervals = hours_for(business_hours, weekday)
    return " y ".join(f"{a} a {b}" for a, b in intervals) if intervals else "cerrado"


def hours_text(business_hours: dict[str, list[list[str]]]) -> str:
    return "; ".join(f"{name}: {day_hours_text(business_hours, weekday)}"
                     for weekday, name in enumerate(WEEKDAY_NAMES["es"]))


@tool
@guarded
def business_info(topic: str, runtime: ToolRuntime[ToolContext]) -> str:
    """Answer a question about the business.

    Args:
        topic: "horarios" (opening hours), "direccion" (address and contact), "precios"
            (services and prices), "pagos" (payment methods), or any other question in the
            customer's words, looked up in the business's FAQ.
    """
    ctx = runtime.context
    tenant = ctx.tenant
    key = fold(topic)
    if key.startswith(("horario", "hora", "hours", "open")):
        answer = hours_text(tenant.business_hours)
        today = ctx.now.astimezone(ctx.tz).date()
        upcoming = [d for d in sorted(tenant.closed_dates or [])
                    if today.isoformat() <= d <= (today + timedelta(days=60)).isoformat()]
        if upcoming:
            answer += ". Cerrado también: " + ", ".join(
                day_label(date.fromisoformat(d)) for d in upcoming)
        return ok(topic="horarios", answer=answer)
    if key.startswith(("direc", "ubica", "address", "donde", "contact")):
        parts = [p for p in (tenant.address, tenant.phone, tenant.email) if p]
        return ok(topic="direccion", answer=" · ".join(parts) or "Sin dirección cargada.")
    if key.startswith(("precio", "servicio", "price", "cuanto", "costo")):
        services = active_services(ctx.db, tenant=tenant)
        answer = "; ".join(f"{s.name}: {format_price(s, currency=tenant.currency)}"
                           for s in services)
        return ok(topic="precios", answer=answer)
    faq = list(ctx.db.exec(select(FaqEntry).where(FaqEntry.tenant_id == tenant.id)))
    if key.startswith(("pago", "pay", "tarjeta", "cuota")):
        key = "pago"
    words = {w for w in key.replace("?", " ").split() if len(w) > 3}
    best = max(faq, default=None,
               key=lambda e: len(words & set(fold(e.question + " " + e.answer).split())))
    if best is None or not words & set(fold(best.question + " " + best.answer).split()):
        return ok(topic=topic, answer=None,
                  note="No hay información cargada sobre eso; ofrecé derivar con el equipo.")
    return ok(topic=topic, answer=best.answer, question=best.question)
