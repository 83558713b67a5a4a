"""Meta Lead Ads: `leadgen` changes → fetch the lead → Contact and Lead (crm).

The webhook only announces a submission (`leadgen_id`, `form_id`, `ad_id`, `page_id`); the
answers are fetched with the page token from ``GET /{version}/{leadgen_id}``. A failed fetch
leaves the intake in `error` with its attempt count and is retried with exponential backoff
(`lead_retry_base_seconds`, at most `lead_fetch_max_attempts` fetches; each fetch has the
Graph client's own retries). `retry_due_intakes` re-drives what is due; the
`mostrador leads retry` command re-drives errored intakes by hand.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlmodel import Session

from channels.context import ChannelContext
from channels.errors import GraphError
from channels.inbound import LeadgenChange, ParsedWebhook, from_unix
from channels.shapes import as_dict, as_list, as_str
from crm.models import (
    ChannelConnection,
    ChannelKind,
    IntakeState,
    LeadAdIntake,
    Tenant,
)
from crm.services.connections import secrets_of
from crm.services.lead_intake import (
    answers_of,
    intakes_to_retry,
    record_failure,
    register,
    start_intake,
)

log = logging.getLogger("mostrador.channels.lead_ads")

LEAD_FIELDS = "id,created_time,field_data,form_id,ad_id,campaign_id"


def parse_entry(entry: dict[str, Any], parsed: ParsedWebhook) -> None:
    """Add the `leadgen` changes of one page entry to `parsed`."""
    page = as_str(entry.get("id")) or ""
    for change in as_list(entry.get("changes")):
        change = as_dict(change)
        value = as_dict(change.get("value"))
        leadgen_id = as_str(value.get("leadgen_id"))
        account = as_str(value.get("page_id")) or page
        if change.get("field") != "leadgen" or not leadgen_id or not account:
            parsed.skipped += 1
            continue
        parsed.accounts.add((ChannelKind.lead_ads, account))
        parsed.items.append(LeadgenChange(
            channel=ChannelKind.lead_ads, account_id=account, leadgen_id=leadgen_id,
            form_id=as_str(value.get("form_id")), ad_id=as_str(value.get("ad_id")),
            timestamp=from_unix(value.get("created_time"))))


def handle_leadgen(ctx: ChannelContext, db: Session, *, connection: ChannelConnection,
                   change: LeadgenChange) -> LeadAdIntake:
    """Record the intake and register the lead; a failed fetch is scheduled for retry."""
    tenant = db.get(Tenant, connection.tenant_id)
    assert tenant is not None  # FK
    intake = start_intake(db, tenant=tenant, connection_id=connection.id,
                          leadgen_id=change.leadgen_id, page_id=change.account_id,
                          form_id=change.form_id, ad_id=change.ad_id)
    db.commit()  # `recibido` is on record before the Graph call
    if intake.state != IntakeState.registrado:
        fetch_and_register(ctx, db, intake=intake, connection=connection, tenant=tenant)
    return intake


def fetch_and_register(ctx: ChannelContext, db: Session, *, intake: LeadAdIntake,
                       connection: ChannelConnection, tenant: Tenant) -> bool:
    """One fetch attempt; True when the lead is registered."""
    try:
        token = secrets_of(connection, box=ctx.box).access_token
        data = ctx.graph.get(intake.leadgen_id, token=token, params={"fields": LEAD_FIELDS})
    except GraphError as exc:
        retry = record_failure(db, intake=intake, error_code=exc.error_code,
                               base_delay=ctx.settings.lead_retry_base_seconds,
                               max_attempts=ctx.settings.lead_fetch_max_attempts,
                               now=ctx.clock())
        db.commit()
        log.warning("lead fetch failed intake=%s attempts=%d code=%s retry=%s", intake.id,
                    intake.attempts, exc.error_code, retry)
        if retry and ctx.schedule is not None and intake.next_attempt_at is not None:
            delay = max(0.0, (intake.next_attempt_at - ctx.clock()).total_seconds())
            intake_id = intake.id
            ctx.schedule(delay, lambda: _retry_quietly(ctx, intake_id))
        return False
    intake.form_id = intake.form_id or as_str(data.get("form_id"))
    intake.ad_id = intake.ad_id or as_str(data.get("ad_id"))
    lead = register(db, tenant=tenant, intake=intake, answers=answers_of(data.get("field_data")),
                    seller_ids=list(connection.seller_ids), now=ctx.clock())
    db.commit()
    log.info("lead registered intake=%s lead=%s assigned=%s", intake.id, lead.id,
             lead.assigned_to or "-")
    return True


def retry_intake(ctx: ChannelContext, intake_id: str) -> bool:
    """Fetch an errored intake again; True when it is registered now."""
    with Session(ctx.engine, expire_on_commit=False) as db:
        intake = db.get(LeadAdIntake, intake_id)
        if intake is None or intake.state == IntakeState.registrado:
            return intake is not None
        connection = db.get(ChannelConnection, intake.connection_id or "")
        tenant = db.get(Tenant, intake.tenant_id)
        if connection is None or tenant is None:
            log.warning("lead retry without a connection intake=%s", intake.id)
            return False
        return fetch_and_register(ctx, db, intake=intake, connection=connection,
                                  tenant=tenant)


def _retry_quietly(ctx: ChannelContext, intake_id: str) -> None:
    retry_intake(ctx, intake_id)


def retry_due_intakes(ctx: ChannelContext, *, include_exhausted: bool = False) -> tuple[int, int]:
    """Re-drive errored intakes (due ones, or all with include_exhausted); (tried, registered)."""
    with Session(ctx.engine, expire_on_commit=False) as db:
        ids = [i.id for i in intakes_to_retry(
            db, max_attempts=ctx.settings.lead_fetch_max_attempts, now=ctx.clock(),
            include_exhausted=include_exhausted)]
    registered = sum(1 for intake_id in ids if retry_intake(ctx, intake_id))
    return len(ids), registered
