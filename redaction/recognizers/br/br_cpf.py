"""Brazilian CPF (123.456.789-09), two check digits via python-stdnum."""

from __future__ import annotations

import re

from presidio_analyzer import Pattern, RecognizerResult
from stdnum.br import cpf

from redaction.recognizers._bounds import END, START
from redaction.recognizers.base import LocalPatternRecognizer
from redaction.recognizers.priority import CHECKSUM


class BrCpfRecognizer(LocalPatternRecognizer):
    """BR CPF: the dotted form alone, 11 bare digits only after "CPF" (phones share the shape)."""

    ENTITY = "BR_CPF"
    COUNTRIES = frozenset({"BR"})
    PRIORITY = CHECKSUM
    PATTERNS = [
        Pattern("BR CPF dotted", START + r"\d{3}\.\d{3}\.\d{3}-\d{2}" + END, 0.5),
        Pattern("BR CPF bare", START + r"\d{9}-?\d{2}" + END, 0.3),
    ]
    CONTEXT = ["cpf"]
    PREFILTER = re.compile(r"\d{3}\.\d{3}\.\d{3}-|\d{9}")
    CONTEXT_WINDOW = 30

    def validate_result(self, pattern_text: str) -> bool:
        """Valid only when both check digits match."""
        return bool(cpf.is_valid(pattern_text))

    def adjust(self, text: str, result: RecognizerResult) -> bool:
        """An undotted CPF also needs "CPF" before it."""
        if "." not in text[result.start : result.end] and not self.has_context(text, result.start):
            return False
        return super().adjust(text, result)
