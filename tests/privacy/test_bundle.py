"""The access/portability bundle: what it holds (and does not), its pinned shape, and the CSV
zip with its README, in step with the documented schema."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from typing import Any

from sqlmodel import Session

import privacy.bundle as bundle_module
from crm.models import (
    ConsentPurpose,
    LeadAdIntake,
    PrivacyRequest,
    RequestType,
    SubjectKind,
)
from crm.services.privacy import set_consent, set_restriction
from privacy.bundle import SECTIONS, build_bundle, counts, readme, to_csv_zip, to_json
from tests.conftest import NOW
from tests.privacy.conftest import (
    EMAIL,
    NAME,
    NOTES,
    OTHER_EMAIL,
    OTHER_NAME,
    OTHER_PHONE,
    PHONE,
    Person,
)

# The shape of every section (a change here is a schema change: bump SCHEMA_VERSION).
SHAPE = {
    "contacts": ["id", "name", "phone", "email", "created_at", "updated_at"],
    "channel_identities": ["contact_id", "channel", "external_id", "created_at"],
    "leads": ["id", "contact_id", "source", "stage", "temperature", "notes", "utm_source",
              "utm_medium", "utm_campaign", "utm_term", "utm_content", "form_answers",
              "created_at", "updated_at"],
    "appointments": ["id", "contact_id", "service", "start", "end", "status", "created_at",
                     "updated_at"],
    "conversations": ["id", "contact_id", "channel", "status", "needs_human", "human_reason",
                      "created_at", "last_message_at", "closed_at", "messages"],
    "consents": ["contact_id", "purpose", "granted", "source", "updated_at"],
    "preferences": ["contact_id", "objected_to_training", "objection_source", "objected_at",
                    "processing_restricted", "restricted_at", "minor_flagged_at"],
    "privacy_requests": ["id", "type", "status", "source", "created_at", "deadline_at",
                         "completed_at"],
}
MESSAGE = ["position", "role", "text", "tool_calls", "tool_call_id", "tool_name",
           "channel_message_id", "created_at"]


def _bundle(db: Session, person: Person) -> dict[str, Any]:
    set_consent(db, contact=person.contact, purpose=ConsentPurpose.marketing, granted=False,
                source="request")
    set_restriction(db, contact=person.contact, restricted=True)
    db.add(LeadAdIntake(tenant_id=person.tenant.id, leadgen_id="lg-1", page_id="1",
                        lead_id=person.lead.id, answers={"ciudad": "Rosario"}))
    db.add(PrivacyRequest(tenant_id=person.tenant.id, type=RequestType.access,
                          subject_kind=SubjectKind.phone, subject_hint="+54911****4567",
                          contact_ids=[person.contact.id], deadline_at=NOW))
    db.add(PrivacyRequest(tenant_id=person.tenant.id, type=RequestType.erase,  # not theirs
                          subject_kind=SubjectKind.phone, contact_ids=[person.other.id],
                          deadline_at=NOW))
    db.commit()
    return build_bundle(db, tenant=person.tenant, contact_ids=[person.contact.id], now=NOW)


def test_the_bundle_holds_everything_on_the_person_and_nothing_on_anyone_else(
        db: Session, person: Person) -> None:
    bundle = _bundle(db, person)
    assert list(bundle)[:4] == ["schema_version", "generated_at", "business", "subject_found"]
    assert bundle["schema_version"] == 1 and bundle["subject_found"] is True
    assert bundle["business"] == {"name": person.tenant.name}
    assert bundle["generated_at"] == "2026-11-23T10:00:00-03:00"
    assert {name: list(rows[0]) for name, rows in bundle.items() if name in SHAPE} == SHAPE
    assert list(bundle["conversations"][0]["messages"][0]) == MESSAGE
    (contact,) = bundle["contacts"]
    assert (contact["name"], contact["phone"], contact["email"]) == (NAME, PHONE, EMAIL)
    (lead,) = bundle["leads"]
    assert (lead["notes"], lead["utm_source"], lead["utm_campaign"]) == (
        NOTES, "instagram", "promo-verano")
    assert lead["form_answers"] == {"ciudad": "Rosario"}
    (appointment,) = bundle["appointments"]
    assert (appointment["service"], appointment["start"]) == (
        "Limpieza dental", "2026-11-24T10:00:00-03:00")
    assert {c["channel"] for c in bundle["conversations"]} == {"web", "whatsapp"}
    web = next(c for c in bundle["conversations"] if c["channel"] == "web")
    assert [m["role"] for m in web["messages"]] == ["user", "assistant", "tool", "assistant"]
    assert web["messages"][1]["tool_calls"][0]["args"]["email"] == EMAIL
    assert web["messages"][2]["tool_call_id"] == "call_1"
    assert bundle["consents"][0]["purpose"] == "marketing"
    assert bundle["preferences"][0]["processing_restricted"] is True
    assert counts(bundle)["messages"] == 6
    assert [r["type"] for r in bundle["privacy_requests"]] == ["access"]
    assert "****" not in json.dumps(bundle["privacy_requests"])
    text = to_json(bundle).decode()
    for value in (OTHER_NAME, OTHER_PHONE, OTHER_EMAIL, person.other.id):
        assert value not in text
    empty = build_bundle(db, tenant=person.tenant, contact_ids=[], now=NOW)
    assert empty["subject_found"] is False
    assert all(empty[name] == [] for name in SHAPE)
    # Another business's contact id is ignored, whoever passes it.
    assert build_bundle(db, tenant=person.tenant, contact_ids=["0" * 32],
                        now=NOW)["contacts"] == []


def test_the_csv_zip_has_one_documented_file_per_section_and_a_readme(
        db: Session, person: Person) -> None:
    bundle = _bundle(db, person)
    archive = zipfile.ZipFile(io.BytesIO(to_csv_zip(bundle)))
    assert sorted(archive.namelist()) == sorted(["README.md", *(f"{s}.csv" for s in SECTIONS)])
    tables = {}
    for section, (_, columns) in SECTIONS.items():
        text = archive.read(f"{section}.csv").decode("utf-8-sig")
        reader = csv.DictReader(io.StringIO(text))
        assert reader.fieldnames == [name for name, _ in columns]
        tables[section] = list(reader)
    assert {k: len(v) for k, v in tables.items()} == counts(bundle)
    assert tables["contacts"][0]["phone"] == PHONE
    call = next(m for m in tables["messages"] if m["tool_calls"])
    assert json.loads(call["tool_calls"])[0]["name"] == "save_contact_details"
    assert json.loads(tables["leads"][0]["form_answers"]) == {"ciudad": "Rosario"}
    assert tables["preferences"][0]["processing_restricted"] == "true"
    assert tables["leads"][0]["utm_medium"] == ""
    assert archive.read("README.md").decode() == readme(bundle)
    assert "subject_found: true" in readme(bundle)


def test_the_documentation_names_every_column_of_every_section() -> None:
    doc = bundle_module.__doc__ or ""
    fake = {"business": {"name": "X"}, "schema_version": 1, "generated_at": "t",
            "subject_found": False}
    for section, (_, columns) in SECTIONS.items():
        assert f"``{section}``" in doc and f"## {section}.csv" in readme(fake)
        for name, _ in columns:
            assert name in doc, (section, name)
            assert f"`{name}`" in readme(fake)
    assert set(SHAPE) | {"messages"} == set(SECTIONS)
