"""Redactor behaviour: no false alarms, allow-list, known values, structured data, dev subset."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from redaction import RedactionSession, Redactor, UnsupportedLanguageError
from tests.redaction.conftest import found

DATA = Path(__file__).resolve().parents[1] / "data" / "redaction"

NOT_PII = [
    "¿Cuánto sale? Vi que estaba $15.000 con 20% de descuento.",
    "Hola! Tienen turno para el martes 12 a las 10?",
    "Son 2 unidades del modelo 4520 en negro, pedido #MX-883921.",
    "El precio de la cubierta 175/65 R14 es $89.900",
    "Quiero reservar para 4 personas el sábado a las 21:30.",
    "La garantía la gestioné con el número de serie SN4471902283",
    "Dale, gracias! Buenas noches, hasta mañana.",
    # lowercase chat decoys: prices, times, quantities, codes, names that are words
    "vi que estaba 15 lucas, o $15.000 en efectivo",
    "quedamos el martes 12 a las 10, mañana 9hs no puedo",
    "tengo 34 años y trabajo desde 2019, somos 6",
    "el pedido 77812 y la factura FE-2231, sku AB-1234",
    "quiero una rosa roja, hay luz en el local? paz y amor",
    "la cruz roja junta ropa, la virgen de guadalupe nos cuide",
    "el paquete pesa 2,5 kg y mide 40x30x20",
]


@pytest.mark.parametrize("text", NOT_PII)
def test_no_false_alarms_on_prices_times_quantities_codes(redactor: Redactor, text: str) -> None:
    assert found(redactor, text) == []


def test_synthetic_chat_generator_is_deterministic_and_spans_match() -> None:
    from redaction.synth import generate_chat

    rows = generate_chat(60, seed=3)
    assert rows == generate_chat(60, seed=3)
    for row in rows:
        for span in row["spans"]:
            assert row["text"][span["start"] : span["end"]] == span["value"]


def test_allow_list_keeps_business_contact_in_any_format(tenant_redactor: Redactor) -> None:
    text = (
        "Estamos en Av. Rivadavia 4975 piso 3 B, CABA. Llamanos al 011 4000-1234 o "
        "escribí a hola@peluquerialuz.com.ar. Mi cel es 11 5832-1190"
    )
    out = tenant_redactor.redact(text)
    assert "Av. Rivadavia 4975" in out
    assert "011 4000-1234" in out
    assert "hola@peluquerialuz.com.ar" in out
    assert "5832-1190" not in out


def test_known_values_redact_every_variant(redactor: Redactor) -> None:
    known = {
        "PERSON": "Ximena Aguilar",
        "PHONE_NUMBER": "+52 1 55 7712 0934",
        "EMAIL_ADDRESS": "xime.aguilar@gmail.com",
    }
    text = (
        "ok ximena, te marco al 55 7712 0934 o al 7712-0934; cualquier cosa xime.aguilar "
        "en insta. Saludos a la familia AGUILAR"
    )
    session = RedactionSession()
    out = redactor.redact(text, session=session, known_values=known)
    for leaked in ("ximena", "7712", "0934", "xime.aguilar", "AGUILAR"):
        assert leaked not in out
    assert out.count("<PHONE_NUMBER_1>") == 2


def test_known_values_as_plain_list(redactor: Redactor) -> None:
    out = redactor.redact("gracias Anacleto, ya te escribo", known_values=["Anacleto Zúñiga"])
    assert "Anacleto" not in out


def test_structured_tool_args_share_the_text_replacements(redactor: Redactor) -> None:
    session = RedactionSession()
    text = redactor.redact("Soy Carla Méndez, mi cel es 11 5832-1190", session=session)
    call = {
        "name": "crear_turno",
        "arguments": json.dumps({"cliente": "Carla Méndez", "telefono": "1158321190"}),
        "result": {"ok": True, "turno": {"hora": "15:00", "nombre": "Carla", "id": 4471}},
    }
    out = redactor.redact_structured(call, session=session)
    args = json.loads(out["arguments"])
    assert args["cliente"] in text and args["cliente"].startswith("<PERSON_")
    assert args["telefono"] in text
    assert out["result"]["turno"]["nombre"] == args["cliente"]
    assert out["result"]["turno"]["hora"] == "15:00" and out["result"]["turno"]["id"] == 4471
    assert out["name"] == "crear_turno" and out["result"]["ok"] is True


def test_entities_offsets_index_the_original_text(redactor: Redactor) -> None:
    text = "Mi mail es lucia.ferreyra82@gmail.com y mi DNI 34.540.967"
    result = redactor.redact_with_entities(text)
    spans = {text[e.start : e.end] for e in result.entities}
    assert spans == {"lucia.ferreyra82@gmail.com", "34.540.967"}


def test_unknown_language_is_a_configuration_error() -> None:
    with pytest.raises(UnsupportedLanguageError):
        Redactor(languages=["es"]).analyze("hola", language="pt")


def test_dev_subset_leaks_at_most_one_value(redactor: Redactor) -> None:
    rows = [json.loads(line) for line in (DATA / "pii_dev_subset.jsonl").read_text().splitlines()]
    values = [span["value"] for row in rows for span in row["spans"]]
    leaked = [
        span["label"]
        for row in rows
        for span in row["spans"]
        if span["value"] in redactor.redact(row["text"])
    ]
    assert len(values) > 20
    assert len(leaked) <= 1, leaked
