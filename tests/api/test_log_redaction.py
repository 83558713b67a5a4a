"""PII-free logs: the record factory scrubs messages, %-args, exceptions and tracebacks, leaves
ordinary lines alone, and an end-to-end run (web chat booking, a WhatsApp turn, a failing
LLM, a deliberate log.exception) leaves none of the seeded PII in the captured log.

Output is captured from the handler ``configure_logging`` installs (its stream swapped for
a buffer), not from pytest's caplog, so what is asserted is what the process would print.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from agent.llm import _openai
from agent.runtime import AgentRuntime, Inbound
from api import log_redaction
from api.app import create_app
from api.logging_setup import configure_logging
from crm.models import Appointment, Channel, ChannelKind
from crm.settings import Settings
from tests.channels.conftest import NOW_TS, TEST_SECRET_KEY, WA_PHONE_ID, Poster, connect
from tests.channels.payloads import wa_text
from tests.conftest import NOW
from tests.factories import make_demo
from tests.support.graph_standin import GraphStandIn
from tests.support.openai_stub import OpenAIStub, status

log = logging.getLogger("mostrador.test.logs")

# Synthetic person (not a real one), and the forms their data takes in text.
NAME = "Mariela Quiroga"
NAMES = ("Mariela", "Quiroga")
EMAIL = "mariela.quiroga@example.com"
PHONE_FORMS = ("11 5832-1190", "+54 9 11 5832-1190", "+5491158321190", "5491158321190",
               "1158321190", "5832-1190", "58321190")
DNI = "34.540.967"


@pytest.fixture
def captured() -> Iterator[io.StringIO]:
    """Everything Mostrador's own handler prints while the test runs (INFO and up)."""
    handler = configure_logging("INFO")
    buffer = io.StringIO()
    previous = handler.setStream(buffer)  # type: ignore[attr-defined]
    try:
        yield buffer
    finally:
        handler.setStream(previous)  # type: ignore[attr-defined]


def _assert_clean(text: str) -> None:
    for value in (*NAMES, EMAIL, *PHONE_FORMS, DNI, "34540967"):
        assert value not in text, f"{value!r} leaked into the log:\n{text}"


# --- unit: what is scrubbed --------------------------------------------------------------

def test_pii_in_the_message_is_redacted(captured: io.StringIO) -> None:
    log.info(f"Soy {NAME}, DNI {DNI}, cel {PHONE_FORMS[0]}, mail {EMAIL}")
    out = captured.getvalue()
    _assert_clean(out)
    assert "<PERSON_1>" in out and "<EMAIL_ADDRESS_1>" in out and "<PHONE_NUMBER_1>" in out


def test_pii_in_percent_args_is_redacted(captured: io.StringIO) -> None:
    log.warning("cliente %s tel %s email %s dni %s", NAME, PHONE_FORMS[1], EMAIL, f"DNI {DNI}")
    log.info("me llamo %s", NAME)
    _assert_clean(captured.getvalue())


def test_values_of_personal_keys_are_replaced_whole(captured: io.StringIO) -> None:
    log.info("contact saved name=María José Gutiérrez phone=%s count=3", PHONE_FORMS[2])
    log.info('payload {"name": "%s", "text": "hola", "id": 7}', NAME)
    out = captured.getvalue()
    assert "name=<PERSON> phone=<PHONE_NUMBER> count=3" in out
    assert '{"name": "<PERSON>", "text": "<TEXT>", "id": 7}' in out
    assert "María" not in out and "hola" not in out


def _lookup(email: str) -> None:
    try:
        raise KeyError(f"no contact with email {email}")
    except KeyError as exc:
        raise ValueError(f"lookup failed for {NAME} ({PHONE_FORMS[1]})") from exc


def test_exception_message_and_traceback_are_redacted(captured: io.StringIO) -> None:
    try:
        _lookup(EMAIL)
    except ValueError:
        log.exception("lookup crashed conversation=%s", "3f2a9c0d4e5b4a6f8e7d6c5b4a3f2e1d")
    out = captured.getvalue()
    _assert_clean(out)
    assert "Traceback (most recent call last)" in out and "ValueError: lookup failed for" in out
    assert "KeyError" in out and "lookup crashed conversation=3f2a9c0d4e5b4a6f8e7d6c5b4a3f2e1d" \
        in out


def test_a_traceback_quotes_no_message_text_ids_or_sql_values(
        captured: io.StringIO, engine: Engine) -> None:
    """What server errors printed before (issue 13, item 8): an exception quoting the
    input, PostgreSQL's key detail, SQLAlchemy's parameters. Frames and types stay."""
    text, sender = "quiero un turno para el lunes temprano", "5491158321190"
    try:
        raise ValueError(f"cannot store {text!r} from {sender!r}")
    except ValueError:
        log.exception("turn crashed")
    detail = ('sqlalchemy.exc.IntegrityError: duplicate key value\nDETAIL:  Key (tenant_id, '
              f'phone)=(t1, +{sender}) already exists.\n[parameters: {{"text": "{text}"}}]')
    try:
        raise RuntimeError(detail)
    except RuntimeError:
        log.exception("commit failed")
    out = captured.getvalue()
    assert text not in out and sender not in out and "lunes temprano" not in out
    assert "ValueError: cannot store '<redacted>'" in out and "turn crashed" in out
    assert "Key (tenant_id, phone)=(<redacted>)" in out and "test_log_redaction.py" in out


def test_database_errors_never_quote_their_parameters(db: Session) -> None:
    from sqlalchemy.exc import IntegrityError

    from crm.models import Tenant

    db.add(Tenant(name="A", slug="dup-slug"))
    db.commit()
    db.add(Tenant(name="Quiroga Secreta", slug="dup-slug"))
    with pytest.raises(IntegrityError) as failure:
        db.commit()
    db.rollback()
    assert "Quiroga Secreta" not in str(failure.value)


def test_bad_percent_args_do_not_print_the_raw_arguments(
        captured: io.StringIO, capsys: pytest.CaptureFixture[str]) -> None:
    log.info("two placeholders %s %s", PHONE_FORMS[2])
    _assert_clean(captured.getvalue() + capsys.readouterr().err)
    assert "log arguments dropped" in captured.getvalue()


def test_every_handler_gets_the_scrubbed_record(captured: io.StringIO) -> None:
    """A handler added later, on a child logger, sees the same scrubbed record."""
    extra = io.StringIO()
    handler = logging.StreamHandler(extra)
    child = logging.getLogger("mostrador.test.logs.child")
    child.addHandler(handler)
    try:
        child.error("llamar a %s al %s", NAME, PHONE_FORMS[0])
    finally:
        child.removeHandler(handler)
    _assert_clean(extra.getvalue() + captured.getvalue())
    assert "<PHONE_NUMBER_1>" in extra.getvalue()


def test_redaction_can_be_turned_off(captured: io.StringIO) -> None:
    try:
        configure_logging("INFO", redaction=False)
        assert not log_redaction.installed()
        log.info("cel %s", PHONE_FORMS[0])
    finally:
        configure_logging("INFO")
    assert log_redaction.installed()
    assert PHONE_FORMS[0] in captured.getvalue()


# --- unit: what is left alone ------------------------------------------------------------

ORDINARY = [
    ("turn done conversation=%s tools=%s ok=%s ms=%.1f",
     ("3f2a9c0d4e5b4a6f8e7d6c5b4a3f2e1d", "book_appointment,save_contact_details", True,
      12.345)),
    ("llm failed conversation=%s error=%s", ("9e40bba902ae4c06b84f30ca37421939",
                                             "APITimeoutError")),
    ("dead-lettered entries=%d key-kind=%s error=%s attempts=%d",
     (3, "meta", "ReplyNotSent", 5)),
    ("webhook accepted event=%d object=%s items=%d duplicates=%d receipts=%d",
     (12345, "whatsapp_business_account", 3, 0, 1)),
    ("webhook dropped reason=unknown-account object=%s accounts=%d items=%d",
     ("page", 1, 2)),
    ("batch failed key-kind=%s attempt=%d error=%s retry-in=%.2fs",
     ("chat", 2, "LLMUnavailable", 0.5)),
    ("sha=%s", ("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",)),
    ("request id=%s", ("5f0c6e9a-3b1d-4c2e-9f7a-1d2b3c4d5e6f",)),
    ("redrive since=%s older_than=%.1f", ("2026-11-23T13:00:00+00:00", 30.0)),
    ("Uvicorn running on %s://%s:%d (Press CTRL+C to quit)", ("http", "127.0.0.1", 8000)),
    ("Started server process [%d]", (41234,)),
    ("Application startup complete.", ()),
    ("retention run business=%s conversations_deleted=%d contacts_anonymized=%d",
     ("t-1a2b3c4d", 12, 3)),
    ("corpus intake: closed=%d withdrawn=%d outcomes=%s", (4, 0, "ingested=3,too_short=1")),
    ('File "/work/main/agent/runtime.py", line 212, in _run', ()),
    ("graph call failed path=%s attempt=%d status=%d code=%s", ("/v21.0/messages", 1, 429,
                                                                "4")),
    ("ValueError: invalid literal for int() with base 10: 'abc'", ()),
]


@pytest.mark.parametrize(("template", "args"), ORDINARY, ids=[t[:30] for t, _ in ORDINARY])
def test_ordinary_lines_are_left_exactly_as_they_were(
        captured: io.StringIO, template: str, args: tuple[object, ...]) -> None:
    log.info(template, *args)
    line = captured.getvalue().rstrip("\n")
    assert line.endswith(" INFO mostrador.test.logs " + (template % args if args else template))


def test_ordinary_records_skip_the_analyzer_and_personal_ones_do_not() -> None:
    """The cost promise: a clean template with harmless arguments is not analyzed."""
    scrubber = log_redaction.shared_log_redactor()

    def fast(template: str, *args: object) -> bool:
        record = logging.LogRecord("x", logging.INFO, __file__, 1, template, args, None)
        return scrubber._fast_clean(record)

    # (Not every ordinary line: "key-kind=meta" is analyzed, "Meta" being a first name.)
    assert all(fast(template, *args) for template, args in ORDINARY[:9] if "meta" not in args)
    assert not fast("cliente %s", NAME) and not fast("tel %s", PHONE_FORMS[4])
    assert not fast("mail %s", EMAIL) and not fast("dni %d", 34540967)
    assert not fast(f"Soy {NAME}") and not fast("name=%s", "x")


# --- the test: a whole run -------------------------------------------------------

@pytest.fixture
def graph() -> Iterator[GraphStandIn]:
    server = GraphStandIn().start()
    yield server
    server.stop()


@pytest.fixture
def stub() -> Iterator[OpenAIStub]:
    server = OpenAIStub().start()
    yield server
    server.stop()


def test_a_whole_run_logs_none_of_the_seeded_pii(
        db_url: str, engine: Engine, db: Session, graph: GraphStandIn, stub: OpenAIStub,
        captured: io.StringIO) -> None:
    # DEBUG: every line any library emits goes through the check, not only Mostrador's.
    settings = Settings(env="test", database_url=db_url, llm="offline", openai_api_key=None,
                        log_level="DEBUG", secret_key=TEST_SECRET_KEY, graph_api_url=graph.url,
                        graph_backoff_seconds=0.001, meta_app_secret=None)
    demo = make_demo(db)
    connect(db, settings, demo, ChannelKind.whatsapp, WA_PHONE_ID)
    runtime = AgentRuntime(settings, engine, clock=lambda: NOW)
    with TestClient(create_app(settings, runtime)) as client:
        # Web chat: the offline model books with the person's name, phone and email.
        for text in ("Hola, quiero un turno para limpieza mañana a las 10",
                     f"Soy {NAME}", f"mi cel es {PHONE_FORMS[0]}, mail {EMAIL}",
                     f"DNI {DNI}, también {PHONE_FORMS[1]}"):
            response = client.post(f"/v1/chat/{demo.slug}/messages",
                                   json={"session_id": "web-logs-1-0000000000000000", "text": text})
            assert response.status_code == 200
        db.commit()
        assert len(db.exec(select(Appointment)).all()) == 1
        # WhatsApp: a turn from the person's number (their wa_id is the phone).
        meta = Poster(client)
        body = wa_text(WA_PHONE_ID, PHONE_FORMS[3], "wamid.logs1",
                       f"Hola, soy {NAME}, quería cambiar mi turno", NOW_TS, name=NAME)
        assert meta.post(body).status_code == 200
        meta.drain()
        assert graph.sends()
    # A failing LLM: the apology path logs the failure.
    _openai.cache_clear()
    failing = AgentRuntime(
        Settings(env="test", database_url=db_url, llm="openai", openai_api_key="sk-test",
                 openai_base_url=stub.base_url, llm_max_retries=0, llm_timeout_seconds=2),
        engine, clock=lambda: NOW)
    stub.push(status(500))
    result = failing.handle(Inbound(tenant_slug=demo.slug, channel=Channel.web,
                                    thread_id="web-logs-2",
                                    text=f"Soy {NAME}, {EMAIL}, {PHONE_FORMS[2]}"))
    assert not result.ok
    # A deliberate exception whose message carries the PII.
    try:
        raise RuntimeError(f"could not notify {NAME} <{EMAIL}> at {PHONE_FORMS[1]}")
    except RuntimeError:
        log.exception("notification failed")
    configure_logging("INFO")
    out = captured.getvalue()
    assert "turn done" in out and "llm failed" in out and "notification failed" in out
    assert "webhook accepted" in out
    _assert_clean(out)
