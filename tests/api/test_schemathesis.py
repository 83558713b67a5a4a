"""Schemathesis over the whole OpenAPI document: no server error, every answer as documented.

The app runs under a real uvicorn on a real database (SQLite and PostgreSQL), seeded with
the demo business and tokens of an admin, a seller and an `ml` user. Every operation of the
document is called with each token, with data that fits the schema (positive) and data that
does not (negative), and with path ids both generated and real (a lead, its contact,
conversation and appointment, a service, a spare user and token, a privacy request, a
corpus export, a channel connection), so the calls reach the handlers and the database, not
only the 404s. The run is bounded (MAX_EXAMPLES cases per operation and token,
derandomized so that a failure reproduces) and prints its figures (`pytest -s`).

Checks: `not_a_server_error` (no 5xx), `status_code_conformance` (the status is
documented), `content_type_conformance` and `response_schema_conformance` (the body is what
the document says, error bodies included).

Not covered: POST /webhooks/meta past its signature check (the document declares no body, so
no body is generated; channels' tests drive the receiver), and the server-sent events
streams (an answer that never ends; tests/api/test_inbox.py and the durable tests read
them).
"""

from __future__ import annotations

import os
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from datetime import time as clock
from pathlib import Path
from typing import Any

import httpx
import hypothesis
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import CHECKS, load_all_checks
from schemathesis.errors import FailureGroup
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from agent.runtime import AgentRuntime
from api.app import create_app
from api.export_state import write_state
from crm.crypto import box_for
from crm.models import (
    Channel,
    ChannelKind,
    Conversation,
    Lead,
    LeadSource,
    MessageRole,
    PrivacyRequest,
    RequestStatus,
    RequestType,
    Role,
    Service,
    SubjectKind,
    User,
    utcnow,
)
from crm.seed import DEMO_ADMIN, DEMO_ML, seed_demo
from crm.services import booking
from crm.services.connections import create_connection
from crm.services.conversations import add_message
from crm.services.tokens import issue_token, issue_token_row
from crm.settings import Settings
from tests.conftest import NOW
from tests.factories import make_contact
from tests.support.live_server import live_server

# `make test` runs the bounded default; MOSTRADOR_TEST_FUZZ_EXAMPLES=200 digs deeper.
MAX_EXAMPLES = int(os.environ.get("MOSTRADOR_TEST_FUZZ_EXAMPLES", "10"))
CHECK_NAMES = ("not_a_server_error", "status_code_conformance", "content_type_conformance",
               "response_schema_conformance")
ROLES = ("admin", "seller", "ml")


@dataclass
class Seeded:
    tokens: dict[str, str]
    path_ids: dict[str, str]


@dataclass
class Tally:
    """What the run did and found; `failures` keyed by (operation, check code, status)."""

    operations: int = 0
    runs: int = 0  # operation × token
    calls: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    failures: dict[tuple[str, str, int], str] = field(default_factory=dict)
    seconds: float = 0.0

    def summary(self) -> str:
        by_class = Counter(f"{s // 100}xx" for s in self.statuses.elements())
        return (f"{self.operations} operations, {self.runs} operation×token runs, "
                f"{self.calls} calls, {dict(sorted(by_class.items()))}, "
                f"{len(self.failures)} distinct failures, {self.seconds:.1f} s")

    def report(self) -> str:
        return "\n\n".join(f"{operation} {code} [{status}]\n{detail}"
                           for (operation, code, status), detail
                           in sorted(self.failures.items()))


def _seed(db: Session, settings: Settings) -> Seeded:
    tenant = seed_demo(db)
    db.commit()
    users = {u.email: u for u in db.exec(select(User).where(User.tenant_id == tenant.id))}
    seller = next(u for u in users.values() if u.role == Role.seller)
    holders = {"admin": users[DEMO_ADMIN], "seller": seller, "ml": users[DEMO_ML]}
    tokens = {role: issue_token(db, user=user, ttl=None) for role, user in holders.items()}
    # A user and a token the run may rename, demote, deactivate or revoke freely.
    spare = User(tenant_id=tenant.id, email="repuesto@clinica-demo.test", name="Repuesto",
                 role=Role.seller)
    db.add(spare)
    db.flush()
    _, spare_token = issue_token_row(db, user=spare, ttl=None)
    contact = make_contact(db, tenant, name="Cliente Prueba", phone="+5491155550101")
    lead = Lead(tenant_id=tenant.id, contact_id=contact.id, source=LeadSource.web,
                assigned_to=seller.id)
    conversation = Conversation(tenant_id=tenant.id, contact_id=contact.id,
                                channel=Channel.web,
                                external_id=uuid.uuid4().hex)
    db.add(lead)
    db.add(conversation)
    db.flush()
    add_message(db, conversation=conversation, role=MessageRole.user, text="Hola, un turno")
    db.commit()
    booking.book(db, tenant=tenant, contact=contact, service_name="Consulta general",
                 day=date(2026, 11, 24), at=clock(10), now=NOW)
    service = db.exec(select(Service).where(Service.tenant_id == tenant.id)).first()
    assert service is not None
    now = utcnow()
    request = PrivacyRequest(
        tenant_id=tenant.id, type=RequestType.access, subject_kind=SubjectKind.contact_id,
        status=RequestStatus.completed, subject_hint="c", contact_ids=[contact.id],
        due_at=now, deadline_at=now + timedelta(days=10), completed_at=now,
        download_until=now + timedelta(days=7))
    db.add(request)
    connection = create_connection(db, box=box_for(settings), tenant=tenant,
                                   kind=ChannelKind.messenger, account_id="123456789012345",
                                   access_token="t0k3n", verify_token=uuid.uuid4().hex,
                                   app_secret="s3cr3t")
    db.commit()
    export_id = uuid.uuid4().hex
    export = Path(settings.corpus_export_dir) / export_id
    export.mkdir(parents=True)
    (export / "train.jsonl").write_text("")
    write_state(export, {"status": "done", "format": "jsonl", "tenant_id": tenant.id,
                         "user_id": users[DEMO_ML].id, "records": 0, "files": ["train.jsonl"]})
    return Seeded(tokens=tokens, path_ids={
        "tenant_slug": tenant.slug, "lead_id": lead.id, "contact_id": contact.id,
        "conversation_id": conversation.id, "service_id": service.id, "user_id": spare.id,
        "token_id": spare_token.id, "request_id": request.id, "export_id": export_id,
        "name": "train.jsonl", "connection_id": connection.id})


def _strategy(operation: schemathesis.APIOperation, known: dict[str, str]
              ) -> st.SearchStrategy[schemathesis.Case]:
    """Positive and negative cases, with generated path ids and, where the seed has them
    all, real ones."""
    names = {p.name for p in operation.path_parameters}
    real = {name: known[name] for name in names if name in known}
    choices = []
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
        choices.append(operation.as_strategy(generation_mode=mode))
        if names and real.keys() == names:
            choices.append(operation.as_strategy(generation_mode=mode, path_parameters=real))
    return st.one_of(choices)


def _run(label: str, strategy: st.SearchStrategy[schemathesis.Case], base_url: str,
         headers: dict[str, str], checks: list[Any], tally: Tally) -> None:
    """MAX_EXAMPLES cases of one operation with one token; failures are collected, not
    raised, so that one run reports every operation (and Hypothesis does not shrink)."""

    @hypothesis.settings(max_examples=MAX_EXAMPLES, deadline=None, database=None,
                         derandomize=True, phases=[Phase.explicit, Phase.generate],
                         suppress_health_check=list(HealthCheck))
    @hypothesis.given(case=strategy)
    def call(case: schemathesis.Case) -> None:
        response = case.call(base_url=base_url, headers=headers, timeout=30)
        tally.calls += 1
        tally.statuses[response.status_code] += 1
        try:
            case.validate_response(response, checks=checks, headers=headers)
        except FailureGroup as group:
            for failure in group.exceptions:
                key = (label, failure.code, response.status_code)
                tally.failures.setdefault(key, f"{failure.title}\n"
                                               f"{case.as_curl_command(headers)}")

    call()


def streams(document: dict[str, Any], path: str, method: str) -> bool:
    """Whether the operation answers a server-sent events stream (it never ends)."""
    ok = document["paths"][path][method.lower()].get("responses", {}).get("200", {})
    return "text/event-stream" in ok.get("content", {})


def fuzz(document: dict[str, Any], base_url: str, seeded: Seeded) -> Tally:
    """Every operation of `document` with every token, against the server at `base_url`."""
    load_all_checks()
    checks = CHECKS.get_by_names(list(CHECK_NAMES))
    schema = schemathesis.openapi.from_dict(document)
    tally = Tally()
    started = time.monotonic()
    for result in schema.get_all_operations():
        operation = result.ok()
        tally.operations += 1
        if streams(document, operation.path, operation.method):
            continue
        strategy = _strategy(operation, seeded.path_ids)
        for role in ROLES:
            tally.runs += 1
            _run(operation.label, strategy, base_url,
                 {"Authorization": f"Bearer {seeded.tokens[role]}"}, checks, tally)
    tally.seconds = time.monotonic() - started
    return tally


@pytest.fixture
def served(db_url: str, engine: Engine, tmp_path: Path) -> Iterator[tuple[str, Seeded]]:
    settings = Settings(env="test", database_url=db_url, llm="offline", openai_api_key=None,
                        erasure_ledger_url=f"sqlite:///{tmp_path / 'erasures.db'}",
                        corpus_export_dir=str(tmp_path / "exports"),
                        # Rate limits would turn most web chat calls into 429s.
                        chat_rate_per_ip_per_minute=1_000_000,
                        chat_messages_per_session_per_minute=1_000_000,
                        chat_sessions_per_ip_per_hour=1_000_000)
    with Session(engine, expire_on_commit=False) as db:
        seeded = _seed(db, settings)
    app = create_app(settings, AgentRuntime(settings, engine, clock=lambda: NOW))
    with live_server(app) as base:
        yield base, seeded


def test_every_operation_with_every_token_answers_as_documented_without_server_errors(
        served: tuple[str, Seeded]) -> None:
    base, seeded = served
    document = httpx.get(base + "/openapi.json", timeout=10).json()
    tally = fuzz(document, base, seeded)
    print(f"\nschemathesis: {tally.summary()}")
    assert tally.operations == len([op for item in document["paths"].values() for op in item])
    streaming = [(path, method) for path, item in document["paths"].items() for method in item
                 if streams(document, path, method)]
    assert streaming == [("/v1/chat/{tenant_slug}/events", "get")]
    assert tally.calls >= tally.runs  # every operation was called with every token
    assert not tally.failures, f"{tally.summary()}\n\n{tally.report()}"
