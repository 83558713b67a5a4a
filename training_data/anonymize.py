"""A stored transcript → an anonymized conversation in the corpus's message schema.

Everything goes through ``redaction.Redactor`` with one session per conversation: user and
agent text, tool-call arguments and tool results, with the contact's identifiers as
``known_values`` and the business's own data allow-listed. CRM ids that tools put in their
arguments and results (lead, appointment ids) become ``id_1``, ``id_2``... first, so no id
survives. Tool-call ids become ``call_1``, ``call_2``...; times become offsets in seconds.

The corpus message schema (one dict per message)::

    {"role": "user" | "assistant" | "tool", "content": str, "offset_s": int,
     "tool_calls": [{"id": "call_1", "name": str, "arguments": {...}}],   # assistant only
     "tool_call_id": "call_1", "name": str}                               # tool only
"""

from __future__ import annotations

import hashlib
import hmac
import json
import random
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from crm.models import Message, MessageRole
from crm.text import guess_language
from redaction import RedactionSession, Redactor
from redaction.surrogates import make_surrogate

try:
    REDACTION_VERSION = f"mostrador-redaction/{version('mostrador')}"
except PackageNotFoundError:  # pragma: no cover - a source tree that was never installed
    REDACTION_VERSION = "mostrador-redaction/dev"

_REDRAWS = 8
_CRM_ID = re.compile(r"\b[0-9a-f]{32}\b")
# Appointment dates and times in tool data are not personal, but the phone recognizer can
# take "2026-11-24" for a number; they are set aside before redaction and put back after.
ISO_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?"
                  r"(?:Z|[+-]\d{2}:?\d{2})?)?|\d{2}:\d{2}")
LEAD_TOOLS = frozenset({"save_contact_details"})
BOOKING_TOOLS = frozenset({"book_appointment"})
HANDOFF_TOOLS = frozenset({"request_human"})
# Tool arguments that hold the customer's name, as the tools' schemas say (checked against
# them in tests): elsewhere a "name" is a service's, a product's or the business's.
PERSON_ARGUMENTS: dict[str, frozenset[str]] = {"save_contact_details": frozenset({"name"})}


class RecordingSession(RedactionSession):
    """A session that remembers every replacement it issued (the residual audit must not
    mistake a surrogate for a leak)."""

    def __init__(self, real_names: Sequence[str] = ()) -> None:
        super().__init__()
        self.issued: set[str] = set()
        self._names: dict[str, str] = {}  # folded name → its surrogate
        self._name_parts: dict[str, str] = {}  # folded name part → surrogate part
        # Every real name part of the conversation (the contact's known name up front): a
        # fake must not coincide with any of them, or a real name would appear in the corpus.
        self._real_parts: set[str] = {p for n in real_names for p in fold(n).split()}

    def placeholder(self, entity_type: str, value: str) -> str:
        out = super().placeholder(entity_type, value)
        self.issued.add(out)
        return out

    def surrogate(self, entity_type: str, value: str) -> str:
        out = (self._person(value) if entity_type == "PERSON"
               else super().surrogate(entity_type, value))
        self.issued.add(out)
        return out

    def _person(self, value: str) -> str:
        """Names part by part, so "Ana" and "Ana Pérez" get "Marta" and "Marta Ruiz" (the
        library keys surrogates by the whole value)."""
        folded = fold(value).split()
        key = " ".join(folded)
        found = self._names.get(key)
        if found is not None:
            return found
        self._real_parts.update(folded)
        fake = super().surrogate("PERSON", value).split()
        rng = random.Random(hmac.new(self.secret, key.encode(), hashlib.sha256).digest())
        for _ in range(_REDRAWS):
            # A fake that shares a part with a real name of the conversation ("Pérez" for
            # "Ana Pérez") would put that part in the corpus: draw again.
            if not {fold(f) for f in fake} & self._real_parts:
                break
            fake = make_surrogate("PERSON", value, rng).split()
        if len(fake) == len(folded):
            fake = [self._name_parts.setdefault(part, f) for part, f in zip(folded, fake,
                                                                               strict=True)]
        out = " ".join(fake)
        self._names[key] = out
        return out


@dataclass
class Outcomes:
    lead_created: bool = False
    appointment_booked: bool = False
    handed_off: bool = False

    @property
    def main(self) -> str:
        """The one outcome a record is filed under."""
        if self.handed_off:
            return "handed_off"
        if self.appointment_booked:
            return "appointment_booked"
        if self.lead_created:
            return "lead_created"
        return "none"


@dataclass
class AnonymizedConversation:
    messages: list[dict[str, Any]]
    fingerprint: str
    language: str
    user_turns: int
    outcomes: Outcomes
    issued: set[str] = field(default_factory=set)


def fold(text: str) -> str:
    """Lower case without accents."""
    decomposed = unicodedata.normalize("NFD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def detect_language(texts: Sequence[str]) -> str:
    """"en" when the user's words are mostly English, else "es" (crm.text.guess_language)."""
    return guess_language(" ".join(texts))


_ISO_IN_JSON = re.compile(r'"(' + ISO_DATETIME.pattern + r')"')
_TOKEN = re.compile(r"§§[a-z]+§§")


def _letters(n: int) -> str:
    out = ""
    while True:
        out = chr(ord("a") + n % 26) + out
        n = n // 26 - 1
        if n < 0:
            return out


class _Ids:
    """CRM ids → ``id_n`` and tool-call ids → ``call_n``, stable within a conversation."""

    def __init__(self) -> None:
        self.crm: dict[str, str] = {}
        self.calls: dict[str, str] = {}
        self.kept: dict[str, str] = {}

    def crm_id(self, match: re.Match[str]) -> str:
        return self.crm.setdefault(match.group(0), f"id_{len(self.crm) + 1}")

    def call_id(self, original: str) -> str:
        return self.calls.setdefault(original, f"call_{len(self.calls) + 1}")

    def protect(self, obj: Any) -> Any:
        """Tool data with its ISO dates/times and CRM ids set aside (see ``restore``)."""
        if isinstance(obj, str):
            if ISO_DATETIME.fullmatch(obj.strip()):
                return self._token(obj)
            return _ISO_IN_JSON.sub(lambda m: '"' + self._token(m.group(1)) + '"',
                                    self.scrub(obj))
        if isinstance(obj, dict):
            return {k: self.protect(v) for k, v in obj.items()}
        if isinstance(obj, list):
            return [self.protect(v) for v in obj]
        return obj

    def _token(self, value: str) -> str:
        token = "§§" + _letters(len(self.kept)) + "§§"
        self.kept[token] = value
        return token

    def restore(self, obj: Any) -> Any:
        if isinstance(obj, str):
            return _TOKEN.sub(lambda m: self.kept.get(m.group(0), m.group(0)), obj)
        if isinstance(obj, dict):
            return {k: self.restore(v) for k, v in obj.items()}
        if isinstance(obj, list):
            return [self.restore(v) for v in obj]
        return obj

    def scrub(self, obj: Any) -> Any:
        if isinstance(obj, str):
            return _CRM_ID.sub(self.crm_id, obj)
        if isinstance(obj, dict):
            return {k: self.scrub(v) for k, v in obj.items()}
        if isinstance(obj, list):
            return [self.scrub(v) for v in obj]
        return obj


def _tool_ok(text: str) -> bool:
    try:
        data = json.loads(text)
    except ValueError:
        return False
    return isinstance(data, dict) and bool(data.get("ok", "error" not in data))


def _mask(text: str, spans: Sequence[tuple[int, int, str]]) -> str:
    out, last = [], 0
    for start, end, kind in sorted(spans):
        out += [text[last:start], f" {kind} "]
        last = end
    out.append(text[last:])
    return "".join(out)


def _normal(text: str) -> str:
    """What near-identical texts share: folded, no digits, no punctuation, one space."""
    return " ".join(re.sub(r"[\W\d_]+", " ", fold(text)).split())


def anonymize_transcript(
    redactor: Redactor,
    rows: Sequence[Message],
    *,
    style: str,
    known_values: Mapping[str, str | list[str]] | None = None,
    needs_human: bool = False,
) -> AnonymizedConversation:
    """The conversation's messages redacted in ``style`` (one session for all of them).

    Tool calls whose result was never stored, and results of no stored call, are dropped
    (a turn cut off mid-step), as are assistant messages with neither text nor calls.
    """
    names = (known_values or {}).get("PERSON", [])
    session = RecordingSession([names] if isinstance(names, str) else list(names))
    ids = _Ids()
    answered = {r.tool_call_id for r in rows if r.role == MessageRole.tool}
    called = {c.get("id") for r in rows for c in (r.tool_calls or [])}
    start = rows[0].created_at if rows else None
    messages: list[dict[str, Any]] = []
    shape: list[str] = []
    outcomes = Outcomes(handed_off=needs_human)
    user_texts: list[str] = []
    kw: dict[str, Any] = {"style": style, "session": session, "known_values": known_values}
    # Each user message is read with its neighbours, so a number split across two
    # messages ("mi cel es 11 5832" / "1190") is redacted in both.
    said = [ids.scrub(r.text) for r in rows if r.role == MessageRole.user]
    for row in rows:
        offset = int((row.created_at - start).total_seconds()) if start else 0
        if row.role == MessageRole.user:
            k = len(user_texts)
            user_texts.append(row.text)
            found = redactor.analyze_in_context(
                said[k], before=said[k - 1] if k else "",
                after=said[k + 1] if k + 1 < len(said) else "", known_values=known_values)
            result = redactor.anonymize(said[k], found, style=style, session=session)
            shape.append("u:" + _normal(_mask(ids.scrub(row.text),
                                              [(e.start, e.end, e.type) for e in result.entities])))
            messages.append({"role": "user", "content": result.text, "offset_s": offset})
        elif row.role == MessageRole.assistant:
            calls = [c for c in row.tool_calls or [] if c.get("id") in answered]
            if not calls and not row.text.strip():
                continue
            message: dict[str, Any] = {"role": "assistant", "content": "", "offset_s": offset}
            if row.text.strip():
                # The agent's text alone: the session's memory of the previous message is
                # for the customer's split values, which the user branch reads above.
                text = ids.scrub(row.text)
                result = redactor.anonymize(
                    text, redactor.analyze(text, known_values=known_values), style=style,
                    session=session)
                message["content"] = result.text
                shape.append("a:" + _normal(_mask(
                    ids.scrub(row.text), [(e.start, e.end, e.type) for e in result.entities])))
            if calls:
                message["tool_calls"] = [
                    {"id": ids.call_id(str(c["id"])), "name": str(c["name"]),
                     "arguments": ids.restore(redactor.redact_structured(
                         ids.protect(ids.scrub(c.get("args") or {})), **kw,
                         person_keys=PERSON_ARGUMENTS.get(str(c["name"]), frozenset())))}
                    for c in calls
                ]
                shape += [f"c:{c['name']}" for c in calls]
            messages.append(message)
        elif row.tool_call_id in called:
            name = row.tool_name or ""
            if _tool_ok(row.text):
                outcomes.lead_created |= name in LEAD_TOOLS
                outcomes.appointment_booked |= name in BOOKING_TOOLS
                outcomes.handed_off |= name in HANDOFF_TOOLS
            content = ids.restore(redactor.redact_structured(ids.protect(row.text), **kw))
            messages.append({"role": "tool", "content": str(content), "offset_s": offset,
                             "tool_call_id": ids.call_id(str(row.tool_call_id)), "name": name})
    fingerprint = hashlib.sha256("\n".join(shape).encode("utf-8")).hexdigest()
    return AnonymizedConversation(
        messages=messages, fingerprint=fingerprint, language=detect_language(user_texts),
        user_turns=len(user_texts), outcomes=outcomes, issued=session.issued,
    )
