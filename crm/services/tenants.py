"""Tenants and their agent configuration."""

from __future__ import annotations

from sqlmodel import Session, select

from crm.errors import NotFound
from crm.models import AgentConfig, Tenant


def tenant_by_slug(db: Session, *, slug: str) -> Tenant:
    tenant = db.exec(select(Tenant).where(Tenant.slug == slug)).first()
    if tenant is None:
        raise NotFound(f"No business with slug {slug!r}.")
    return tenant


def agent_config(db: Session, *, tenant: Tenant) -> AgentConfig:
    """The tenant's agent configuration, created with defaults when missing."""
    config = db.exec(select(AgentConfig).where(AgentConfig.tenant_id == tenant.id)).first()
    if config is None:
        config = AgentConfig(tenant_id=tenant.id)
        db.add(config)
        db.flush()
    return config
