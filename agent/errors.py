"""Agent errors, grouped by who must act.

    AgentError
    ├── AgentConfigError   the operator: a setting is wrong (says which and how to fix it)
    └── TurnFailed         the run: the LLM failed after retries; the user got an apology
"""

from __future__ import annotations


class AgentError(Exception):
    pass


class AgentConfigError(AgentError):
    pass


class TurnFailed(AgentError):
    def __init__(self, kind: str) -> None:
        super().__init__(f"agent turn failed: {kind}")
        self.kind = kind
