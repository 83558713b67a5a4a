"""Small text helpers shared by the offline model: folding and language detection.

`fold` lower-cases and strips accents *one character for one character*, so a regex match
on the folded text has the same offsets in the original (used to keep a name's casing).
"""

from __future__ import annotations

import re
import unicodedata

_WORD = re.compile(r"[a-z']+")

# Words that are frequent in one language and rare in the other (folded). A tie keeps the
# previous language, so bare answers ("Ana Pérez", "1155667788") do not flip it.
_EN_WORDS = frozenset(
    "i i'm im my me you your is are am the a an to for on at in of and it this that what "
    "when where how much can could would like want need book booking appointment tomorrow "
    "today next please thanks thank hi hello hey yes no sure name phone email talk speak "
    "human person price prices hours open address cancel reschedule do does have any "
    "morning afternoon monday tuesday wednesday thursday friday saturday sunday".split()
)
_ES_WORDS = frozenset(
    "hola buenas buen dia dias quiero quisiera queria necesito turno turnos cita manana hoy "
    "pasado gracias que de el la los las para por favor soy mi me llamo nombre cuanto sale "
    "salen cuesta donde estan horario horarios una un con hablar tienen hay es y si no "
    "dale tengo podes puedo lunes martes miercoles jueves viernes sabado domingo cancelar "
    "cambiar reservar precio precios direccion tarde noche al del se lo le".split()
)


def fold(text: str) -> str:
    """Lower-case `text` and drop accents, keeping its length (ñ becomes n)."""
    out = []
    for ch in unicodedata.normalize("NFC", text).lower():
        base = unicodedata.normalize("NFD", ch)[0]
        out.append(base if base.isascii() else ch)
    return "".join(out)


def words(folded: str) -> list[str]:
    """The words of an already folded text."""
    return _WORD.findall(folded)


def detect_language(text: str, previous: str) -> str:
    """"en" or "es" for `text`; `previous` when the text gives no clear signal."""
    tokens = words(fold(text))
    en = sum(t in _EN_WORDS for t in tokens)
    es = sum(t in _ES_WORDS for t in tokens)
    if en > es:
        return "en"
    if es > en:
        return "es"
    return previous


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
