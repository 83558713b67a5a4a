"""Tolerant readers for untrusted JSON: a wrong type reads as empty, never raises.

Every string read here is storable (crm.text): NUL and lone surrogates are replaced.
"""

from __future__ import annotations

from typing import Any

from crm.text import storable


def as_dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def as_str(value: Any) -> str | None:
    if value is None or isinstance(value, dict | list):
        return None
    return storable(str(value))
