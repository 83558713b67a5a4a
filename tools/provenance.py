"""Whether contact details a model passes came from the customer.

Small models fill gaps: "John Doe", "1234567890", a phone with the business's area code
made up before the customer gave one. A detail is the customer's when it appears in what
they wrote in this conversation (or is already the contact's): a name word by word, an email
as written, a phone by its digits (the last eight, so "+54 9 11 5555-1234" matches a typed
"11 5555 1234"). Compared on folded text: case and accents do not matter.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from crm.text import fold

_PHONE_SPAN = re.compile(r"\+?\d[\d\s\-().]{4,}\d")
_WORD = re.compile(r"[^\W\d_]+")
PHONE_DIGITS_COMPARED = 8


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


def phone_given(phone: str, texts: Sequence[str]) -> bool:
    wanted = _digits(phone)[-PHONE_DIGITS_COMPARED:]
    if len(wanted) < 6:
        return False
    return any(_digits(span)[-PHONE_DIGITS_COMPARED:] == wanted or wanted in _digits(span)
               for text in texts for span in _PHONE_SPAN.findall(text))


def name_given(name: str, texts: Sequence[str]) -> bool:
    words = set(_WORD.findall(fold(" ".join(texts))))
    wanted = _WORD.findall(fold(name))
    return bool(wanted) and all(w in words for w in wanted)


def email_given(email: str, texts: Sequence[str]) -> bool:
    folded = fold(email.strip())
    return bool(folded) and any(folded in fold(text) for text in texts)


def not_given(texts: Sequence[str], *, name: str | None, phone: str | None,
              email: str | None, known: dict[str, str | None]) -> list[str]:
    """The fields among name/phone/email that the customer did not write (in `texts`) and
    that are not already the contact's (`known`), in that order."""
    missing = []
    for field, value, given in (("name", name, name_given), ("phone", phone, phone_given),
                                ("email", email, email_given)):
        if not value:
            continue
        stored = known.get(field)
        if stored and (fold(stored) == fold(value)
                       or (field == "phone" and _digits(stored)[-8:] == _digits(value)[-8:])):
            continue
        if not given(value, texts):
            missing.append(field)
    return missing
