"""Meta's webhook signature: ``X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the body>``.

The HMAC is computed over the raw request bytes exactly as received (Meta escapes
non-ASCII as \\uXXXX and `/` as `\\/`; any re-serialization changes the bytes and fails),
and compared in constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import re

_HEADER = re.compile(r"^sha256=([0-9a-fA-F]{64})$")


def sign(body: bytes, secret: str) -> str:
    """The header value Meta would send for `body` (used by tests and the bench)."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def well_formed(header: str | None) -> bool:
    return header is not None and _HEADER.match(header.strip()) is not None


def verify(body: bytes, header: str | None, secret: str) -> bool:
    """Whether `header` is the signature of `body` under `secret` (constant-time)."""
    if not secret or header is None:
        return False
    match = _HEADER.match(header.strip())
    if match is None:
        return False
    expected = hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, match.group(1).lower())
