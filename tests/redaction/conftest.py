"""Shared fixtures: one analyzer for the whole test session (building it takes ~1 s)."""

from __future__ import annotations

import pytest

from redaction import Redactor

BUSINESS_ALLOW_LIST = [
    "Av. Rivadavia 4975 piso 3 B, CABA",
    "+54 11 4000-1234",
    "hola@peluquerialuz.com.ar",
]


@pytest.fixture(scope="session")
def redactor() -> Redactor:
    return Redactor(languages=["es", "en"], hash_key=b"test-key-0123456789abcdef")


@pytest.fixture(scope="session")
def tenant_redactor() -> Redactor:
    return Redactor(languages=["es"], allow_list=BUSINESS_ALLOW_LIST)


def found(redactor: Redactor, text: str, entity_type: str | None = None) -> list[str]:
    """Text of the detected spans (optionally of one type), in order."""
    return [
        text[r.start : r.end]
        for r in redactor.analyze(text)
        if entity_type is None or r.entity_type == entity_type
    ]
