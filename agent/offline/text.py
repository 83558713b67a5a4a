"""Small text helpers of the offline model: folding and words come from crm.text
(their one home, with the es/en guess); names are capitalized here.

`fold` lower-cases and strips accents *one character for one character*, so a regex match
on the folded text has the same offsets in the original (used to keep a name's casing).
"""

from __future__ import annotations

from crm.text import fold, words

__all__ = ["fold", "title_name", "words"]


def title_name(raw: str) -> str:
    """Capitalize a person's name: "ana de la fuente" -> "Ana de la Fuente"."""
    particles = {"de", "del", "la", "las", "los", "y"}
    parts = raw.split()
    out = []
    for i, part in enumerate(parts):
        low = part.lower()
        if i > 0 and low in particles:
            out.append(low)
        else:
            out.append("-".join(p[:1].upper() + p[1:].lower() for p in part.split("-")))
    return " ".join(out)
