"""agent.minors: what counts as the end user stating their own age, and what does not."""

from __future__ import annotations

import pytest

from agent.minors import asks_age, stated_age

# (text, asked_age, expected "below" or None, language)
CASES = [
    # Spanish: first-person ages
    ("tengo 12 años", False, 13, "es"),
    ("Tengo 12 AÑOS y quiero un turno para mañana a las 10", False, 13, "es"),
    ("tengo 12 anos", False, 13, "es"),
    ("tengo 11 añitos", False, 12, "es"),
    ("tengo doce", False, 13, "es"),
    ("hola! tengo doce y quiero sacar turno", False, 13, "es"),
    ("tengo solo 10 años", False, 11, "es"),
    ("tengo 12 años de edad", False, 13, "es"),
    ("soy menor, tengo 11", False, 12, "es"),
    ("soy menor de edad", False, 18, "es"),
    ("soy menor de 13", False, 13, "es"),
    ("mi edad es 9", False, 10, "es"),
    ("cumplí 12 años la semana pasada", False, 13, "es"),
    ("tengo 35 años", False, 36, "es"),
    # Spanish: a bare number answers the agent's question about the age
    ("tengo 12", True, 13, "es"),
    ("12", True, 13, "es"),
    ("12 años", True, 13, "es"),
    ("doce", True, 13, "es"),
    # English
    ("I'm 12", False, 13, "en"),
    ("i’m 12!", False, 13, "en"),
    ("I am 12 years old", False, 13, "en"),
    ("im twelve and i want an appointment", False, 13, "en"),
    ("I'm only 10 yo", False, 11, "en"),
    ("my age is 11", False, 12, "en"),
    ("I just turned 12.", False, 13, "en"),
    ("I'm a minor", False, 18, "en"),
    ("I am under 13", False, 13, "en"),
    ("12", True, 13, "es"),
    ("12 years old", True, 13, "en"),
    # Decoys: durations
    ("tengo 12 años de experiencia", False, None, ""),
    ("tengo 12 años de casada", False, None, ""),
    ("tenemos 12 años de casados", False, None, ""),
    ("tengo 12 años con la misma dentista", False, None, ""),
    ("tengo 12 años que no voy al dentista", False, None, ""),
    ("tengo 12 años trabajando en el centro", False, None, ""),
    ("tengo 12 años en la empresa", False, None, ""),
    ("hace 12 años que vengo", False, None, ""),
    ("I am 12 years into my career", False, None, ""),
    ("I have 12 years of experience", False, None, ""),
    # Decoys: ages of others
    ("mi hijo de 10 necesita un control", False, None, ""),
    ("mi hijo tiene 10 años", False, None, ""),
    ("es para mi hija, tiene 12", False, None, ""),
    ("tengo un hijo de 10 años", False, None, ""),
    ("tengo 2 hijos de 10 y 12 años", False, None, ""),
    ("my son is 9", False, None, ""),
    ("my daughter, 11 years old, needs a cleaning", False, None, ""),
    ("soy la menor de 3 hermanas", False, None, ""),
    ("soy menor que mi hermano", False, None, ""),
    # Decoys: prices, times, quantities, dates
    ("tengo 12 turnos pendientes", False, None, ""),
    ("tengo 12", False, None, ""),
    ("tengo 12:30 libre", False, None, ""),
    ("tengo 12.000 pesos", False, None, ""),
    ("tengo $12", False, None, ""),
    ("tengo 12/11 disponible", False, None, ""),
    ("tengo libre el 12", False, None, ""),
    ("¿sale 12 mil?", False, None, ""),
    ("a las 12 está bien", False, None, ""),
    ("tengo dos turnos", False, None, ""),
    ("tengo dos.", False, None, ""),
    ("I'm 12 minutes late", False, None, ""),
    ("I'm 5 foot 2", False, None, ""),
    ("I am at 12 Main St", False, None, ""),
    ("quiero 12 sesiones de láser", True, None, ""),
]


@pytest.mark.parametrize(("text", "asked", "below", "language"), CASES,
                         ids=[c[0][:40] + (" [asked]" if c[1] else "") for c in CASES])
def test_stated_age(text: str, asked: bool, below: int | None, language: str) -> None:
    found = stated_age(text, asked_age=asked)
    if below is None:
        assert found is None
    else:
        assert found is not None and (found.below, found.language) == (below, language)


def test_under_compares_with_the_business_minimum_and_zero_turns_it_off() -> None:
    twelve = stated_age("tengo 12 años")
    minor_de_edad = stated_age("soy menor de edad")
    assert twelve is not None and minor_de_edad is not None
    assert twelve.under(13) and not twelve.under(12) and not twelve.under(0)
    assert twelve.under(18) and minor_de_edad.under(18) and not minor_de_edad.under(13)


@pytest.mark.parametrize(("text", "asks"), [
    ("¿Cuántos años tenés?", True), ("¿Me decís tu edad?", True), ("How old are you?", True),
    ("What's your age?", True), ("¿Para qué día querés el turno?", False),
    ("Tenemos 20 años de experiencia", False),
])
def test_asks_age(text: str, asks: bool) -> None:
    assert asks_age(text) is asks
