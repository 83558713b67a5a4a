"""What one user message says about the booking: service, day, time, name, phone, e-mail.

`extract(text, ctx)` is pure and cached: the same message in the same context gives the same
`Extraction`, so rebuilding the state from the whole history each call stays cheap. `ctx`
carries what the message is an answer to (the slot our previous reply asked for), which is
how bare answers ("Ana Pérez", "10", "limpieza") are understood.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

import phonenumbers

from agent.offline import dates
from agent.offline.text import fold, title_name, words


@dataclass(frozen=True)
class SlotContext:
    """What `extract` needs besides the text; hashable so results can be cached."""

    service_names: tuple[str, ...]
    region: str  # "AR"
    today: date
    asked: str | None = None  # "service" | "day" | "time" | "name" | "phone" | ...
    default_area: str | None = None  # e.g. "11": read "15-5555-1234" as a mobile there


@dataclass(frozen=True)
class Extraction:
    service: str | None = None
    day: str | None = None  # ISO date
    time: str | None = None  # "HH:MM"
    name: str | None = None
    phone: str | None = None  # E.164
    email: str | None = None
    bad_phone: bool = False  # digits given where a phone was expected, but not a valid one


_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_NAME_TRIGGER = re.compile(
    r"\b(?:(?:soy|me llamo|mi nombre es|a nombre de|my name is|i'm|i am|this is)\s+|"
    r"(?:nombre|name)\s*:\s*)"
)
_NAME_TOKEN = re.compile(r"[a-zñ][a-zñ'-]*")
# A token that ends a name ("soy Ana y quiero...") or shows the words were not a name.
_NOT_NAME = frozenset(
    "y e o mi me mis quiero queria quisiera necesito para con de del el la los las un una "
    "te les por que como tengo hoy manana tel telefono cel celular mail email correo turno "
    "nuevo nueva paciente cliente yo muy su tu bien a al and my i want would need for with "
    "the an looking interested not here available free new calling writing trying going "
    "from sure ok fine good sorry glad happy just also at on in to is it hola buenas "
    "gracias thanks hi hello si no dale perfecto bueno yes".split()
)
# "tengo una consulta" is a question, not the "Consulta general" service.
_GENERIC_ASK = re.compile(r"\b(?:tengo|hago|hacer|una|otra)\s+(?:consulta|pregunta)\b|\bconsultar")
# Words of a service name too common to identify it alone ("turno dental").
_WEAK = frozenset("consulta control general servicio sesion tratamiento primera".split())
# English (and colloquial) words for services whose names tenants write in Spanish.
_SYNONYMS = {
    "cleaning": "limpieza", "whitening": "blanqueamiento", "bleaching": "blanqueamiento",
    "orthodontics": "ortodoncia", "braces": "ortodoncia", "brackets": "ortodoncia",
    "consultation": "consulta", "checkup": "consulta", "haircut": "corte", "manicure": "manicura",
}
_PARTICLES = frozenset({"de", "del", "la", "las", "los"})
_FILLER = frozenset("de del la el los las y a para con dental odontologica".split())


def extract(text: str, ctx: SlotContext) -> Extraction:
    """Everything `text` says about the booking slots (None where it says nothing)."""
    return _extract(unicodedata.normalize("NFC", text), ctx)


@lru_cache(maxsize=2048)
def _extract(text: str, ctx: SlotContext) -> Extraction:
    folded = fold(text)
    email_match = _EMAIL.search(text)
    email = email_match.group().lower() if email_match else None
    folded = _EMAIL.sub(lambda m: " " * len(m.group()), folded)
    phone, phone_span = _find_phone(text, ctx)
    if phone_span:
        folded = folded[: phone_span[0]] + " " * (phone_span[1] - phone_span[0]) + folded[
            phone_span[1]:]
    digits = sum(c.isdigit() for c in folded)
    bad_phone = phone is None and ctx.asked == "phone" and digits >= 6
    folded = dates.strip_money(folded)
    if bad_phone:
        folded = ""  # a mistyped phone is no date or time
    day = dates.find_day(folded, ctx.today)
    span = dates.day_span(folded)
    rest = folded if not span else folded[: span[0]] + " " * (span[1] - span[0]) + folded[span[1]:]
    time = dates.find_time(rest)
    if time is None and ctx.asked in {"time", "day"}:
        time = dates.bare_time(rest)
    service = match_service(folded, ctx.service_names, lenient=ctx.asked == "service")
    # The name is read with the phone and e-mail blanked out, so "Nora Campos 11 7777 8888"
    # answering "¿a nombre de quién?" (or given with a phone unprompted) is a name.
    bare = _blank(text, [m.span() for m in _EMAIL.finditer(text)] + (
        [phone_span] if phone_span else []))
    name = _find_name(bare, fold(bare), asked=ctx.asked == "name",
                      with_contact=bool(phone or email))
    if service and name and fold(name) in fold(service):
        name = None  # "limpieza" answered to the name question is the service
    return Extraction(
        service=service,
        day=day,
        time=time,
        name=name,
        phone=phone,
        email=email,
        bad_phone=bad_phone,
    )


def match_service(folded: str, names: tuple[str, ...], *, lenient: bool = False) -> str | None:
    """The one service `folded` names, by its distinctive words; None if none or a tie.

    English words for common services count as their Spanish names ("cleaning" as
    "limpieza"). A weak word ("consulta", "control") scores half, so it loses to a
    distinctive one; outside an answer to "which service?" (`lenient`), "tengo una
    consulta" (I have a question) is not the service.
    """
    if not lenient:
        folded = _GENERIC_ASK.sub(" ", folded)
    said = {w.rstrip("s") for w in words(folded)} | set(words(folded))
    said |= {_SYNONYMS[w] for w in said if w in _SYNONYMS}
    scores: dict[str, float] = {}
    for name in names:
        folded_name = fold(name)
        if re.search(rf"\b{re.escape(folded_name)}\b", folded):
            scores[name] = 10.0
            continue
        tokens = [t for t in words(folded_name) if t not in _FILLER and len(t) > 2]
        others = {t for other in names if other != name for t in words(fold(other))}
        scores[name] = sum(
            0.5 if t in _WEAK else 1.0 for t in tokens if t in said and t not in others
        )
    best = max(scores.values(), default=0.0)
    winners = [n for n, s in scores.items() if s == best]
    if best == 0 or len(winners) != 1:
        return None
    return winners[0]


def _find_phone(text: str, ctx: SlotContext) -> tuple[str | None, tuple[int, int] | None]:
    valid = phonenumbers.Leniency.VALID
    for match in phonenumbers.PhoneNumberMatcher(text, ctx.region, leniency=valid):
        e164 = phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.E164)
        return e164, (match.start, match.end)
    if ctx.default_area:
        # Local mobile without area code: "15-5555-1234" (AR) dialled from the tenant's area.
        local = re.search(r"\b15[\s-]?(\d{4})[\s-]?(\d{4})\b", text)
        if local:
            candidate = f"{ctx.default_area} 15 {local.group(1)} {local.group(2)}"
            try:
                number = phonenumbers.parse(candidate, ctx.region)
            except phonenumbers.NumberParseException:
                return None, None
            if phonenumbers.is_valid_number(number):
                e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
                return e164, local.span()
    return None, None


def _blank(text: str, spans: list[tuple[int, int]]) -> str:
    """`text` with each span replaced by as many spaces (offsets stay the same)."""
    for start, end in spans:
        text = text[:start] + " " * (end - start) + text[end:]
    return text


def _find_name(text: str, folded: str, *, asked: bool, with_contact: bool = False
               ) -> str | None:
    """The person's name: after "soy", "me llamo"...; a bare answer to our name question;
    or, next to a phone or e-mail they gave (`with_contact`), words that are all a name
    can be and each capitalized ("Nora Campos, 11 7777 8888")."""
    trigger = _NAME_TRIGGER.search(folded)
    if trigger:
        start = trigger.end()
        # English "I'm"/"this is" are too common ("I'm free"): require a capital letter.
        if folded[trigger.start():].startswith(("i'm", "i am", "this is")) and not text[
            start:start + 1
        ].isupper():
            return None
        return _name_at(text, folded, start)
    if asked:
        return _name_at(text, folded, 0, whole=True)
    if with_contact:
        name = _name_at(text, folded, 0, whole=True, clauses=True)
        if name and all(w[:1].isupper() for w in text.split() if fold(w) not in _PARTICLES
                        and w[:1].isalpha()) and len(name.split()) >= 2:
            return name
    return None


def _name_at(text: str, folded: str, start: int, *, whole: bool = False,
             clauses: bool = False) -> str | None:
    """The name starting at `start`: up to 4 words, stopping at punctuation or a non-name.

    With `whole` (a bare answer to "what name?") the words must be all the clause says;
    with `clauses` too, all the message says but punctuation ("Nora Campos, " once the
    phone is blanked out).
    """
    segment = re.split(r"[,.;:!?\n]", folded[start:], maxsplit=1)[0]
    if clauses and re.sub(r"[\s,.;:!?]", "", folded[start + len(segment):]):
        return None
    spans: list[tuple[int, int]] = []
    cursor = 0
    for match in _NAME_TOKEN.finditer(segment):
        word = match.group()
        between = segment[cursor: match.start()].strip()
        particle = word in _PARTICLES and bool(spans)
        if between or len(spans) == 4 or (word in _NOT_NAME and not particle):
            break
        spans.append(match.span())
        cursor = match.end()
    while spans and segment[spans[-1][0]: spans[-1][1]] in _PARTICLES:
        spans.pop()
    if not spans or (whole and segment[spans[-1][1]:].strip()):
        return None
    raw = text[start + spans[0][0]: start + spans[-1][1]]
    return title_name(raw)
