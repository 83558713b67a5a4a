"""A person whose data is everywhere, and scans that look for them everywhere.

`seed_everywhere` makes one person chat on the web chat and on WhatsApp through the real
paths (the app, signed webhooks, the durable queue on Redis, workers, the offline model, the
Graph stand-in): they book (a lead and an appointment), fill a Lead Ads form, share a
WhatsApp batch with another person, get a reply that is dead-lettered, and leave one web
chat message and one WhatsApp message waiting in the queue; the corpus intake files their
conversations. The other person chats too and must come out intact.

The scans read everything as text: every column of every table of a database (found by
introspection, not listed by hand), every key under the test's Redis prefix (its name, its
value whatever the type, and its DUMP decompressed, which still holds stream entries XDEL
only flagged).
They look for the person's name (whole and each part), phone in every written form (E.164,
without +, international, national with and without separators, as typed, the wa_id, the
last eight digits) and email (and its local part). `Backup` dumps and restores the test
database (the sqlite3 backup API; pg_dump and psql). Synthetic people only.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import phonenumbers
import pytest
import redis
from fastapi.testclient import TestClient
from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from agent.runtime import AgentRuntime
from channels.durable.streams import Queue
from crm.crypto import box_for
from crm.models import ChannelKind, Contact, CorpusRecord, Tenant
from crm.services.connections import create_connection
from crm.services.training import enable_training
from crm.settings import Settings
from tests.channels.conftest import (
    APP_SECRET,
    NOW_TS,
    TEST_SECRET_KEY,
    VERIFY,
    WA_PHONE_ID,
    WA_TOKEN,
)
from tests.channels.durable.conftest import drop_prefix, redis_test_url, wait_until, workers
from tests.channels.payloads import leadgen, signed, wa_update, wa_value
from tests.conftest import NOW, postgres_url
from tests.factories import make_demo
from tests.support.graph_standin import GraphStandIn
from tests.support.rdb import dump_text
from training_data import Intake
from training_data.keys import all_corpus_keys

PAGE_ID = "5550001"
LATER = datetime(2030, 1, 1, tzinfo=UTC)  # the intake's clock: every conversation is idle
_SEPARATORS = re.compile(r"[\s\-().]")


@dataclass(frozen=True)
class Someone:
    name: str
    phone: str          # E.164
    typed: str          # how they write it in the chat
    email: str
    session: str        # their web chat session id

    @property
    def wa_id(self) -> str:
        return self.phone.lstrip("+")

    @property
    def first(self) -> str:
        return self.name.split()[0]

    def needles(self) -> list[str]:
        """Every form of their name, phone and email a scan looks for (lower case; phones
        without separators, as the scan compares them)."""
        number = phonenumbers.parse(self.phone)
        forms = {self.phone, self.wa_id, self.typed, self.typed.replace(" ", "-"),
                 str(number.national_number), self.phone[-8:],
                 phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL),
                 phonenumbers.format_number(number,
                                            phonenumbers.PhoneNumberFormat.INTERNATIONAL)}
        words = [self.name, *self.name.split(), self.email, self.email.split("@")[0]]
        return sorted({w.lower() for w in words} | {_SEPARATORS.sub("", f) for f in forms})


PERSON = Someone("Florencia Quiroga", "+5491164470923", "11 15 6447-0923",
                 "florencia.quiroga@correo.test", "web-7c1e52a9d04b5e0c9f21")
OTHER = Someone("Tomás Echeverría", "+5491152083347", "11 15 5208-3347",
                "tomas.echeverria@correo.test", "web-b8f03e61a2c74d1a9e06")


def found_in(value: Any, needles: list[str]) -> list[str]:
    """The needles a value holds, read as text (JSON escapes decoded too)."""
    if isinstance(value, bytes):
        texts = [value.decode("latin-1")]
    elif isinstance(value, str):
        texts = [value]
        try:
            texts.append(json.dumps(json.loads(value), ensure_ascii=False))
        except ValueError:
            pass
    else:
        texts = [json.dumps(value, default=str, ensure_ascii=False)]
    hits: set[str] = set()
    for raw in texts:
        low = raw.lower()
        bare = _SEPARATORS.sub("", low)
        hits |= {n for n in needles if n in low or n in bare}
    return sorted(hits)


def scan_database(engine: Engine, needles: list[str]) -> list[str]:
    """'table.column: needle' for every hit in any column of any table."""
    hits: set[str] = set()
    with engine.connect() as conn:
        for table in inspect(conn).get_table_names():
            for row in conn.execute(text(f'SELECT * FROM "{table}"')).mappings():
                for column, value in row.items():
                    if value is not None and not isinstance(value, int | float):
                        hits |= {f"{table}.{column}: {n}" for n in found_in(value, needles)}
    return sorted(hits)


def scan_redis(url: str, prefix: str, needles: list[str]) -> list[str]:
    """'key: needle' for every hit in the name, value or DUMP of a key under the prefix."""
    client = redis.Redis.from_url(url)  # bytes: DUMP is binary
    hits: set[str] = set()
    try:
        for key in client.scan_iter(f"{prefix}:*", count=1000):
            value = _value_of(client, key)
            dump = dump_text(client.dump(key) or b"")  # type: ignore[arg-type]
            for part in (key, repr(value).encode(), dump):
                hits |= {f"{key.decode()}: {n}" for n in found_in(part, needles)}
    finally:
        client.close()
    return sorted(hits)


def _value_of(client: redis.Redis, key: bytes) -> Any:
    kind = client.type(key).decode()  # type: ignore[union-attr]
    if kind == "string":
        return client.get(key)
    if kind == "hash":
        return client.hgetall(key)
    if kind == "list":
        return client.lrange(key, 0, -1)
    if kind == "set":
        return sorted(client.smembers(key))  # type: ignore[arg-type]
    if kind == "zset":
        return client.zrange(key, 0, -1)
    if kind == "stream":
        return client.xrange(key)
    return None


def corpus_records_of(engine: Engine, settings: Settings, contact_ids: list[str]) -> int:
    keys = [k.subject_key(c) for k in all_corpus_keys(settings) for c in contact_ids]
    with Session(engine) as db:
        return len(db.exec(select(CorpusRecord.record_key)
                           .where(col(CorpusRecord.subject_key).in_(keys))).all())


def contacts_of(engine: Engine, someone: Someone) -> list[str]:
    """Their contacts: those holding their phone or email, and chats that typed them."""
    with Session(engine) as db:
        return list(db.exec(select(Contact.id).where(
            (col(Contact.phone) == someone.phone) | (col(Contact.email) == someone.email)
            | (col(Contact.claimed_phone) == someone.phone)
            | (col(Contact.claimed_email) == someone.email))))


def wa_batch(*messages: tuple[Someone, str, str]) -> dict[str, Any]:
    """One WhatsApp webhook with the text messages of several people, as Meta batches them."""
    contacts = [{"profile": {"name": s.name}, "wa_id": s.wa_id} for s, _, _ in messages]
    items = [{"from": s.wa_id, "id": wamid, "timestamp": str(NOW_TS + n), "type": "text",
              "text": {"body": body}} for n, (s, wamid, body) in enumerate(messages)]
    return wa_update(wa_value(WA_PHONE_ID, contacts=contacts, messages=items))


def wa_delivered(wamid: str, recipient: str) -> dict[str, Any]:
    return wa_update(wa_value(WA_PHONE_ID, statuses=[
        {"id": wamid, "status": "delivered", "timestamp": str(NOW_TS + 60),
         "recipient_id": recipient}]))


class App:
    """The app's web chat and its webhook endpoint, signed as Meta signs."""

    def __init__(self, client: TestClient) -> None:
        self.client = client

    def chat(self, someone: Someone, words: str, expect: int = 200) -> dict[str, Any]:
        response = self.client.post("/v1/chat/demo/messages",
                                    json={"session_id": someone.session, "text": words})
        assert response.status_code == expect, response.text
        body: dict[str, Any] = response.json()
        return body

    def webhook(self, body: dict[str, Any]) -> None:
        raw, headers = signed(body, APP_SECRET)
        assert self.client.post("/webhooks/meta", content=raw,
                                headers=headers).status_code == 200


@contextmanager
def two_apps(settings: Settings, runtime: AgentRuntime) -> Iterator[tuple[App, App]]:
    """One app that waits for the worker's web chat replies, one that answers 202 at once."""
    from api.app import create_app  # the app only when a test runs it, not for the fixtures
    waits = settings.model_copy(update={"chat_reply_timeout_seconds": 10.0})
    quick = settings.model_copy(update={"chat_reply_timeout_seconds": 0.05})
    with TestClient(create_app(waits, runtime)) as a, TestClient(create_app(quick, runtime)) as b:
        yield App(a), App(b)


def seed_everywhere(settings: Settings, runtime: AgentRuntime, graph: GraphStandIn,
                    queue: Queue) -> Tenant:
    """See the module docstring. `settings` use Redis (a test prefix) and a fast queue."""
    with Session(runtime.engine, expire_on_commit=False) as db:
        tenant = make_demo(db)
        # placeholders: random surrogate names in the corpus could collide with the needles
        enable_training(db, tenant=tenant, redaction_style="placeholder")
        for kind, account in ((ChannelKind.whatsapp, WA_PHONE_ID),
                              (ChannelKind.lead_ads, PAGE_ID)):
            create_connection(db, box=box_for(settings), tenant=tenant, kind=kind,
                              account_id=account, access_token=WA_TOKEN, verify_token=VERIFY,
                              app_secret=APP_SECRET)
        db.commit()
    graph.add_lead("910001", {"full_name": PERSON.name, "email": PERSON.email.upper(),
                              "phone_number": PERSON.typed,
                              "¿Qué tratamiento te interesa?": "Blanqueamiento"})
    with two_apps(settings, runtime) as (app, later), \
            workers(settings, runtime, concurrency=2):
        app.chat(PERSON, "Hola, quiero un turno para limpieza mañana a las 10")
        app.chat(PERSON, f"Soy {PERSON.name}, mi cel es {PERSON.typed} y mi mail es "
                         f"{PERSON.email}")
        app.chat(OTHER, f"Hola, soy {OTHER.name}, mi cel es {OTHER.typed}")
        app.chat(OTHER, "¿Cuánto sale el blanqueamiento?")
        app.webhook(leadgen(PAGE_ID, "910001"))
        app.webhook(wa_batch((PERSON, "wamid.fq.1",
                              f"Hola, soy {PERSON.first}, ¿atienden el sábado?")))
        wait_until(lambda: len(graph.sends()) == 1, message="the WhatsApp reply")
        app.webhook(wa_batch(
            (PERSON, "wamid.fq.2", f"Mi mail es {PERSON.email}, gracias"),
            (OTHER, "wamid.te.1", f"Hola, soy {OTHER.name}, ¿hacen blanqueamiento?")))
        wait_until(lambda: len(graph.sends()) == 3, message="both replies")
        app.webhook(wa_delivered("wamid.standin.1", PERSON.wa_id))
        graph.fail(*[500] * 12)  # 3 attempts of 4 calls each: the reply is dead-lettered
        app.webhook(wa_batch((PERSON, "wamid.fq.3", f"¿Me confirman? {PERSON.typed}")))
        wait_until(lambda: queue.stats().dead == 1, message="a dead letter")
        wait_until(lambda: queue.stats().depth == 0, message="an idle queue")
    with two_apps(settings, runtime) as (app, later):  # no worker now: these wait
        later.chat(PERSON, f"Soy {PERSON.first}, ¿llego 10 minutos tarde?", expect=202)
        app.webhook(wa_batch((PERSON, "wamid.fq.4", f"{PERSON.name} otra vez, ¿hay lugar?")))
    assert queue.stats().depth == 2
    report = Intake(settings, runtime.engine, clock=lambda: LATER).run(idle_seconds=0)
    assert report.outcomes.get("ingested", 0) >= 3, report.outcomes
    return tenant


class Backup:
    """A dump of the test database and its restore: the sqlite3 backup API, or pg_dump and
    psql on the test's schema (dropped first)."""

    def __init__(self, db_url: str, engine: Engine, folder: Path) -> None:
        self.db_url, self.engine = db_url, engine
        self.file = folder / "backup.sql"
        schema = re.search(r"search_path%3D(\w+)", db_url)
        self.schema = schema.group(1) if schema else None

    def take(self) -> None:
        if self.schema is None:
            with sqlite3.connect(self._sqlite_path()) as live, sqlite3.connect(self.file) as copy:
                live.backup(copy)
            return
        subprocess.run(["pg_dump", "--schema", self.schema, "--no-owner", "--no-privileges",
                        "--file", str(self.file), postgres_url()], check=True,
                       capture_output=True)

    def restore(self) -> None:
        self.engine.dispose()
        if self.schema is None:
            with sqlite3.connect(self.file) as copy, sqlite3.connect(self._sqlite_path()) as live:
                copy.backup(live)
            return
        for args in (["-c", f'DROP SCHEMA "{self.schema}" CASCADE'], ["-f", str(self.file)]):
            subprocess.run(["psql", "-q", "-v", "ON_ERROR_STOP=1", *args, postgres_url()],
                           check=True, capture_output=True, env={**os.environ})

    def _sqlite_path(self) -> str:
        return self.db_url.removeprefix("sqlite:///")


# Fixtures (registered in tests/privacy/conftest.py): the Graph stand-in, a Redis prefix of
# the test's own, settings with the durable queue, the erasure ledger in tmp_path, a runtime.
@pytest.fixture
def graph() -> Iterator[GraphStandIn]:
    server = GraphStandIn().start()
    yield server
    server.stop()


@pytest.fixture
def redis_prefix() -> Iterator[str]:
    value = f"mostrador-test-{uuid.uuid4().hex[:12]}"
    yield value
    drop_prefix(redis_test_url(), value)


@pytest.fixture
def everywhere_settings(db_url: str, graph: GraphStandIn, redis_prefix: str,
                        tmp_path: Path) -> Settings:
    return Settings(
        env="test", database_url=db_url, llm="offline", openai_api_key=None,
        secret_key=TEST_SECRET_KEY, graph_api_url=graph.url, graph_backoff_seconds=0.001,
        graph_max_retries=3, meta_app_secret=None, lead_retry_base_seconds=0.05,
        redis_url=redis_test_url(), queue_prefix=redis_prefix, queue_shards=4,
        visibility_timeout_seconds=2.0, debounce_seconds=0.0, queue_retry_base_seconds=0.01,
        queue_max_attempts=3, rate_limit_tenant_per_minute=0, rate_limit_contact_per_minute=50,
        erasure_ledger_url=f"sqlite:///{tmp_path / 'erasure-ledger.db'}")


@pytest.fixture
def everywhere_runtime(everywhere_settings: Settings, engine: Engine) -> AgentRuntime:
    return AgentRuntime(everywhere_settings, engine, clock=lambda: NOW)


@pytest.fixture
def everywhere_queue(everywhere_settings: Settings) -> Iterator[Queue]:
    queue = Queue.from_settings(everywhere_settings)
    queue.ensure_groups()
    yield queue
    queue.close()
