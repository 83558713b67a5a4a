"""A business's privacy policy: retention periods, what happens to expired contacts, the
minimum age and its review period, request deadlines (``TenantPrivacySettingsBase``).

``GET /v1/privacy/settings`` shows it (the defaults while the business has set nothing);
``PUT /v1/privacy/settings`` changes the fields given (the others stay). Admins and
operators (scope ``privacy:manage``); every change is audited with the new values (days,
ages, hours: no personal data).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, status
from pydantic import BaseModel, ConfigDict, ValidationError, create_model
from sqlmodel import select

from api.deps import PrivacyManager, SessionDep
from api.http_errors import unprocessable
from api.strict_input import StrictInputRoute
from crm.models import TenantPrivacySettings, TenantPrivacySettingsBase, utcnow

router = APIRouter(prefix="/v1/privacy", tags=["privacy"], route_class=StrictInputRoute)
_FIELDS = tuple(TenantPrivacySettingsBase.model_fields)


class PrivacySettingsOut(TenantPrivacySettingsBase):
    updated_at: datetime | None = None  # None: the defaults, never changed


def _optional(annotation: Any, metadata: list[Any]) -> Any:
    """`annotation | None` keeping its bounds (annotated_types.Ge, Le...), not SQLModel's
    column metadata."""
    bounds = [m for m in metadata if type(m).__module__ == "annotated_types"]
    return Annotated[annotation, *bounds] | None if bounds else annotation | None


# The same fields and bounds as TenantPrivacySettingsBase, each optional (a partial update).
PrivacySettingsIn: type[BaseModel] = create_model(  # type: ignore[call-overload]
    "PrivacySettingsIn", __config__=ConfigDict(extra="forbid"),
    **{name: (_optional(field.annotation, field.metadata), None)
       for name, field in TenantPrivacySettingsBase.model_fields.items()})


def _row(db: SessionDep, tenant_id: str) -> TenantPrivacySettings | None:
    return db.exec(select(TenantPrivacySettings)
                   .where(TenantPrivacySettings.tenant_id == tenant_id)).first()


def _out(row: TenantPrivacySettings | None) -> PrivacySettingsOut:
    if row is None:
        return PrivacySettingsOut()
    return PrivacySettingsOut(**{f: getattr(row, f) for f in _FIELDS},
                              updated_at=row.updated_at)


@router.get("/settings", response_model=PrivacySettingsOut)
def get_privacy_settings(db: SessionDep, actor: PrivacyManager) -> PrivacySettingsOut:
    """The business's privacy policy (retention, minors, deadlines)."""
    return _out(_row(db, actor.tenant_id))


@router.put("/settings", response_model=PrivacySettingsOut)
def put_privacy_settings(body: PrivacySettingsIn, db: SessionDep,
                         actor: PrivacyManager) -> PrivacySettingsOut:
    """Change the fields given; the others stay. Raw webhook bodies (copies of the
    messages) may not be kept longer than the conversations or the contacts."""
    changes = {k: v for k, v in body.model_dump(exclude_unset=True).items()
               if v is not None}
    row = _row(db, actor.tenant_id)
    current = _out(row).model_dump(include=set(_FIELDS))
    try:
        merged = TenantPrivacySettingsBase.model_validate({**current, **changes})
    except ValidationError as exc:  # out of bounds
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT,
                            [{**e, "loc": ["body", *e["loc"]]} for e in exc.errors()]) from None
    longest_raw = min(merged.conversation_retention_days, merged.lead_retention_days)
    if merged.raw_event_retention_days > longest_raw:
        raise unprocessable("raw_event_retention_days may not exceed "
                            "conversation_retention_days or lead_retention_days: raw webhook "
                            "bodies are copies of the messages.",
                            loc=("body", "raw_event_retention_days"))
    if row is None:
        row = TenantPrivacySettings(tenant_id=actor.tenant_id)
    for name in _FIELDS:
        setattr(row, name, getattr(merged, name))
    row.updated_at = utcnow()
    db.add(row)
    db.flush()
    actor.audit(db, action="privacy_settings.update", resource_type="privacy_settings",
                resource_ids=[actor.tenant_id],
                details={"changes": {k: getattr(merged, k) for k in sorted(changes)}})
    db.commit()
    return _out(row)
