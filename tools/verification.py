"""Tools that let a customer prove a phone or email is theirs with a one-time code.

A phone or email typed into the chat is a claim: the other tools never reach another
contact's data through it. When the customer wants to see, move or cancel appointments
booked with another number, channel or email, the agent sends a code to that value and
checks the code the customer types back (crm.services.verification).
"""

from __future__ import annotations

from langchain.tools import ToolRuntime, tool

from crm.services.verification import check_code, request_code
from tools.context import ToolContext
from tools.results import guarded, ok
from tools.scheduling import upcoming_views

_SENT = {
    "whatsapp": "Si ese número tiene turnos o datos con nosotros, le llegó por WhatsApp un "
                "código de 6 dígitos. Pedile que lo escriba acá; vence en {minutes} minutos.",
    "email": "Si ese email tiene turnos o datos con nosotros, le llegó un código de 6 dígitos. "
             "Pedile que lo escriba acá; vence en {minutes} minutos.",
}


@tool
@guarded
def send_verification_code(runtime: ToolRuntime[ToolContext]) -> str:
    """Send a 6-digit code to the phone or email the customer gave (save it first), so they
    can prove it is theirs.

    Use it when the customer wants to see, move or cancel appointments booked with another
    number, channel or email and none show up here. The answer never says whether that
    phone or email is on file; never tell the customer it is.
    """
    ctx = runtime.context
    assert ctx.box is not None, "the runtime provides the secret box"
    request = request_code(ctx.db, box=ctx.box, delivery=ctx.code_delivery, tenant=ctx.tenant,
                           conversation=ctx.conversation, contact=ctx.contact, now=ctx.now,
                           language="es")
    if request.send is not None:
        ctx.after_commit.append(request.send)
    return ok(sent_via=request.channel, to=request.destination_hint,
              message=_SENT[request.channel].format(minutes=request.expires_minutes))


@tool
@guarded
def verify_code(code: str, runtime: ToolRuntime[ToolContext]) -> str:
    """Check the 6-digit code the customer typed. When it is right, this chat is linked to
    the customer's record and its upcoming appointments are returned.

    Args:
        code: the digits exactly as the customer wrote them.
    """
    ctx = runtime.context
    assert ctx.box is not None, "the runtime provides the secret box"
    contact = check_code(ctx.db, box=ctx.box, tenant=ctx.tenant, conversation=ctx.conversation,
                         contact=ctx.contact, code=code, now=ctx.now)
    ctx.contact = contact
    return ok(verified=True, name=contact.name, upcoming=upcoming_views(ctx))
