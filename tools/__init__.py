"""CRM tools the agent may call: thin, typed faces over the CRM services.

Every tool reads the tenant, contact and conversation from the runtime's ToolContext; the
model never passes ids of either. Results are JSON strings; a request the model can correct
comes back as {"ok": false, "error", "code", "alternatives"?} instead of raising.
"""

from tools.registry import ALL_TOOL_FUNCTIONS, tools_named

__all__ = ["ALL_TOOL_FUNCTIONS", "tools_named"]
