"""The audit log: append, read and verify. Callers pass ids, counts and filters — never
personal data.

Every business has its own chain (``chain`` = tenant id; events of no business are the
``platform`` chain). An event's ``seq`` is its predecessor's + 1 and its ``hash`` is
``sha256(prev_hash + canonical JSON of the event)``. Appends to a chain are serialized: on
PostgreSQL by a transaction-scoped advisory lock on the chain, on SQLite by its single
writer; the unique (chain, seq) index refuses a fork whatever happens. The appender holds
that lock until its transaction ends, so audited work commits promptly.

``verify_chains`` recomputes every hash and checks the links and the sequence, which proves
that no event was edited or removed from the middle. Removing the newest events of a chain
leaves a shorter, valid chain: compare the head that ``mostrador audit verify`` prints with
one kept elsewhere to catch that.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlmodel import Session, col, select

from crm.models.audit import LEGACY_CHAIN, PLATFORM_CHAIN, AuditEvent
from crm.models.base import utcnow


def _canonical(body: dict[str, Any]) -> str:
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"),
                      default=str)


def event_digest(prev_hash: str, event: AuditEvent) -> str:
    """The chained hash of ``event`` (every field but ``id`` and ``hash``)."""
    body: dict[str, Any] = {
        "at": _iso(event.at), "tenant_id": event.tenant_id, "actor_kind": event.actor_kind,
        "actor_id": event.actor_id, "action": event.action,
        "resource_type": event.resource_type, "resource_ids": list(event.resource_ids),
        "details": event.details, "source": event.source,
    }
    if event.chain != LEGACY_CHAIN:  # v1 events (before chains per business) lack these
        body["chain"], body["seq"] = event.chain, event.seq
    return hashlib.sha256((prev_hash + _canonical(body)).encode("utf-8")).hexdigest()


def _iso(value: datetime) -> str:
    return value.isoformat(timespec="microseconds")


def chain_of(tenant_id: str | None) -> str:
    return tenant_id or PLATFORM_CHAIN


def _lock_chain(db: Session, chain: str) -> None:
    if db.get_bind().dialect.name == "postgresql":
        db.exec(text("SELECT pg_advisory_xact_lock(hashtext(:key))"),  # type: ignore[call-overload]
                params={"key": f"mostrador.audit:{chain}"})


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
    """Append one event to its business's chain (flushed; the caller commits)."""
    chain = chain_of(tenant_id)
    _lock_chain(db, chain)
    last = db.exec(select(AuditEvent.seq, AuditEvent.hash).where(AuditEvent.chain == chain)
                   .order_by(col(AuditEvent.seq).desc()).limit(1)).first()
    event = AuditEvent(
        chain=chain, seq=(last[0] if last else 0) + 1, at=utcnow(), tenant_id=tenant_id,
        actor_kind=actor_kind, actor_id=actor_id, action=action, resource_type=resource_type,
        resource_ids=[str(r) for r in resource_ids][:1000], details=dict(details or {}),
        source=(source or None) and str(source)[:64], prev_hash=last[1] if last else "",
    )
    event.hash = event_digest(event.prev_hash, event)
    db.add(event)
    db.flush()
    return event


@dataclass
class ChainReport:
    chain: str
    events: int = 0
    head: str = ""
    problems: list[str] = field(default_factory=list)  # "event 12: hash mismatch"...

    @property
    def ok(self) -> bool:
        return not self.problems


def _events(db: Session, chain: str, batch: int = 1000) -> Iterator[AuditEvent]:
    after = -1
    while True:
        rows = list(db.exec(select(AuditEvent).where(AuditEvent.chain == chain,
                                                     col(AuditEvent.seq) > after)
                            .order_by(col(AuditEvent.seq)).limit(batch)))
        if not rows:
            return
        yield from rows
        after = rows[-1].seq


def verify_chain(db: Session, chain: str) -> ChainReport:
    """Recompute every hash of one chain and check the links and the sequence."""
    report = ChainReport(chain)
    prev_hash, expected_seq = "", 1
    for event in _events(db, chain):
        report.events += 1
        where = f"event {event.id} (seq {event.seq})"
        if event.seq != expected_seq:
            report.problems.append(f"{where}: expected seq {expected_seq}; events are missing")
        if event.prev_hash != prev_hash:
            report.problems.append(f"{where}: does not link to the previous event")
        if event_digest(event.prev_hash, event) != event.hash:
            report.problems.append(f"{where}: content does not match its hash (edited)")
        prev_hash, expected_seq = event.hash, event.seq + 1
    report.head = prev_hash
    return report


def chains(db: Session, tenant_id: str | None = None) -> list[str]:
    """Every chain in the log (or the business's own)."""
    if tenant_id is not None:
        return [chain_of(tenant_id)]
    return sorted(str(c) for c in db.exec(select(AuditEvent.chain).distinct()))


def verify_chains(db: Session, tenant_id: str | None = None) -> list[ChainReport]:
    return [verify_chain(db, chain) for chain in chains(db, tenant_id)]


def search_events(db: Session, *, tenant_id: str, action: str | None = None,
                  actor_id: str | None = None, resource_type: str | None = None,
                  resource_id: str | None = None, since: datetime | None = None,
                  until: datetime | None = None, limit: int = 100,
                  offset: int = 0) -> list[AuditEvent]:
    """A business's events, newest first. `action` may end in "*" ("privacy.*")."""
    query = select(AuditEvent).where(AuditEvent.tenant_id == tenant_id)
    if action:
        query = query.where(col(AuditEvent.action).startswith(action[:-1])
                            if action.endswith("*") else AuditEvent.action == action)
    if actor_id:
        query = query.where(AuditEvent.actor_id == actor_id)
    if resource_type:
        query = query.where(AuditEvent.resource_type == resource_type)
    if since:
        query = query.where(col(AuditEvent.at) >= since)
    if until:
        query = query.where(col(AuditEvent.at) < until)
    query = query.order_by(col(AuditEvent.id).desc())
    if resource_id:
        # resource_ids is a JSON list; filter in Python over a bounded window.
        rows = [e for e in db.exec(query.limit(10_000)) if resource_id in e.resource_ids]
        return rows[offset:offset + limit]
    return list(db.exec(query.offset(offset).limit(limit)))


__all__ = ["ChainReport", "chain_of", "event_digest", "record_event", "search_events",
           "utcnow", "verify_chain", "verify_chains"]
