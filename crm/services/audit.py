"""Append to the audit log. Callers pass ids, counts and filters — never personal data.

Each event is chained to the previous one: ``hash = sha256(prev_hash + canonical JSON of the
event)``. Concurrent writers may both chain to the same predecessor; the unique ``hash``
keeps the log itself intact, and a later issue adds verification and the read API.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from crm.models.audit import AuditEvent
from crm.models.base import utcnow


def event_digest(prev_hash: str, event: AuditEvent) -> str:
    """The chained hash of ``event`` (every field but ``id`` and ``hash``)."""
    body = {
        "at": _iso(event.at), "tenant_id": event.tenant_id, "actor_kind": event.actor_kind,
        "actor_id": event.actor_id, "action": event.action,
        "resource_type": event.resource_type, "resource_ids": list(event.resource_ids),
        "details": event.details, "source": event.source,
    }
    canonical = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"),
                           default=str)
    return hashlib.sha256((prev_hash + canonical).encode("utf-8")).hexdigest()


def _iso(value: datetime) -> str:
    return value.isoformat(timespec="microseconds")


def record_event(
    db: Session,
    *,
    action: str,
    actor_kind: str,
    resource_type: str,
    actor_id: str | None = None,
    tenant_id: str | None = None,
    resource_ids: Sequence[str] = (),
    details: dict[str, Any] | None = None,
    source: str | None = None,
) -> AuditEvent:
    """Append one event (flushed; the caller commits)."""
    last = db.exec(select(AuditEvent.hash).order_by(col(AuditEvent.id).desc()).limit(1)).first()
    event = AuditEvent(
        at=utcnow(), tenant_id=tenant_id, actor_kind=actor_kind, actor_id=actor_id,
        action=action, resource_type=resource_type, resource_ids=list(resource_ids),
        details=dict(details or {}), source=source, prev_hash=last or "",
    )
    event.hash = event_digest(event.prev_hash, event)
    db.add(event)
    db.flush()
    return event
