"""Synthetic Spanish chat messages with gold PII spans (for evaluation and training)."""

from redaction.synth.chat import generate_chat
from redaction.synth.generator import generate

__all__ = ["generate", "generate_chat"]
