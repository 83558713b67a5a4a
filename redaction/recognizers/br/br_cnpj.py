"""Brazilian CNPJ (11.222.333/0001-81), two check digits via python-stdnum."""

from __future__ import annotations

import re

from presidio_analyzer import Pattern, RecognizerResult
from stdnum.br import cnpj

from redaction.recognizers._bounds import END, START
from redaction.recognizers.base import LocalPatternRecognizer
from redaction.recognizers.priority import CHECKSUM


class BrCnpjRecognizer(LocalPatternRecognizer):
    """BR CNPJ: the punctuated form alone, 14 bare digits only after "CNPJ"."""

    ENTITY = "BR_CNPJ"
    COUNTRIES = frozenset({"BR"})
    PRIORITY = CHECKSUM
    PATTERNS = [
        Pattern("BR CNPJ", START + r"\d{2}\.\d{3}\.\d{3}/\d{4}-\d{2}" + END, 0.5),
        Pattern("BR CNPJ bare", START + r"\d{12}-?\d{2}" + END, 0.3),
    ]
    CONTEXT = ["cnpj"]
    PREFILTER = re.compile(r"\d{3}/\d{4}|\d{12}")
    CONTEXT_WINDOW = 30

    def validate_result(self, pattern_text: str) -> bool:
        """Valid only when both check digits match."""
        return bool(cnpj.is_valid(pattern_text))

    def adjust(self, text: str, result: RecognizerResult) -> bool:
        """An unpunctuated CNPJ also needs "CNPJ" before it."""
        if "/" not in text[result.start : result.end] and not self.has_context(text, result.start):
            return False
        return super().adjust(text, result)
