"""Erasure in the raw copies: stored webhook bodies, the inbound ledger, Lead Ads answers.

A webhook body (``WebhookEvent``) is what Meta sent: wa_ids, PSIDs, profile names, message
texts, the ids of the messages. A body is made of *units*, the parts that belong to one end
user (for the business's accounts):

- WhatsApp: each element of ``entry[].changes[].value.messages``, ``.statuses`` and
  ``.contacts`` (the account is ``value.metadata.phone_number_id``);
- Messenger and Instagram: each element of ``entry[].messaging`` (the account is the entry
  id); Lead Ads: each ``entry[].changes[]`` element (its ``value.page_id`` or the entry id).

A unit is the person's when one of its strings *is* one of the person's identifiers (a
sender id, a phone in E.164 or as a wa_id, an email, the id of one of their messages, of a
message sent to them or of their Lead Ads submission). Decision, per event:

- every unit is the person's → the event is deleted (its ledger rows cascade);
- otherwise (a batch that also carries other people's items) → the body is rewritten: every
  string of the person's units becomes "[borrado]" (except structural ones: type, field,
  status, action, timestamps, so the other items keep their positions and parse as before),
  and in the other units the person's phone, email and full name are replaced by
  "[borrado]" where they appear inside text. The person's items then parse as inert items
  the processing skips (no ledger row); the event's progress counts them as done.

Only events of the business (or of no single business: batches for several) are looked at,
and only units on the business's own accounts are touched: another business that the same
person writes to is another controller's data.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import delete, or_, update
from sqlmodel import Session, col, select

from channels.inbound import InboundMessage, LeadgenChange, StatusUpdate, dedup_key
from channels.payload import parse_webhook
from channels.processing import settle_event
from crm.errors import CrmError
from crm.models import (
    InboundKey,
    InboundState,
    LeadAdIntake,
    WebhookEvent,
)
from crm.services.normalize import normalize_email, normalize_phone
from crm.text import storable

SCRUBBED = "[borrado]"
# Strings that say what a part of a body is, never who: kept so the body still parses the same.
STRUCTURAL = frozenset({"object", "field", "type", "status", "action", "messaging_product",
                        "timestamp", "created_time", "time"})
_CHUNK = 500
_MIN_ID = 4  # shorter "identifiers" would match by accident
_PHONE_RUN = re.compile(r"\+?\d[\d\s\-().]{5,}\d")


@dataclass(frozen=True)
class Needles:
    """What finds the person in raw bodies."""

    ids: frozenset[str]          # whole strings that make a unit the person's
    texts: tuple[str, ...] = ()  # replaced inside any string of the business's units
    names: tuple[str, ...] = ()  # likewise, as whole words
    # The last digits of their numbers: a number written in any form that ends with them
    # ("11 15 6447-0923", "+54 9 11 6447 0923") is replaced too.
    phone_tails: tuple[str, ...] = ()

    def with_names(self, names: Iterable[str]) -> Needles:
        return replace(self, names=tuple(sorted({*self.names, *names})))

    def scrub_text(self, value: str) -> str:
        """`value` with the person's phone, email and name replaced by SCRUBBED."""
        if self.phone_tails:
            value = _PHONE_RUN.sub(self._phone, value)
        parts = [re.escape(t) for t in sorted(set(self.texts), key=len, reverse=True)
                 if len(t) >= _MIN_ID]
        parts += [rf"\b{re.escape(n)}\b" for n in sorted(set(self.names), key=len, reverse=True)
                  if len(n) >= 3]
        if parts:
            value = re.sub("|".join(parts), SCRUBBED, value, flags=re.IGNORECASE)
        return value

    def _phone(self, match: re.Match[str]) -> str:
        digits = re.sub(r"\D", "", match.group())
        return SCRUBBED if any(digits.endswith(t) for t in self.phone_tails) else match.group()

    def searches(self) -> list[str]:
        """Substrings to preselect bodies by (raw and as JSON escapes them)."""
        values = {v for v in (*self.ids, *self.texts, *self.names, *self.phone_tails)
                  if len(v) >= _MIN_ID}
        escaped = {json.dumps(v)[1:-1] for v in values}
        return sorted(values | escaped | {v.replace("/", "\\/") for v in escaped})


@dataclass
class EventPlan:
    delete: set[int] = field(default_factory=set)
    rewrite: dict[int, str] = field(default_factory=dict)   # event id → new body
    # The person's items in rewritten events: (event, index) → their inbound ledger key
    # (channel, external id), None for items without one (statuses).
    items: dict[tuple[int, int], tuple[str, str] | None] = field(default_factory=dict)
    # Every string of the person's units (storable): to tell their parsed items, in memory.
    tokens: set[str] = field(default_factory=set)
    # The Meta message ids among them (their messages, statuses of messages sent to them,
    # what they reacted to): the only values of theirs ever used in a query, never text.
    message_refs: set[str] = field(default_factory=set)

    @property
    def touched(self) -> int:
        return len(self.delete) + len(self.rewrite)


def units_of(body: Any) -> Iterator[tuple[dict[str, Any], str]]:
    """(unit, account id) of every unit of a webhook body (see the module docstring)."""
    if not isinstance(body, dict):
        return
    obj = body.get("object")
    for entry in _dicts(body.get("entry")):
        if obj == "whatsapp_business_account":
            for change in _dicts(entry.get("changes")):
                value = change.get("value")
                if not isinstance(value, dict):
                    continue
                metadata = value.get("metadata")
                account = str(metadata.get("phone_number_id") or "") \
                    if isinstance(metadata, dict) else ""
                for name in ("messages", "statuses", "contacts"):
                    for unit in _dicts(value.get(name)):
                        yield unit, account
        elif obj in ("page", "instagram"):
            for unit in _dicts(entry.get("messaging")):
                yield unit, str(entry.get("id") or "")
            for change in _dicts(entry.get("changes")):
                value = change.get("value")
                page = value.get("page_id") if isinstance(value, dict) else None
                yield change, str(page or entry.get("id") or "")


def _dicts(value: Any) -> list[dict[str, Any]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _strings(node: Any) -> Iterator[str]:
    if isinstance(node, str):
        yield storable(node)  # as the parsers read it (crm.text)
    elif isinstance(node, dict):
        for value in node.values():
            yield from _strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from _strings(value)


def _scrub(node: Any) -> Any:
    """Every string of a unit becomes SCRUBBED, except structural ones."""
    if isinstance(node, dict):
        return {k: (v if k in STRUCTURAL and not isinstance(v, dict | list) else _scrub(v))
                for k, v in node.items()}
    if isinstance(node, list):
        return [_scrub(v) for v in node]
    return SCRUBBED if isinstance(node, str) else node


def _scrub_structure(node: Any) -> Any:
    """The unit without its structural strings (they say what, not who)."""
    if isinstance(node, dict):
        return {k: _scrub_structure(v) for k, v in node.items()
                if not (k in STRUCTURAL and not isinstance(v, dict | list))}
    if isinstance(node, list):
        return [_scrub_structure(v) for v in node]
    return node


def _replace(node: Any, needles: Needles) -> Any:
    if isinstance(node, dict):
        return {k: _replace(v, needles) for k, v in node.items()}
    if isinstance(node, list):
        return [_replace(v, needles) for v in node]
    return needles.scrub_text(node) if isinstance(node, str) else node


def _names_in(node: Any) -> Iterator[str]:
    """Values of "name" keys (a WhatsApp profile name) in a unit."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "name" and isinstance(value, str) and value.strip():
                yield value.strip()
            else:
                yield from _names_in(value)
    elif isinstance(node, list):
        for value in node:
            yield from _names_in(value)


def plan_events(db: Session, *, tenant_id: str, accounts: set[str], needles: Needles,
                event_ids: Iterable[int] = ()) -> EventPlan:
    """Which of the business's events hold the person, and what becomes of each."""
    plan = EventPlan()
    searches = needles.searches()
    if not searches and not event_ids:
        return plan
    candidates = set(event_ids)
    if searches:
        scope = or_(col(WebhookEvent.tenant_id) == tenant_id,
                    col(WebhookEvent.tenant_id).is_(None))
        for i in range(0, len(searches), 50):
            found = or_(*[col(WebhookEvent.body).contains(s, autoescape=True)
                          for s in searches[i:i + 50]])
            candidates |= set(db.exec(select(WebhookEvent.id).where(scope, found)).all()) - {None}  # type: ignore[arg-type]
    for event_id in sorted(candidates):
        event = db.get(WebhookEvent, event_id)
        if event is None or event.tenant_id not in (tenant_id, None):
            continue
        try:
            body = json.loads(event.body)
        except ValueError:
            continue
        # A batch for this business alone is in scope whole; one for several, only the
        # units on this business's accounts.
        ours = event.tenant_id == tenant_id
        units = list(units_of(body))
        mine = [u for u, account in units if (ours or account in accounts)
                and any(s in needles.ids for s in _strings(u))]
        # what identifies their items: the strings of their units but the business's own
        # account ids (a Messenger unit names the page too) and the structural ones
        tokens = {s for u in mine for s in _strings(_scrub_structure(u))} - accounts
        tokens -= {str(a) for _, a in units} | {SCRUBBED}
        plan.tokens |= tokens
        items = [(index, item) for index, item in enumerate(parse_webhook(body).items)
                 if _item_in(item, tokens)]
        plan.message_refs |= {ref for _, item in items for ref in _refs(item)}
        if units and len(mine) == len(units):
            plan.delete.add(event_id)
            continue
        for index, item in items:
            plan.items[(event_id, index)] = dedup_key(item)
        mine_ids = {id(u) for u in mine}
        # the name they gave Meta (a WhatsApp profile) is theirs to erase in others' texts too
        local = needles.with_names(n for u in mine for n in _names_in(u))
        for unit, account in units:
            if id(unit) in mine_ids:
                scrubbed = _scrub(unit)
            elif ours or account in accounts:
                scrubbed = _replace(unit, local)
            else:
                continue
            unit.clear()
            unit.update(scrubbed)
        new = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
        if new != json.dumps(json.loads(event.body), ensure_ascii=False, separators=(",", ":")):
            plan.rewrite[event_id] = new
    return plan


def _refs(item: InboundMessage | StatusUpdate | LeadgenChange) -> set[str]:
    if isinstance(item, InboundMessage):
        return {r for r in (item.message_id, item.target_id) if r}
    if isinstance(item, StatusUpdate):
        return {item.message_id}
    return set()


def _item_in(item: InboundMessage | StatusUpdate | LeadgenChange, tokens: set[str]) -> bool:
    if isinstance(item, InboundMessage):
        return item.sender_id in tokens or item.message_id in tokens
    if isinstance(item, StatusUpdate):
        return item.message_id in tokens
    return item.leadgen_id in tokens


def apply_plan(db: Session, *, tenant_id: str, plan: EventPlan, senders: set[tuple[str, str]],
               dequeued: AbstractSet[tuple[int, int]] = frozenset()) -> dict[str, int]:
    """Delete and rewrite the events, and drop the person's inbound ledger rows (flushed).

    The person's items of a rewritten event will never count as done by the processing
    (their ledger rows are gone, or their queue entries, `dequeued`, were removed): they are
    counted here, so the event still settles once the other people's items are done.
    """
    rows: dict[str, int] = {}
    keys = list(db.exec(select(InboundKey).where(InboundKey.tenant_id == tenant_id, or_(
        col(InboundKey.event_id).in_(sorted(plan.delete | set(plan.rewrite))),
        col(InboundKey.sender_id).in_(sorted({s for _, s in senders}))))))
    doomed = [k for k in keys if k.event_id in plan.delete
              or (k.channel, k.sender_id) in senders or k.external_id in plan.tokens]
    pending = {(k.channel, k.external_id) for k in doomed if k.state == InboundState.pending}
    settled: dict[int, int] = {}
    for (event_id, index), key in plan.items.items():
        if event_id in plan.rewrite and (key in pending if key is not None
                                         else (event_id, index) in dequeued):
            settled[event_id] = settled.get(event_id, 0) + 1
    rows["inboundkey"] = _delete_ids(db, InboundKey, [k.id for k in doomed if k.id is not None])
    for event_id, body in plan.rewrite.items():
        db.exec(update(WebhookEvent).where(col(WebhookEvent.id) == event_id)  # type: ignore[call-overload]
                .values(body=body, items_done=col(WebhookEvent.items_done)
                        + settled.get(event_id, 0)))
        if settled.get(event_id):
            db.flush()
            settle_event(db, event_id)
    rows["webhookevent"] = _delete_ids(db, WebhookEvent, sorted(plan.delete))
    db.flush()
    return rows


def _delete_ids(db: Session, model: Any, ids: Sequence[Any]) -> int:
    removed = 0
    for i in range(0, len(ids), _CHUNK):
        result = db.exec(delete(model).where(col(model.id).in_(ids[i:i + _CHUNK])))  # type: ignore[call-overload]
        removed += result.rowcount or 0
    return removed


def intakes_of(db: Session, *, tenant_id: str, lead_ids: Sequence[str], phones: set[str],
               emails: set[str], region: str) -> list[str]:
    """Lead Ads intakes of the person: those of their leads, and the business's intakes
    without a lead (never registered, or its lead deleted) whose answers carry their phone
    or email. (Deleting a lead only empties an intake's lead_id: it keeps the answers.)"""
    found = []
    mine = {("phone", p) for p in phones} | {("email", e) for e in emails}
    query = select(LeadAdIntake).where(LeadAdIntake.tenant_id == tenant_id, or_(
        col(LeadAdIntake.lead_id).in_(list(lead_ids)), col(LeadAdIntake.lead_id).is_(None)))
    for intake in db.exec(query):
        if intake.lead_id is not None or mine & set(answer_identifiers(intake.answers, region)):
            found.append(intake.id)
    return found


def answer_identifiers(answers: Mapping[str, Any] | None, region: str) -> list[tuple[str, str]]:
    """("phone", E.164) and ("email", address) values found in a form's answers."""
    found: list[tuple[str, str]] = []
    for value in (answers or {}).values():
        if not isinstance(value, str) or not value.strip():
            continue
        try:
            found.append(("phone", normalize_phone(value, region=region)))
            continue
        except CrmError:
            pass
        try:
            found.append(("email", normalize_email(value)))
        except CrmError:
            pass
    return found
