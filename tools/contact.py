"""The tool that records who the customer is, creating or updating their lead."""

from __future__ import annotations

from langchain.tools import ToolRuntime, tool

from crm.errors import ToolArgumentError
from crm.models import LeadSource
from crm.services.contacts import update_contact_details
from crm.services.leads import ensure_lead
from tools.context import ToolContext
from tools.results import guarded, ok


@tool
@guarded
def save_contact_details(
    runtime: ToolRuntime[ToolContext],
    name: str | None = None,
    phone: str | None = None,
    email: str | None = None,
    notes: str | None = None,
) -> str:
    """Save the customer's name, phone and/or email (and optional notes on what they want).

    Registers them as a lead of the business. Give only what the customer said.

    Args:
        name: full name as the customer gave it.
        phone: phone number as written; area code helps.
        email: email address.
        notes: short note on what the customer is interested in.
    """
    ctx = runtime.context
    if not any((name, phone, email, notes)):
        raise ToolArgumentError("No se pasó ningún dato para guardar.")
    # A typed phone or email is a claim: it stays on this conversation's own contact, even
    # when another contact has it (never merged, never disclosed; see crm.models.contact).
    contact = update_contact_details(
        ctx.db, tenant=ctx.tenant, contact=ctx.contact, name=name, phone=phone, email=email
    )
    source = LeadSource(ctx.conversation.channel.value)
    lead = ensure_lead(ctx.db, tenant=ctx.tenant, contact=contact, source=source, utm=ctx.utm,
                       notes=notes)
    return ok(contact={"name": contact.name, "phone": contact.contact_phone,
                       "email": contact.contact_email}, lead_id=lead.id)
