"""The offline model: a deterministic, rule-based stand-in for an LLM (not an LLM).

Used by default when no OpenAI key is set, and by tests. See `model.OfflineChatModel`.
"""

from agent.offline.model import MissingProfileError, OfflineChatModel

__all__ = ["MissingProfileError", "OfflineChatModel"]
