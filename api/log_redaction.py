"""The log's last line of defence: every record's message and exception text go through the
PII redactor (``redaction.Redactor``, placeholder style) before any handler sees them.

Mostrador's own log lines carry ids and counts only; this catches what slips through (an
exception whose message quotes a row, a library that logs a URL with a phone number in it).

**Where it hooks in.** A ``logging.setLogRecordFactory`` wrapper, not a handler filter: the
record is scrubbed once, when it is created, so every handler gets the scrubbed record —
the one ``configure_logging`` installs, uvicorn's, pytest's, any added later by a library —
without finding and wrapping each of them, and nothing formats the raw text first. (A
filter on a logger does not run for records propagated from its children; a filter per
handler misses handlers added later.)

**What changes on a record.** When the formatted message (``msg % args``) holds PII, ``msg``
becomes the redacted message and ``args`` is emptied; otherwise the record is left exactly
as it was. An exception (``exc_info``) is formatted and redacted into ``exc_text`` (which
formatters print); when that removed something, ``exc_info`` is dropped so no formatter can
print the original. ``stack_info`` likewise. Values of keys that name personal data
(``name=``, ``phone=``, ``email=``, ``text=``... and their JSON form) are replaced whole.
If redaction itself fails, the line is withheld (its logger and the error type are kept).

**Cost.** The analyzer is built once per process. Most lines skip it: a record whose
template (``msg``) is known to be clean — verdicts are cached per template — and whose
arguments all have a harmless shape (ids, hex, counts, floats, booleans, timestamps,
exception class names, snake_case identifiers, words that are not names) is not analyzed.
Anything else is (about a millisecond a line). ``bench/log_redaction.py`` measures both.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from enum import Enum
from functools import lru_cache
from typing import Any

from redaction import RedactionSession, Redactor

# Addresses of this machine are not anyone's personal data (uvicorn prints them).
_ALLOW = ("127.0.0.1", "0.0.0.0", "::1", "localhost")
_CACHE_LIMIT = 4096
_MAX_INT = 99_999  # bigger integers may be phone numbers or document numbers

_SENSITIVE_KEYS = {
    "PERSON": "name|nombre|first_name|last_name|full_name|apellido|contact_name",
    "PHONE_NUMBER": "phone|telefono|teléfono|tel|celular|cel|mobile|whatsapp_number",
    "EMAIL_ADDRESS": "email|e-mail|mail|correo",
    "ID": "dni|cuit|cuil|rut|curp|rfc|cedula|cédula|document|documento",
    "LOCATION": "address|direccion|dirección|domicilio",
    "TEXT": "text|texto|body|message_text|content",
}
_KV = re.compile(
    r"(?i)(?<![\w-])(?P<key>" + "|".join(_SENSITIVE_KEYS.values()) + r")="
    r"(?P<value>\"[^\"]*\"|'[^']*'|.*?)(?=\s+[\w.-]+=|$)", re.M)
_JSON_KV = re.compile(
    r"(?i)\"(?P<key>" + "|".join(_SENSITIVE_KEYS.values()) + r")\"\s*:\s*"
    r"(?P<value>\"(?:[^\"\\]|\\.)*\")")
_KEY_TYPE = {key.lower(): kind for kind, keys in _SENSITIVE_KEYS.items()
             for key in keys.split("|")}

_HEX_ID = re.compile(r"^(?=.*[a-f])[0-9a-f]{8,64}$|^[0-9a-f]{8}(?:-[0-9a-f]{4}){3}-[0-9a-f]{12}$")
_ISO_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?"
                       r"(?:Z|[+-]\d{2}:?\d{2})?)?$")
_NUMBER = re.compile(r"^-?(?:\d{1,5}|\d+\.\d+)(?:ms|s|%)?$")
_TOKEN = re.compile(r"^[A-Za-z][A-Za-z0-9_.:/-]{0,63}$")
_LONG_DIGITS = re.compile(r"\d{5}")
_PARTS = re.compile(r"[_.:/-]")
# Exception class names ("APITimeoutError"): capitalized, so "soy <word>" would look like a
# name to the redactor; recognized by their suffix instead.
_EXCEPTION_NAME = re.compile(
    r"^[A-Z][A-Za-z0-9]*(?:Error|Exception|Timeout|Warning|Exit|Interrupt|Failed|Unavailable"
    r"|Rejected|Refused|NotFound|Denied|Exists|Conflict|Invalid|Expired|Cancelled|Closed"
    r"|NotSent|Exhausted)$")


class LogRedactor:
    """Scrubs log records in place (see the module docstring). Thread-safe."""

    def __init__(self, redactor: Redactor | None = None) -> None:
        self.redactor = redactor or Redactor(allow_list=_ALLOW)
        self._clean_templates: dict[str, bool] = {}
        self._plain_words: dict[str, bool] = {}
        self._local = threading.local()
        self._formatter = logging.Formatter()

    # --- text ---------------------------------------------------------------------------
    def scrub(self, text: str) -> str:
        """``text`` with personal data replaced by placeholders (``<PHONE_NUMBER_1>``)."""
        if not text:
            return text
        text = _KV.sub(_kv_placeholder, text)
        text = _JSON_KV.sub(_json_placeholder, text)
        return self.redactor.redact(text, style="placeholder", session=RedactionSession())

    # --- records ------------------------------------------------------------------------
    def apply(self, record: logging.LogRecord) -> None:
        """Scrub the record's message, exception and stack text in place."""
        if getattr(self._local, "busy", False):
            return  # a record logged by the redactor itself (counts only)
        self._local.busy = True
        try:
            self._apply(record)
        except Exception as exc:  # never let logging fail, never let the raw text through
            record.msg = (f"[log line withheld: redaction failed error={type(exc).__name__}]")
            record.args = ()
            record.exc_info, record.exc_text, record.stack_info = None, None, None
        finally:
            self._local.busy = False

    def _apply(self, record: logging.LogRecord) -> None:
        if not self._fast_clean(record):
            try:
                message, broken = record.getMessage(), False
            except Exception:  # bad %-args: logging would print them raw in its error
                message, broken = f"{record.msg} [log arguments dropped: formatting failed]", True
            scrubbed = self.scrub(message)
            if broken:
                record.msg, record.args = scrubbed, ()
            elif scrubbed != message:
                if record.name == "uvicorn.access" and isinstance(record.args, tuple):
                    # Its formatter unpacks the arguments: keep their number and order.
                    record.args = tuple(self.scrub(a) if isinstance(a, str) else a
                                        for a in record.args)
                else:
                    record.msg, record.args = scrubbed, ()
        if record.exc_info and record.exc_info[0] is not None:
            text = self._formatter.formatException(record.exc_info)
            record.exc_text = self.scrub(scrub_exception_messages(text))
            if record.exc_text != text:
                record.exc_info = None
        if record.stack_info:
            record.stack_info = self.scrub(record.stack_info)

    def _fast_clean(self, record: logging.LogRecord) -> bool:
        """True when the record cannot hold PII: a clean template and harmless arguments."""
        if not isinstance(record.msg, str) or not self._clean_template(record.msg):
            return False
        args = record.args
        if not args:
            return True
        if not isinstance(args, tuple):
            return False  # a mapping: "%(name)s" templates
        return all(self._harmless(a) for a in args)

    def _clean_template(self, template: str) -> bool:
        verdict = self._clean_templates.get(template)
        if verdict is None:
            verdict = self.scrub(template) == template
            if len(self._clean_templates) >= _CACHE_LIMIT:
                self._clean_templates.clear()
            self._clean_templates[template] = verdict
        return verdict

    def _harmless(self, value: Any) -> bool:
        if value is None or isinstance(value, bool | float | datetime | date | time | timedelta):
            return True
        if isinstance(value, Enum):
            value = value.value
        if isinstance(value, int):
            return -_MAX_INT <= value <= _MAX_INT
        if not isinstance(value, str):
            if isinstance(value, dict | list | tuple | set | bytes):
                return False
            value = str(value)  # a URL, a path, a UUID: what formatting would print
        if value in ("", "-") or _HEX_ID.match(value) or _ISO_TIME.match(value) \
                or _NUMBER.match(value):
            return True
        if len(value) > 200 or "@" in value or _LONG_DIGITS.search(value):
            return False
        return all(self._harmless_token(t) for t in value.split(","))

    def _harmless_token(self, token: str) -> bool:
        if not _TOKEN.match(token):
            return False
        if _EXCEPTION_NAME.match(token):
            return True
        # Identifiers, module paths, enum values, slugs, exception class names: harmless
        # unless a word of theirs is what the redactor takes for a name after a cue.
        return all(self._plain_word(w) for w in _PARTS.split(token) if w.isalpha())

    def _plain_word(self, word: str) -> bool:
        verdict = self._plain_words.get(word)
        if verdict is None:
            # "Ana" and "ana" are asked as written; "POST", "HTTP" or "McDonald" in lower
            # case (capitals inside a word read as a name to the analyzer, not to people).
            probe = word if word.islower() or word.istitle() else word.lower()
            verdict = not self.redactor.analyze(f"soy {probe}")
            if len(self._plain_words) >= _CACHE_LIMIT:
                self._plain_words.clear()
            self._plain_words[word] = verdict
        return verdict


# A traceback's frames are file, line and source code: no runtime data. What may carry data
# is the message of each exception (the unindented "Type: message" lines and what follows
# them): an input echoed in quotes, SQL parameters, PostgreSQL's "DETAIL: Key (...)=(...)".
_QUOTED = re.compile(r"'(?:[^'\\\n]|\\.)*'|\"(?:[^\"\\\n]|\\.)*\"")
_SQL_PARAMETERS = re.compile(r"\[parameters: .*?\](?=\n|$)", re.S)
_KEY_DETAIL = re.compile(r"(Key \([^)]*\)=)\((?:[^()]|\([^()]*\))*\)")
_TRACEBACK_HEADERS = ("Traceback (most recent call last):", "During handling of the above",
                      "The above exception was the direct cause")


def scrub_exception_messages(traceback_text: str) -> str:
    """A formatted traceback with its exception messages stripped of the values they may
    quote (string literals, SQL parameters, PostgreSQL key details); frames unchanged."""
    out = []
    in_message = False
    for line in traceback_text.split("\n"):
        if line.startswith(_TRACEBACK_HEADERS):
            in_message = False
        elif line and not line[0].isspace():
            in_message = True  # "SomeError: message" starts an exception's message
        if in_message:
            line = _KEY_DETAIL.sub(r"\1(<redacted>)", line)
            line = _QUOTED.sub("'<redacted>'", line)
        out.append(line)
    return _SQL_PARAMETERS.sub("[parameters: <redacted>]", "\n".join(out))


def _kv_placeholder(match: re.Match[str]) -> str:
    value = match.group("value")
    if not value.strip() or value in ("-", "None", '""', "''"):
        return match.group(0)
    return f"{match.group('key')}=<{_KEY_TYPE[match.group('key').lower()]}>"


def _json_placeholder(match: re.Match[str]) -> str:
    return f'"{match.group("key")}": "<{_KEY_TYPE[match.group("key").lower()]}>"'


@lru_cache(maxsize=1)
def shared_log_redactor() -> LogRedactor:
    """The process's LogRedactor (the analyzer is built once)."""
    return LogRedactor()


_Factory = Callable[..., logging.LogRecord]


def install(redactor: LogRedactor | None = None) -> LogRedactor:
    """Scrub every log record from now on (idempotent); returns the redactor in use."""
    current = logging.getLogRecordFactory()
    installed: LogRedactor | None = getattr(current, "mostrador_redactor", None)
    if installed is not None and (redactor is None or redactor is installed):
        return installed
    previous: _Factory = getattr(current, "mostrador_previous", current)
    use = redactor or shared_log_redactor()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        use.apply(record)
        return record

    factory.mostrador_redactor = use  # type: ignore[attr-defined]
    factory.mostrador_previous = previous  # type: ignore[attr-defined]
    logging.setLogRecordFactory(factory)
    return use


def uninstall() -> None:
    """Stop scrubbing (MOSTRADOR_LOG_REDACTION=false)."""
    current = logging.getLogRecordFactory()
    previous = getattr(current, "mostrador_previous", None)
    if previous is not None:
        logging.setLogRecordFactory(previous)


def installed() -> bool:
    return getattr(logging.getLogRecordFactory(), "mostrador_redactor", None) is not None
