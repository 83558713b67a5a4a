"""The tool that records the customer's objection to the use of their data for training."""

from __future__ import annotations

from langchain.tools import ToolRuntime, tool

from crm.services.training import set_training_objection
from tools.context import ToolContext
from tools.results import guarded, ok


@tool
@guarded
def record_training_objection(runtime: ToolRuntime[ToolContext]) -> str:
    """Record that the customer does not want their conversations used to train AI models.

    Use it whenever the customer says they do not want their data used (for training,
    for AI, for anything beyond their request). It does not stop the conversation.
    """
    ctx = runtime.context
    set_training_objection(ctx.db, contact=ctx.contact, objected=True, source="chat")
    return ok(message="Listo: no vamos a usar tus conversaciones para entrenar modelos.")
