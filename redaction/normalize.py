"""Text normalization helpers shared by recognizers, allow-lists and known values."""

from __future__ import annotations

import re
import unicodedata

_NON_DIGIT = re.compile(r"\D+")
_SPACES = re.compile(r"\s+")


def strip_accents(text: str) -> str:
    """Remove combining accents (``"Peña"`` → ``"Pena"``); keeps the length for NFC text."""
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def fold(text: str) -> str:
    """Lowercase, accent-free, whitespace-collapsed form used for comparisons."""
    return _SPACES.sub(" ", strip_accents(text).lower()).strip()


def digits(text: str) -> str:
    """Only the digits of ``text``."""
    return _NON_DIGIT.sub("", text)


def alnum(text: str) -> str:
    """Lowercase letters and digits only (separators dropped)."""
    return "".join(ch for ch in fold(text) if ch.isalnum())
