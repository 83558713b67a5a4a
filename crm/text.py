"""Text helpers every package shares: storable text, accent folding, the es/en guess.

Storable text is what every channel's intake runs free text and ids through.

PostgreSQL refuses the NUL character in text, and neither database driver nor Redis can
encode a lone UTF-16 surrogate ("\\ud800", which JSON's escapes allow). Both become U+FFFD
(the replacement character) once, where text enters Mostrador; the original bytes stay in
the raw webhook event. Ids are also bounded to their columns: a longer one is cut and
suffixed with a digest of the whole, so it stays the same id for deduplication.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

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


# --- Accent folding and the es/en guess -------------------------------------------------
# One home for both: the offline model, the runtime's canned replies, the privacy gate, the
# training corpus and the scenario evals all ask "Spanish or English?" the same way.

_WORD = re.compile(r"[a-z']+")
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'"})

# Words that are frequent in one language and rare in the other (folded). Punctuation is
# never part of a word ("Hello," is "hello"), so it cannot hide a language.
EN_WORDS = frozenset(
    "i i'm im my me you your is are am the a an to for on at in of and it this that what "
    "when where how much can could would like want need book booking appointment tomorrow "
    "today next please thanks thank hi hello hey yes no sure name phone email talk speak "
    "human person price prices hours open address cancel reschedule do does have any "
    "morning afternoon monday tuesday wednesday thursday friday saturday sunday move "
    "there your we our you're i'd".split()
)
ES_WORDS = frozenset(
    "hola buenas buen dia dias quiero quisiera queria necesito turno turnos cita manana hoy "
    "pasado gracias que de el la los las para por favor soy mi me llamo nombre cuanto sale "
    "salen cuesta donde estan horario horarios una un con hablar tienen hay es y si no "
    "dale tengo podes puedo lunes martes miercoles jueves viernes sabado domingo cancelar "
    "cambiar reservar precio precios direccion tarde noche al del se lo le te tu sus "
    "pasame pasalo esta".split()
)


def fold(text: str) -> str:
    """Lower-case `text` and drop accents, keeping its length one character for one
    character (ñ becomes n), so a regex match on the folded text has the same offsets in
    the original."""
    out = []
    for ch in unicodedata.normalize("NFC", text).lower():
        base = unicodedata.normalize("NFD", ch)[0]
        out.append(base if base.isascii() else ch)
    return "".join(out)


def words(folded: str) -> list[str]:
    """The words of an already folded text (letters and apostrophes; no punctuation)."""
    return _WORD.findall(folded.translate(_APOSTROPHES))


def guess_language(text: str, previous: str = "es") -> str:
    """"en" or "es" for `text`: the language with more of its frequent words; `previous`
    when neither has more (bare answers such as "Ana Pérez" or "1155667788" do not flip
    a conversation's language)."""
    tokens = words(fold(text))
    en = sum(t in EN_WORDS for t in tokens)
    es = sum(t in ES_WORDS for t in tokens)
    if en > es:
        return "en"
    if es > en:
        return "es"
    return previous
