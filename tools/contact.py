"""The tool that records who the customer is, creating or updating their lead."""

from __future__ import annotations

from langchain.tools import ToolRuntime, tool

from crm.errors import ToolArgumentError
from crm.models import LeadSource
from crm.services.contacts import update_contact_details
from crm.services.leads import ensure_lead
from tools.context import ToolContext
from tools.provenance import not_given
from tools.results import guarded, ok

_FIELD_NAMES = {"name": "nombre", "phone": "teléfono", "email": "email"}


@tool
@guarded
def save_contact_details(
    runtime: ToolRuntime[ToolContext],
    name: str | None = None,
    phone: str | None = None,
    email: str | None = None,
    notes: str | None = None,
) -> str:
    """Save the customer's name, phone and/or email as they wrote them; registers a lead.

    Args:
        name: as the customer wrote it.
        phone: as the customer wrote it.
        email: as the customer wrote it.
        notes: what they are interested in, short.
    """
    ctx = runtime.context
    if not any((name, phone, email, notes)):
        raise ToolArgumentError("No se pasó ningún dato para guardar.")
    if ctx.customer_texts is not None:
        known = {"name": ctx.contact.name, "phone": ctx.contact.contact_phone,
                 "email": ctx.contact.contact_email}
        missing = not_given(ctx.customer_texts, name=name, phone=phone, email=email,
                            known=known)
        if missing:
            words = " ni ".join(_FIELD_NAMES[f] for f in missing)
            raise ToolArgumentError(
                f"No guardé nada: el cliente no escribió ese {words}. Guardá solo datos que "
                f"el cliente escribió en el chat; si falta alguno, pedíselo.")
    # A typed phone or email is a claim: it stays on this conversation's own contact, even
    # when another contact has it (never merged, never disclosed; see crm.models.contact).
    contact = update_contact_details(
        ctx.db, tenant=ctx.tenant, contact=ctx.contact, name=name, phone=phone, email=email
    )
    source = LeadSource(ctx.conversation.channel.value)
    ensure_lead(ctx.db, tenant=ctx.tenant, contact=contact, source=source, utm=ctx.utm,
                notes=notes)
    return ok(contact={"name": contact.name, "phone": contact.contact_phone,
                       "email": contact.contact_email})
