"""Styles: placeholder and surrogate consistency, valid surrogate check digits, mask, hash."""

from __future__ import annotations

import re

import pytest
from stdnum import luhn
from stdnum.ar import cuit
from stdnum.cl import rut
from stdnum.es import dni
from stdnum.mx import curp

from redaction import MissingHashKeyError, RedactionSession, Redactor, UnknownStyleError
from redaction.recognizers.uy.uy_ci import is_valid_uy_ci

CONVERSATION = [
    "Hola, soy Sandra Milena Rojas, mi cel es 318 764 2201",
    "Perfecto Sandra, te llamo al 3187642201 mañana",
    "Mi correo es sandra.rojas_m@yahoo.com y el de mi esposo pablo.munoz.r@gmail.com",
]


def test_placeholder_same_value_same_number_across_messages(redactor: Redactor) -> None:
    session = RedactionSession()
    out = [redactor.redact(t, session=session) for t in CONVERSATION]
    phones = re.findall(r"<PHONE_NUMBER_\d+>", " ".join(out))
    assert len(phones) == 2 and len(set(phones)) == 1
    assert "<PERSON_1>" in out[0] and "<PERSON_1>" in out[1]
    assert re.findall(r"<EMAIL_ADDRESS_\d+>", out[2]) == ["<EMAIL_ADDRESS_1>", "<EMAIL_ADDRESS_2>"]


def test_placeholder_numbers_restart_in_a_new_session(redactor: Redactor) -> None:
    first = redactor.redact("soy Carla Méndez", session=RedactionSession())
    second = redactor.redact("soy Ramiro Quiroga", session=RedactionSession())
    assert first == "soy <PERSON_1>" and second == "soy <PERSON_1>"


def test_surrogate_consistent_within_session_and_leaks_nothing(redactor: Redactor) -> None:
    session = RedactionSession()
    out = [redactor.redact(t, style="surrogate", session=session) for t in CONVERSATION]
    for original in ("Sandra", "Rojas", "318 764 2201", "3187642201", "sandra.rojas_m"):
        assert all(original not in o for o in out)
    again = redactor.redact(CONVERSATION[0], style="surrogate", session=session)
    assert again == out[0]


@pytest.mark.parametrize(
    ("text", "entity_type", "is_valid"),
    [
        ("CUIT 20-34540967-0", "AR_CUIT", cuit.is_valid),
        ("RUT 15.866.024-5", "CL_RUT", rut.is_valid),
        ("Mi CURP es LOHM900512MDFPRR03", "MX_CURP", curp.is_valid),
        ("mi DNI es 53464097E", "ES_DNI", dni.is_valid),
        ("tarjeta 2223 0031 2200 3222", "CREDIT_CARD", lambda v: luhn.is_valid(v.replace(" ", ""))),
        ("cédula 4.567.890-5", "UY_CI", is_valid_uy_ci),
    ],
)
def test_surrogates_keep_format_and_valid_check_digits(
    redactor: Redactor, text: str, entity_type: str, is_valid: object
) -> None:
    session = RedactionSession()
    (entity,) = [r for r in redactor.analyze(text) if r.entity_type == entity_type]
    original = text[entity.start : entity.end]
    fake = session.surrogate(entity_type, original)
    assert fake != original
    assert len(fake) == len(original)
    assert is_valid(fake)  # type: ignore[operator]
    assert redactor.analyze(fake) or entity_type == "UY_CI"


def test_mask_hides_letters_and_digits(redactor: Redactor) -> None:
    out = redactor.redact("mi cel es 11 5832-1190", style="mask")
    assert out == "mi cel es ** ****-****"


def test_hash_is_keyed_and_stable(redactor: Redactor) -> None:
    text = "soy Carla Méndez, cel 11 5832-1190"
    a = redactor.redact(text, style="hash")
    b = redactor.redact(text, style="hash", session=RedactionSession())
    other = Redactor(languages=["es"], hash_key=b"another-key-0123456789")
    c = other.redact(text, style="hash")
    assert a == b
    assert a != c
    assert "Carla" not in a and "5832" not in a


def test_hash_without_key_and_unknown_style_raise() -> None:
    plain = Redactor(languages=["es"])
    with pytest.raises(MissingHashKeyError):
        plain.redact("soy Carla Méndez", style="hash")
    with pytest.raises(UnknownStyleError):
        plain.redact("soy Carla Méndez", style="blur")
