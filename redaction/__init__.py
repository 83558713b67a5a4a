"""PII redaction for Latin-American Spanish chats, on Presidio, fully offline.

    >>> from redaction import Redactor, RedactionSession
    >>> r = Redactor(allow_list=["+54 11 4000-1234"])
    >>> session = RedactionSession()
    >>> r.redact("Soy Ana Pérez, mi cel es 11 5832-1190", session=session)
    'Soy <PERSON_1>, mi cel es <PHONE_NUMBER_1>'

This package imports no other Mostrador package.
"""

from redaction.anonymize import STYLES, RedactionSession
from redaction.entities import coarse_type
from redaction.errors import (
    ConfigurationError,
    InputError,
    MissingHashKeyError,
    RedactionError,
    UnknownStyleError,
    UnsupportedLanguageError,
)
from redaction.redactor import Entity, RedactionResult, Redactor

__all__ = [
    "STYLES",
    "ConfigurationError",
    "Entity",
    "InputError",
    "MissingHashKeyError",
    "RedactionError",
    "RedactionResult",
    "RedactionSession",
    "Redactor",
    "UnknownStyleError",
    "UnsupportedLanguageError",
    "coarse_type",
]
