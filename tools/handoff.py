"""The tool that hands the conversation to a human on the business's staff."""

from __future__ import annotations

from langchain.tools import ToolRuntime, tool

from crm.services.conversations import flag_for_human
from tools.context import ToolContext
from tools.results import guarded, ok


@tool
@guarded
def request_human(runtime: ToolRuntime[ToolContext],
                  reason: str = "el cliente pidió hablar con una persona") -> str:
    """Hand the chat to a person of the team (customer asks for one, or you cannot help).

    Args:
        reason: short, without personal data.
    """
    ctx = runtime.context
    flag_for_human(ctx.db, conversation=ctx.conversation, reason=reason)
    return ok(message="Listo: alguien del equipo va a continuar la conversación a la brevedad.")
