"""The tool that hands the conversation to a human on the business's staff."""

from __future__ import annotations

from langchain.tools import ToolRuntime, tool

from crm.services.conversations import flag_for_human
from tools.context import ToolContext
from tools.results import guarded, ok


@tool
@guarded
def request_human(reason: str, runtime: ToolRuntime[ToolContext]) -> str:
    """Flag this conversation for a person on the staff to take over.

    Use it when the customer asks for a human, or for what you cannot solve.

    Args:
        reason: a short reason, without personal data.
    """
    ctx = runtime.context
    flag_for_human(ctx.db, conversation=ctx.conversation, reason=reason)
    return ok(message="Listo: alguien del equipo va a continuar la conversación a la brevedad.")
