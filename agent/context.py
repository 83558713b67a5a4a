"""The LangGraph runtime context of one agent turn."""

from __future__ import annotations

from dataclasses import dataclass

from agent.profile import AgentProfile
from tools.context import ToolContext


@dataclass(kw_only=True)
class TurnContext(ToolContext):
    profile: AgentProfile
