"""Argentine alias CBU/CVU (6-20 chars of letters, digits, '.', '-': sol.marea.campo)."""

from __future__ import annotations

import re

from presidio_analyzer import Pattern

from redaction.recognizers.base import LocalPatternRecognizer
from redaction.recognizers.priority import CUE

_DOMAIN_END = re.compile(r"\.(?:com|net|org|ar|mx|cl|co|pe|uy|es|br|edu|gob|io|app)$", re.I)


class ArAliasCbuRecognizer(LocalPatternRecognizer):
    """Alias CBU: only next to the word "alias" (it is otherwise indistinguishable)."""

    ENTITY = "AR_ALIAS_CBU"
    COUNTRIES = frozenset({"AR"})
    PRIORITY = CUE
    PATTERNS = [
        Pattern(
            "AR alias CBU",
            r"(?<![\w.@/:-])[A-Za-z0-9-]{2,20}(?:\.[A-Za-z0-9-]{1,20}){1,3}(?![\w@/-]|\.\w)",
            0.3,
        ),
    ]
    # "alias", or money sent to it: "te mandé la plata a mati.sosa.mp", "transferí a …"
    CONTEXT = ["alias", "la plata a", "transferi a", "transferile a", "transferencia a",
               "deposite a", "mande a", "te mande a", "pasame a", "mandame a", "cvu"]
    PREFILTER = re.compile(r"(?i)\balias\b|plata a|transfer|deposit|mand[eé] a|pasame a|\bcvu\b")
    REQUIRE_CONTEXT = True
    CONTEXT_WINDOW = 50
    CONTEXT_BOOST = 0.55

    def validate_result(self, pattern_text: str) -> bool | None:
        """Aliases are 6-20 characters and are not domain names."""
        if not 6 <= len(pattern_text) <= 20 or _DOMAIN_END.search(pattern_text):
            return False
        return None
