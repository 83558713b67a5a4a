"""Redaction of structured data: tool-call arguments and results (nested dicts/lists).

Strings are redacted like message text with the conversation's session, so the same
phone gets the same placeholder in the text and in ``{"phone": ...}``. A JSON-encoded
string (tool arguments often are) is decoded, redacted and encoded back. Keys that name
personal data ("nombre", "phone", "email", "dni"...) make their whole value an entity
when the analyzer found nothing in it. Numbers are checked as text too. Keys are kept.

A bare ``"name"`` is not a person by itself: a service, a product and a business have
names too. It is one where the caller says so (``person_keys``: the tool's schema says
the argument is the customer's name) or inside a ``contact``/``customer`` object. A
string the business owns (allow-listed: its services, address, staff, FAQ) is kept whole.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

from presidio_analyzer import RecognizerResult

from redaction.anonymize import RedactionSession
from redaction.known_values import KnownValues, find_known
from redaction.normalize import fold

if TYPE_CHECKING:
    from redaction.redactor import Redactor

KEY_HINTS: dict[str, str] = {
    **dict.fromkeys(
        "nombre_completo apellido apellidos full_name fullname first_name last_name "
        "customer_name contact_name titular".split(),
        "PERSON",
    ),
    **dict.fromkeys(
        "phone telefono tel celular cel movil mobile whatsapp phone_number".split(), "PHONE_NUMBER"
    ),
    **dict.fromkeys("email mail correo e_mail email_address".split(), "EMAIL_ADDRESS"),
    **dict.fromkeys(
        "address direccion domicilio street calle shipping_address".split(), "LOCATION"
    ),
    **dict.fromkeys(
        "dni cuit cuil rut curp rfc cedula ci ruc nie nif document documento national_id "
        "tax_id".split(),
        "NATIONAL_ID",
    ),
    **dict.fromkeys("cbu cvu clabe iban card tarjeta account cuenta alias".split(), "FINANCIAL"),
    **dict.fromkeys("birth_date birthdate fecha_nacimiento dob".split(), "DATE_OF_BIRTH"),
}


_NAME_SHAPE = re.compile(r"^[^\W\d_]+(?:[ '\-][^\W\d_]+){0,5}$")
# Objects whose "name" is a person's.
PERSON_OBJECTS = frozenset({"contact", "contacto", "customer", "cliente", "person", "persona"})
_NAME_KEYS = frozenset({"name", "nombre"})


def _normal_key(key: str) -> str:
    return fold(key).replace("-", "_").replace(" ", "_")


def _hint(key: str | None, person_keys: frozenset[str] = frozenset()) -> str | None:
    if key is None:
        return None
    key = _normal_key(key)
    if key in person_keys:
        return "PERSON"
    return KEY_HINTS.get(key)


def redact_structured(
    redactor: Redactor,
    obj: Any,
    *,
    style: str,
    session: RedactionSession,
    known_values: KnownValues | None,
    language: str,
    person_keys: frozenset[str] = frozenset(),
    _key: str | None = None,
) -> Any:
    """Recursive worker behind :meth:`Redactor.redact_structured`."""
    kwargs: dict[str, Any] = {
        "style": style,
        "session": session,
        "known_values": known_values,
        "language": language,
    }
    if isinstance(obj, dict):
        inner_keys = (
            person_keys | _NAME_KEYS if _key is not None and _normal_key(_key) in PERSON_OBJECTS
            else person_keys
        )
        return {
            k: redact_structured(
                redactor, v, **kwargs, person_keys=person_keys if isinstance(v, (dict, list))
                else inner_keys, _key=str(k),
            )
            for k, v in obj.items()
        }
    if isinstance(obj, (list, tuple)):
        return type(obj)(
            redact_structured(redactor, v, **kwargs, person_keys=person_keys, _key=_key)
            for v in obj
        )
    if isinstance(obj, bool) or obj is None:
        return obj
    if isinstance(obj, (int, float)):
        as_text = str(obj)
        redacted = _redact_string(redactor, as_text, hint=_hint(_key, person_keys), **kwargs)
        return obj if redacted == as_text else redacted
    if isinstance(obj, str):
        stripped = obj.strip()
        if stripped[:1] in "[{" and stripped[-1:] in "]}":
            try:
                decoded = json.loads(stripped)
            except ValueError:
                pass
            else:
                inner = redact_structured(
                    redactor, decoded, **kwargs, person_keys=person_keys, _key=_key
                )
                return json.dumps(inner, ensure_ascii=False)
        return _redact_string(redactor, obj, hint=_hint(_key, person_keys), **kwargs)
    return obj


def _redact_string(
    redactor: Redactor,
    text: str,
    *,
    hint: str | None,
    style: str,
    session: RedactionSession,
    known_values: KnownValues | None,
    language: str,
) -> str:
    if not text.strip():
        return text
    if redactor.allow_list and redactor.allow_list.allows("ANY", text):
        # The business's own (a service, its address, a staff member): only the
        # contact's known values are taken out of it.
        hint = None
        results = [
            RecognizerResult(m.entity_type, m.start, m.end, 1.0)
            for m in find_known(text, known_values)
        ]
    else:
        results = redactor.analyze(text, language=language, known_values=known_values)
    if hint == "PERSON" and not _NAME_SHAPE.match(text.strip()):
        hint = None  # "name": "crear_turno" is a tool name, not a person
    if not results and hint is not None:
        start = len(text) - len(text.lstrip())
        end = len(text.rstrip())
        results = [RecognizerResult(hint, start, end, 1.0)]
    if not results:
        return text
    from presidio_anonymizer.entities import RecognizerResult as AnonymizerResult

    return redactor._anonymizer.anonymize(  # noqa: SLF001 - same package
        text,
        [AnonymizerResult(r.entity_type, r.start, r.end, r.score) for r in results],
        style=style,
        session=session,
    )
