"""Synthetic Spanish chat messages with gold PII spans (for evaluation and training)."""

from redaction.synth.generator import generate

__all__ = ["generate"]
