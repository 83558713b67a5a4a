"""Text that can be stored: what every channel's intake runs free text and ids through.

PostgreSQL refuses the NUL character in text, and neither database driver nor Redis can
encode a lone UTF-16 surrogate ("\\ud800", which JSON's escapes allow). Both become U+FFFD
(the replacement character) once, where text enters Mostrador; the original bytes stay in
the raw webhook event. Ids are also bounded to their columns: a longer one is cut and
suffixed with a digest of the whole, so it stays the same id for deduplication.
"""

from __future__ import annotations

import hashlib
import re

REPLACEMENT = "\ufffd"
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
ID_LIMIT = 64  # the narrowest id column (a sender's wa_id / PSID)
_DIGEST = 16


def storable(text: str) -> str:
    """`text` with NUL and lone surrogates replaced by U+FFFD (a valid pair never appears
    in a Python str: JSON escapes of a pair decode to one character)."""
    return _UNSTORABLE.sub(REPLACEMENT, text)


def storable_id(value: str, limit: int = ID_LIMIT) -> str:
    """A storable id of at most `limit` characters; the same input gives the same id."""
    value = storable(value)
    if len(value) <= limit:
        return value
    digest = hashlib.sha256(value.encode("utf-8")).hexdigest()[:_DIGEST]
    return f"{value[:limit - _DIGEST - 1]}~{digest}"
