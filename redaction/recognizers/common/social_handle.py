"""Social-media handles ("@tomi.quiroga77"): they name a person, so they are PERSON."""

from __future__ import annotations

import re

from presidio_analyzer import Pattern

from redaction.recognizers.base import LocalPatternRecognizer
from redaction.recognizers.priority import SHAPE


class SocialHandleRecognizer(LocalPatternRecognizer):
    """An ``@handle`` not glued to a word (an e-mail's "@domain" is left to the e-mail one)."""

    ENTITY = "PERSON"
    PRIORITY = SHAPE
    PATTERNS = [
        Pattern(
            "handle",
            r"(?<![\w.@/])@[A-Za-z0-9_](?:[A-Za-z0-9_.]{0,28}[A-Za-z0-9_])?(?![\w@]|\.\w)",
            0.75,
        ),
    ]
    CONTEXT = ["instagram", "insta", "ig", "tiktok", "twitter", "usuario", "cuenta"]
    PREFILTER = re.compile(r"(?<![\w.])@\w")
