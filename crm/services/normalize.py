"""Normalization of phones (E.164) and emails, so the same person dedupes to one contact."""

from __future__ import annotations

import re

import phonenumbers

from crm.errors import InvalidEmail, InvalidPhone

_BAD_PHONE = "El teléfono no parece válido; pedí el número con código de área."
_BAD_EMAIL = "El email no parece válido; pedilo de nuevo."
_EMAIL = re.compile(r"^[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}$")


def region_of(locale: str) -> str:
    """'es-AR' -> 'AR'; a bare language falls back to AR (our first market)."""
    parts = locale.replace("_", "-").split("-")
    return parts[1].upper() if len(parts) > 1 else "AR"


def normalize_phone(raw: str, *, region: str) -> str:
    """Return the number in E.164, or raise InvalidPhone.

    phonenumbers already turns the Argentine "15" mobile prefix into the international
    "+54 9" form. Mexico dropped its mobile "1" (+52 1 ...) in 2019; people still write it.
    """
    text = raw.strip()
    if text.isdigit() and len(text) > 10 and not text.startswith("0"):
        text = "+" + text  # WhatsApp wa_ids come without the plus
    try:
        number = phonenumbers.parse(text, region)
        if number.country_code == 52 and not phonenumbers.is_valid_number(number):
            national = str(number.national_number)
            if national.startswith("1"):
                number = phonenumbers.parse("+52" + national[1:])
    except phonenumbers.NumberParseException as exc:
        raise InvalidPhone(_BAD_PHONE) from exc
    if not phonenumbers.is_valid_number(number):
        raise InvalidPhone(_BAD_PHONE)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalize_email(raw: str) -> str:
    email = raw.strip().lower()
    if not _EMAIL.match(email):
        raise InvalidEmail(_BAD_EMAIL)
    return email


def phone_variants(e164: str) -> list[str]:
    """The number and the forms that reach the same line: in Argentina a mobile is written
    +54 9 11... (how WhatsApp and phonenumbers give it) or +54 11... (dialled without the 9),
    and both are stored in practice."""
    if e164.startswith("+549"):
        return [e164, "+54" + e164[4:]]
    if e164.startswith("+54"):
        return [e164, "+549" + e164[3:]]
    return [e164]
