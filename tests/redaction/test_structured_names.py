"""A ``"name"`` in tool data is a person only where the schema says so; the business's own
strings (services, staff, address) are never replaced (synthetic values)."""

from __future__ import annotations

import json

from redaction import RedactionSession, Redactor

SERVICES = {"ok": True, "services": [
    {"name": "Limpieza dental", "duration_minutes": 45, "price": "$ 35.000"},
    {"name": "Genaro Spa", "duration_minutes": 60, "price": "$ 50.000"},
    {"name": "Luz pulsada", "duration_minutes": 30, "price": "$ 20.000"},
]}


def test_service_names_are_not_people(redactor: Redactor) -> None:
    out = redactor.redact_structured(json.dumps(SERVICES), session=RedactionSession())
    names = [s["name"] for s in json.loads(out)["services"]]
    assert names[0] == "Limpieza dental" and names[2] == "Luz pulsada"


def test_allow_listed_business_strings_are_kept_whole() -> None:
    redactor = Redactor(languages=["es"], allow_list=["Genaro Spa", "Dra. Carla Méndez"])
    data = {**SERVICES, "staff": "Dra. Carla Méndez"}
    out = redactor.redact_structured(data, session=RedactionSession())
    assert out["services"][1]["name"] == "Genaro Spa"
    assert out["staff"] == "Dra. Carla Méndez"


def test_a_contact_s_name_is_a_person(redactor: Redactor) -> None:
    result = {"ok": True, "contact": {"name": "Bruno Salvatierra", "phone": "11 5832-1190"}}
    out = redactor.redact_structured(result, session=RedactionSession())
    assert out["contact"] == {"name": "<PERSON_1>", "phone": "<PHONE_NUMBER_1>"}


def test_the_schema_s_person_arguments_are_people(redactor: Redactor) -> None:
    # A nickname no recognizer takes for a name: the schema says it is one.
    args = {"name": "Pochoclo", "notes": "quiere turno"}
    assert redactor.redact_structured(args, session=RedactionSession())["name"] == "Pochoclo"
    out = redactor.redact_structured(args, session=RedactionSession(), person_keys={"name"})
    assert out["name"] == "<PERSON_1>"


def test_a_known_value_inside_an_allow_listed_string_still_goes() -> None:
    redactor = Redactor(languages=["es"], allow_list=["Turno de Ana Pérez"])
    out = redactor.redact_structured({"title": "Turno de Ana Pérez"}, session=RedactionSession(),
                                     known_values={"PERSON": "Ana Pérez"})
    assert "Pérez" not in out["title"]
