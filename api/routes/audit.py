"""The business's audit log, for admins (scope ``audit:read``): who read, exported, changed
or erased what, when and from where. Reading it is itself audited."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Query
from pydantic import BaseModel

from api.deps import AuditReader, SessionDep
from api.paging import Limit, Offset
from api.strict_input import StrictInputRoute
from crm.services.audit import search_events, verify_chain

router = APIRouter(prefix="/v1/audit", tags=["audit"], route_class=StrictInputRoute)


class AuditEventOut(BaseModel):
    id: int
    seq: int
    at: datetime
    actor_kind: str
    actor_id: str | None
    action: str
    resource_type: str
    resource_ids: list[str]
    details: dict[str, Any]
    source: str | None
    hash: str


class AuditVerifyOut(BaseModel):
    ok: bool
    events: int
    head: str
    problems: list[str]


@router.get("", response_model=list[AuditEventOut])
def list_audit_events(
    db: SessionDep, actor: AuditReader,
    action: str | None = Query(None, max_length=64,
                               description='exact, or a prefix ending in "*": "privacy.*"'),
    actor_id: str | None = Query(None, max_length=64),
    resource_type: str | None = Query(None, max_length=64),
    resource_id: str | None = Query(None, max_length=64),
    since: datetime | None = None, until: datetime | None = None,
    limit: Limit = 100, offset: Offset = 0,
) -> list[AuditEventOut]:
    """Events of this business, newest first, filtered."""
    rows = search_events(db, tenant_id=actor.tenant_id, action=action, actor_id=actor_id,
                         resource_type=resource_type, resource_id=resource_id, since=since,
                         until=until, limit=limit, offset=offset)
    out = [AuditEventOut(id=e.id or 0, seq=e.seq, at=e.at, actor_kind=e.actor_kind,
                         actor_id=e.actor_id, action=e.action, resource_type=e.resource_type,
                         resource_ids=list(e.resource_ids), details=dict(e.details),
                         source=e.source, hash=e.hash) for e in rows]
    actor.audit(db, action="audit.read", resource_type="audit",
                details={"count": len(out), "action": action, "offset": offset})
    db.commit()
    return out


@router.get("/verify", response_model=AuditVerifyOut)
def verify_audit_chain(db: SessionDep, actor: AuditReader) -> AuditVerifyOut:
    """Recompute this business's chain: `ok` false names the first events that do not
    verify (edited, or missing from the middle). Keep `head` elsewhere to detect a cut
    tail later."""
    report = verify_chain(db, f"{actor.tenant_id}")
    return AuditVerifyOut(ok=report.ok, events=report.events, head=report.head,
                          problems=report.problems[:20])
