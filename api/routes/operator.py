"""What platform operators do on the platform itself: create businesses."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, status
from pydantic import BaseModel, Field

from api.deps import OperatorDep, SessionDep, SettingsDep
from api.http_errors import unprocessable
from api.strict_input import StrictInputRoute
from crm.errors import AlreadyExists, InvalidInput
from crm.services.audit import record_event
from crm.services.tenants import create_tenant

router = APIRouter(prefix="/v1/operator", tags=["operators"],
                   route_class=StrictInputRoute)


class TenantIn(BaseModel):
    slug: str = Field(min_length=2, max_length=63, description="the chat is /chat/SLUG")
    name: str = Field(min_length=1, max_length=200)
    timezone: str = Field(max_length=64, description="IANA, e.g. America/Mexico_City")
    admin_email: str = Field(max_length=200)
    admin_name: str | None = Field(default=None, max_length=200)
    locale: str = Field(default="es-AR", max_length=16)
    currency: str = Field(default="ARS", max_length=3)


class TenantCreated(BaseModel):
    slug: str
    name: str
    admin_email: str
    invitation_url: str = Field(description="the admin sets a password here (once, before "
                                            "it expires)")


@router.post("/tenants", response_model=TenantCreated, status_code=status.HTTP_201_CREATED)
def create_business(body: TenantIn, db: SessionDep, operator: OperatorDep,
                    settings: SettingsDep) -> TenantCreated:
    """A new business with sensible defaults and its first admin, who gets a one-time
    invitation link to set a password."""
    try:
        created = create_tenant(db, slug=body.slug, name=body.name, timezone=body.timezone,
                                admin_email=body.admin_email, admin_name=body.admin_name,
                                locale=body.locale, currency=body.currency,
                                invitation_hours=settings.invitation_hours,
                                created_by=operator.user.id)
    except InvalidInput as exc:
        db.rollback()
        raise unprocessable(str(exc)) from None
    except AlreadyExists as exc:
        db.rollback()
        raise HTTPException(status.HTTP_409_CONFLICT, str(exc)) from None
    record_event(db, action="tenant.create", actor_kind="operator", actor_id=operator.user.id,
                 tenant_id=created.tenant.id, resource_type="tenant",
                 resource_ids=[created.tenant.id, created.admin.id], source=operator.source)
    db.commit()
    return TenantCreated(slug=created.tenant.slug, name=created.tenant.name,
                         admin_email=created.admin.email,
                         invitation_url=created.invitation.url(settings.base_url))
