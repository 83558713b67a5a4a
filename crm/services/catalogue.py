"""The tenant's catalogue: resolving a service the way a customer names it."""

from __future__ import annotations

import unicodedata

from sqlmodel import Session, col, select

from crm.errors import UnknownService
from crm.models import Service, Tenant

_STOP = {"de", "del", "la", "el", "los", "las", "un", "una", "para", "y"}


def fold(text: str) -> str:
    """Lower-case without accents: 'Limpiéza' -> 'limpieza'."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).strip()


def active_services(db: Session, *, tenant: Tenant) -> list[Service]:
    return list(
        db.exec(
            select(Service)
            .where(Service.tenant_id == tenant.id, Service.active)
            .order_by(col(Service.name))
        )
    )


def resolve_service(db: Session, *, tenant: Tenant, name: str) -> Service:
    """The active service the name designates; raises UnknownService listing the real ones."""
    services = active_services(db, tenant=tenant)
    wanted = fold(name)
    for service in services:
        if fold(service.name) == wanted:
            return service
    partial = [s for s in services if wanted and (wanted in fold(s.name) or fold(s.name) in wanted)]
    if len(partial) == 1:
        return partial[0]
    tokens = set(wanted.split()) - _STOP
    by_token = [s for s in services if tokens & (set(fold(s.name).split()) - _STOP)]
    if len(by_token) == 1:
        return by_token[0]
    names = ", ".join(s.name for s in services)
    raise UnknownService(f"No existe ese servicio. Los servicios son: {names}.")


def format_price(service: Service, *, currency: str) -> str:
    """'$ 15.000' for ARS/CLP/COP..., Latin-American thousands separator."""
    amount = f"{service.price:,.2f}".replace(",", "X").replace(".", ",").replace("X", ".")
    if amount.endswith(",00"):
        amount = amount[:-3]
    symbol = {"EUR": "€", "USD": "US$"}.get(currency, "$")
    return f"{symbol}\u00a0{amount}"  # no line break between symbol and amount
