"""Email addresses (no tldextract: a plain, fast, offline pattern)."""

from __future__ import annotations

import re

from presidio_analyzer import Pattern

from redaction.recognizers.base import LocalPatternRecognizer
from redaction.recognizers.priority import SHAPE


class EmailAddressRecognizer(LocalPatternRecognizer):
    """user@domain.tld, including subdomains and +tags."""

    ENTITY = "EMAIL_ADDRESS"
    PRIORITY = SHAPE
    PATTERNS = [
        Pattern(
            "email",
            r"(?<![\w.+-])[A-Za-z0-9][\w.+-]*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,24}(?!\w)",
            0.9,
        ),
    ]
    CONTEXT = ["mail", "correo", "email", "e-mail"]
    PREFILTER = re.compile(r"@")
