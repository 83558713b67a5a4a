"""Deleting one conversation: the other button staff have (besides deleting a contact).

The conversation goes with everything of it: its messages and their deliveries, its
corpus record and intake row, one-time codes it asked for, the raw webhook copies of its
messages and their inbound ledger rows (privacy.raw_events: by the customer's sender id on
that channel), and its durable-queue state. The contact stays, with its leads and
appointments (an appointment booked in it just loses the link). No tombstone: a
conversation is not a person; erasing the person is `privacy.erasure.erase_contacts`.
"""

from __future__ import annotations

import logging

from sqlmodel import Session, select

from channels.durable.hold import holding
from channels.durable.purge import purge_subject
from crm.errors import NotFound
from crm.models import (
    Channel,
    ChannelConnection,
    Conversation,
    Message,
    OutboundDelivery,
    Tenant,
)
from privacy.context import PrivacyContext
from privacy.erasure import (
    ErasureReport,
    Person,
    _in,
    compact,
    delete_rows,
    events_of,
    orphan_deliveries,
)
from privacy.raw_events import EventPlan, apply_plan, plan_events
from training_data.erasure import erase_conversation as erase_corpus_record

log = logging.getLogger("mostrador.privacy.conversation")


def _scope(db: Session, tenant: Tenant, conversation: Conversation) -> Person:
    person = Person(tenant=tenant, conversation_ids=[conversation.id])
    person.identities = {(conversation.channel.value, conversation.external_id)}
    messages = _in(db, Message, Message.conversation_id, [conversation.id])
    person.message_ids = [m.id for m in messages if m.id is not None]
    person.message_refs = {m.channel_message_id for m in messages if m.channel_message_id}
    person.message_refs |= {d.external_id for d in _in(db, OutboundDelivery,
                                                       OutboundDelivery.message_id,
                                                       person.message_ids) if d.external_id}
    for kind, account in db.exec(select(ChannelConnection.kind, ChannelConnection.account_id)
                                 .where(ChannelConnection.tenant_id == tenant.id)):
        person.accounts.setdefault(str(kind), set()).add(account)
    return person


def erase_conversation(ctx: PrivacyContext, *, tenant_id: str, conversation_id: str,
                       request_id: str) -> ErasureReport:
    """Hard-delete one conversation of the business (see the module docstring); commits.
    Raises NotFound for a conversation of another business or none."""
    with Session(ctx.engine) as db:
        conversation = db.get(Conversation, conversation_id)
        tenant = db.get(Tenant, tenant_id)
        if conversation is None or tenant is None or conversation.tenant_id != tenant_id:
            raise NotFound("No such conversation.")
        keys = _scope(db, tenant, conversation).queue_keys()
        db.commit()
    if ctx.queue is None:
        return _erase(ctx, tenant_id, conversation_id, request_id)
    with holding(ctx.queue, keys, owner=f"erasure:{request_id}",
                 wait_seconds=ctx.settings.visibility_timeout_seconds):
        return _erase(ctx, tenant_id, conversation_id, request_id)


def _erase(ctx: PrivacyContext, tenant_id: str, conversation_id: str,
           request_id: str) -> ErasureReport:
    report = ErasureReport()
    with Session(ctx.engine, expire_on_commit=False) as db:
        conversation = db.get(Conversation, conversation_id)
        tenant = db.get(Tenant, tenant_id)
        if conversation is None or tenant is None:
            return report  # gone meanwhile
        person = _scope(db, tenant, conversation)
        senders = person.senders if conversation.channel != Channel.web else set()
        accounts = {a for found in person.accounts.values() for a in found}
        plan = plan_events(db, tenant_id=tenant_id, accounts=accounts, needles=person.needles(),
                           event_ids=events_of(db, tenant_id, senders)) if senders \
            else EventPlan()
        if ctx.queue is not None:
            report.redis_keys = purge_subject(ctx.queue, person.queue_subject(plan)).total
        report.corpus_records = erase_corpus_record(db, tenant_id, conversation_id,
                                                    settings=ctx.settings, corpus=ctx.corpus)
        report.rows = delete_rows(db, person)
        if senders:
            report.rows.update(apply_plan(db, tenant_id=tenant_id, plan=plan, senders=senders))
            report.rows["outbounddelivery"] += orphan_deliveries(db, tenant_id,
                                                                 plan.message_refs)
            report.webhook_events = plan.touched
        db.commit()
    compact(ctx)
    log.info("conversation erased tenant=%s request=%s rows=%d events=%d corpus=%d",
             tenant_id, request_id, sum(report.rows.values()), report.webhook_events,
             report.corpus_records)
    return report
