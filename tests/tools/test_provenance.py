"""Contact details a model passes must be the customer's own words."""

from __future__ import annotations

import pytest

from tools.provenance import email_given, name_given, not_given, phone_given

TEXTS = ("hola! soy maría josé PÉREZ", "mi cel es (011) 15-5555.1234 y mi mail "
         "Maria.Perez@Example.com")


@pytest.mark.parametrize("phone", ["11 5555-1234", "+54 9 11 5555 1234", "1155551234"])
def test_a_phone_matches_by_its_last_digits_however_it_is_written(phone: str) -> None:
    assert phone_given(phone, TEXTS)


@pytest.mark.parametrize("phone", ["1234567890", "+541123456789", "55551", ""])
def test_an_invented_or_too_short_phone_does_not(phone: str) -> None:
    assert not phone_given(phone, TEXTS)


def test_names_are_matched_word_by_word_without_case_or_accents() -> None:
    assert name_given("María José Pérez", TEXTS) and name_given("maria perez", TEXTS)
    assert not name_given("John Doe", TEXTS) and not name_given("María Gómez", TEXTS)
    assert not name_given("", TEXTS)


def test_an_email_must_be_written_as_given() -> None:
    assert email_given("maria.perez@example.com", TEXTS)
    assert not email_given("maria@example.com", TEXTS)


def test_what_the_contact_already_has_needs_no_new_mention() -> None:
    known = {"name": "Luz Ortega", "phone": "+5491144443333", "email": None}
    assert not_given(("dale",), name="Luz Ortega", phone="11 4444-3333", email=None,
                     known=known) == []
    assert not_given(("dale",), name="Luz", phone=None, email="luz@example.com",
                     known=known) == ["name", "email"]
