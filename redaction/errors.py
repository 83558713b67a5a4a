"""Errors raised by the redaction library, grouped by who must act.

RedactionError
├── ConfigurationError   the operator: a bad option (say which and how to fix it)
│   ├── UnsupportedLanguageError
│   ├── UnknownStyleError
│   └── MissingHashKeyError
└── InputError           the caller: a value that cannot be redacted (bad JSONL line, type)
"""

from __future__ import annotations


class RedactionError(Exception):
    """Base class of every error this package raises."""


class ConfigurationError(RedactionError):
    """The redactor was configured wrongly; the message names the option to fix."""


class UnsupportedLanguageError(ConfigurationError):
    """A language was requested that the analyzer was not built for."""

    def __init__(self, language: str, supported: list[str]) -> None:
        super().__init__(
            f"language {language!r} is not loaded; build the Redactor with "
            f"languages=[..., {language!r}] (loaded: {', '.join(supported)})"
        )
        self.language = language


class UnknownStyleError(ConfigurationError):
    """An anonymization style that does not exist was requested."""

    def __init__(self, style: str, known: list[str]) -> None:
        super().__init__(f"unknown style {style!r}; use one of: {', '.join(known)}")
        self.style = style


class MissingHashKeyError(ConfigurationError):
    """The ``hash`` style was requested but the Redactor has no ``hash_key``."""

    def __init__(self) -> None:
        super().__init__(
            "style 'hash' needs a secret key: pass Redactor(hash_key=b'...') "
            "(at least 16 bytes, kept out of the corpus)"
        )


class InputError(RedactionError):
    """The input cannot be redacted as given (e.g. a malformed JSONL line)."""
