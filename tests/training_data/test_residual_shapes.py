"""The independent residual check (shapes, not recognizers), service names that survive
redaction, and a corpus export of adversarial conversations that carries none of their
values (each record is either redacted clean or quarantined). Synthetic values only."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from crm.models import CorpusRecord, RecordStatus, Tenant
from redaction.allow_list import AllowList
from tests.factories import make_contact
from tests.training_data.conftest import Maker
from training_data import ExportOptions, Intake, export_corpus
from training_data.anonymize import PERSON_ARGUMENTS
from training_data.residual import residual_shapes

KNOWN = {"PERSON": "Tomás Quiroga", "PHONE_NUMBER": "+5491165123498",
         "EMAIL_ADDRESS": "tomas.q@correo.test"}


def _user(text: str) -> list[dict[str, Any]]:
    return [{"role": "user", "content": text}]


@pytest.mark.parametrize(
    ("text", "kinds"),
    [
        # what the recognizers may miss, the shapes still see
        ("mi cel once cinco ocho tres dos dos uno nueve cero", ["DIGIT_RUN"]),
        ("escribime a juan arroba gmail punto com", ["EMAIL_SHAPE"]),
        ("seguime en @sofi.benavidez_ te mando fotos", ["HANDLE_SHAPE"]),
        ("CBU 2850 5909 4009 0418 1352 01", ["DIGIT_RUN"]),
        ("nro 3️⃣4️⃣5️⃣4️⃣0️⃣9️⃣6️⃣7️⃣", ["DIGIT_RUN"]),
        # the contact's known identifiers inside a handle, an e-mail, a URL, a number
        ("mi insta es @tomi.quiroga77", ["HANDLE_SHAPE", "KNOWN_IDENTIFIER"]),
        ("el otro mail tquiroga@work.test", ["EMAIL_SHAPE", "KNOWN_IDENTIFIER"]),
        ("mi perfil facebook.com/perfil/quiroga.tomas", ["KNOWN_IDENTIFIER"]),
        ("llamame al 6512 3498", ["DIGIT_RUN", "KNOWN_IDENTIFIER"]),
    ],
)
def test_shapes_the_recognizers_missed_are_found(text: str, kinds: list[str]) -> None:
    assert residual_shapes(_user(text), issued=set(), known_values=KNOWN) == kinds


@pytest.mark.parametrize(
    "text",
    [
        "Te reservé Limpieza dental el 24/11/2026 a las 10:00, sale $150.000",
        "el blanqueamiento cuesta 120000 pesos",
        "sale Gs. 1.250.000 o 1.200.000 € en euros",
        "Soy <PERSON_1>, mi cel es <PHONE_NUMBER_1> y mi mail <EMAIL_ADDRESS_1>",
        "turno el 2026-11-24T10:00:00-03:00",
        "son 3 sesiones de 45 minutos",
        "escribinos a turnos@negocio.test o al +54 11 4785-0000",  # the business's own
    ],
)
def test_clean_text_passes(text: str) -> None:
    allow = AllowList(["turnos@negocio.test", "+54 11 4785-0000"])
    assert residual_shapes(_user(text), issued=set(), known_values=KNOWN,
                           allow_list=allow) == []


def test_issued_surrogates_are_not_findings() -> None:
    messages = _user("Soy Marta Ruiz, mi cel es +54 9 11 4455-6677, marta.ruiz@ejemplo.test")
    issued = {"Marta Ruiz", "+54 9 11 4455-6677", "marta.ruiz@ejemplo.test"}
    assert residual_shapes(messages, issued=issued, known_values=KNOWN) == []


def test_json_tool_results_are_read_value_by_value() -> None:
    tool = {"role": "tool", "content": json.dumps(
        {"ok": True, "services": [{"name": "Blanqueamiento", "price": 1200000}],
         "contact": {"phone": "11 6512 3498"}})}
    assert residual_shapes([tool], issued=set(), known_values=KNOWN) == [
        "DIGIT_RUN", "KNOWN_IDENTIFIER"]


def test_only_the_schema_s_person_arguments_are_names() -> None:
    """Every tool argument the schema documents as the customer's name is listed, and only
    those: a "name" elsewhere (a service's) must not be replaced by a fake person."""
    from tools.registry import ALL_TOOL_FUNCTIONS

    described = {
        tool.name: frozenset(
            arg for arg, schema in tool.args.items()
            if arg in {"name", "nombre"} and "customer" in json.dumps(tool.description)
        )
        for tool in ALL_TOOL_FUNCTIONS
    }
    assert {k: v for k, v in described.items() if v} == PERSON_ARGUMENTS


# -- the corpus ----------------------------------------------------------------------------
# Things end users really type, each a conversation: (user messages, values that must not
# reach any exported file).
ADVERSARIAL: list[tuple[list[str], list[str]]] = [
    (["hola quiero turno", "mi número es once cinco ocho tres dos dos uno nueve cero"],
     ["1158322190", "once cinco ocho tres dos dos uno nueve cero"]),
    (["para la factura", "escribime a joaquin.ferraro arroba gmail punto com"],
     ["joaquin.ferraro", "joaquin.ferraro arroba gmail punto com"]),
    (["la devolución va a este cbu", "2850 5909 4009 0418 1352 01 gracias"],
     ["2850 5909 4009 0418 1352 01"]),
    (["mi insta es @tomi.quiroga77 mandame fotos", "dale gracias"], ["tomi.quiroga77"]),
    (["mi cel es 11 6512", "3498 perdón se cortó"], ["6512", "3498"]),
    (["dni 3️⃣4️⃣5️⃣4️⃣0️⃣9️⃣6️⃣7️⃣", "es para la ficha"], ["3️⃣4️⃣5️⃣4️⃣0️⃣9️⃣6️⃣7️⃣"]),
    (["cel II 58O3-22I9", "llamame a la tarde"], ["II 58O3-22I9"]),
    (["alias blanca punto sol punto rio", "a nombre de mi vieja"],
     ["blanca punto sol punto rio", "blanca.sol.rio"]),
]


def _script(texts: list[str]) -> list[dict[str, Any]]:
    call = f"call_{uuid.uuid4().hex[:8]}"
    script: list[dict[str, Any]] = []
    for text in texts:
        script += [{"role": "user", "text": text},
                   {"role": "assistant", "text": "¡Gracias! Lo anoto."}]
    script += [
        {"role": "assistant", "text": "", "tool_calls": [
            {"id": call, "name": "list_services", "args": {}}]},
        {"role": "tool", "tool_call_id": call, "tool_name": "list_services",
         "text": json.dumps({"ok": True, "services": [
             {"name": "Limpieza dental", "duration_minutes": 45, "price": "$ 35.000"},
             {"name": "Blanqueamiento", "duration_minutes": 60, "price": "$ 120.000"}]})},
        {"role": "assistant", "text": "Tenemos Limpieza dental y Blanqueamiento."},
    ]
    return script


def _exported_text(out: Path) -> str:
    parts = []
    for path in out.iterdir():
        if path.suffix == ".parquet":
            parts.append(json.dumps(pq.read_table(path).to_pylist(), default=str,
                                    ensure_ascii=False))
        else:
            parts.append(path.read_text(encoding="utf-8"))
    return "\n".join(parts)


def test_an_export_of_adversarial_conversations_carries_none_of_their_values(
        business: Tenant, converse: Maker, intake: Intake, engine: Engine, db: Session,
        tmp_path: Path) -> None:
    for texts, _values in ADVERSARIAL:
        contact = make_contact(db, business, name="Tomás Quiroga",
                               phone=f"+54911{uuid.uuid4().int % 10**8:08d}")
        converse(business, _script(texts), contact=contact)
    report = intake.run()
    db.commit()
    statuses = list(db.exec(select(CorpusRecord.status)))
    assert len(statuses) == len(ADVERSARIAL)
    quarantined = statuses.count(RecordStatus.quarantined)
    assert quarantined < len(ADVERSARIAL)  # most are redacted clean, not just held back
    assert report.outcomes.get("quarantined", 0) == quarantined
    for fmt in ("openai", "parquet", "jsonl"):
        out = tmp_path / fmt
        result = export_corpus(engine, ExportOptions(format=fmt), out, progress=False)
        assert result.quarantined == quarantined
        text = _exported_text(out)
        folded = text.lower()
        for _texts, values in ADVERSARIAL:
            for value in values:
                assert value.lower() not in folded, (fmt, value)
        # The business's service names survive in the tool results and the replies.
        assert result.records > 0
        assert "Limpieza dental" in text and "Blanqueamiento" in text
    card = (tmp_path / "openai" / "README.md").read_text(encoding="utf-8")
    assert f"Quarantined records matching these filters: {quarantined} (tripped by: " in card
    assert "DIGIT_RUN" in card or "HANDLE_SHAPE" in card or "EMAIL_SHAPE" in card
