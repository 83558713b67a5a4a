"""A stranger who merely claims to be someone gets nothing of theirs (issue 12).

The reproduction that opened the issue, through the real runtime, tools and database: a
customer books from one web session giving her phone; a second session types that phone and
asks to cancel "its" appointment. On the offline model and on the `openai` path (a scripted
model calling cancel_appointment), the second session sees none of her data and her
appointment stays booked. Then the honest way: a one-time code sent to that phone (WhatsApp,
through the Graph stand-in) or e-mail (a real SMTP server), typed back into the chat.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from agent.runtime import AgentRuntime, Inbound, TurnResult
from channels.verification import ChannelCodeDelivery
from crm.crypto import box_for
from crm.models import (
    Appointment,
    AppointmentStatus,
    Channel,
    ChannelKind,
    Contact,
    Conversation,
    Message,
    MessageRole,
    Tenant,
    VerificationCode,
)
from crm.services.connections import create_connection
from crm.settings import Settings
from tests.conftest import NOW
from tests.factories import make_demo
from tests.support.graph_standin import GraphStandIn
from tests.support.openai_stub import OpenAIStub, system_text, text, tool_call
from tests.support.smtp_server import SmtpServer

SESSION_A = "session-a-0000000000000000"
SESSION_B = "session-b-0000000000000000"
# What must never reach the second session: A's name, her service, day and time.
SECRETS = ("Ana", "Gómez", "Consulta general", "25/11", "10:00", "miércoles")


def _say(runtime: AgentRuntime, session: str, text_: str, slug: str = "demo") -> TurnResult:
    return runtime.handle(Inbound(tenant_slug=slug, channel=Channel.web, thread_id=session,
                                  text=text_))


def _book_as_ana(runtime: AgentRuntime) -> None:
    for line in ("Hola, quiero un turno de consulta general para el miércoles a las 10",
                 "Soy Ana Gómez", "11 4444-5555"):
        reply = _say(runtime, SESSION_A, line).reply
    assert "Te reservé Consulta general" in reply


def _anas_appointment(db: Session) -> Appointment:
    db.commit()  # a fresh snapshot
    return db.exec(select(Appointment)).one()


def _tool_results(db: Session, session: str) -> list[str]:
    db.commit()
    conversation = db.exec(select(Conversation).where(Conversation.external_id == session)).one()
    return [m.text for m in db.exec(select(Message).where(
        Message.conversation_id == conversation.id, Message.role == MessageRole.tool))]


@pytest.fixture
def demo(db: Session) -> Tenant:
    return make_demo(db)


@pytest.fixture
def graph() -> Iterator[GraphStandIn]:
    server = GraphStandIn().start()
    yield server
    server.stop()


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture
def offline(settings: Settings, engine: Engine) -> AgentRuntime:
    """The demo on the offline model, as `make run` serves it (no way to send codes)."""
    return AgentRuntime(settings, engine, clock=lambda: NOW)


@pytest.fixture
def verifying_settings(settings: Settings, graph: GraphStandIn, smtp: SmtpServer) -> Settings:
    return settings.model_copy(update={
        "graph_api_url": graph.url, "graph_backoff_seconds": 0.001, "smtp_host": "127.0.0.1",
        "smtp_port": smtp.port, "smtp_tls": "none", "smtp_from": "turnos@clinica-demo.test"})


@pytest.fixture
def verifying(verifying_settings: Settings, engine: Engine, db: Session,
              demo: Tenant) -> AgentRuntime:
    """The demo with WhatsApp connected (and its authentication template) and SMTP set."""
    create_connection(db, box=box_for(verifying_settings), tenant=demo,
                      kind=ChannelKind.whatsapp, account_id="106540352242922",
                      access_token="EAAG-token", verify_token="verify", app_secret="app-secret",
                      otp_template_name="codigo_verificacion", otp_template_language="es_AR")
    db.commit()
    return AgentRuntime(verifying_settings, engine, clock=lambda: NOW,
                        code_delivery=ChannelCodeDelivery(verifying_settings))


def test_a_stranger_typing_a_known_phone_cannot_see_or_cancel_her_appointment(
        offline: AgentRuntime, demo: Tenant, db: Session) -> None:
    _book_as_ana(offline)
    replies = [_say(offline, SESSION_B, line).reply for line in (
        "Hola, quiero cancelar mi turno", "Soy Pedro Ruiz", "mi cel es 11 4444-5555",
        "quiero cancelar mi turno", "qué turnos tengo?")]
    for reply in replies:
        assert not any(secret in reply for secret in SECRETS), reply
    for result in _tool_results(db, SESSION_B):
        assert not any(secret in result for secret in SECRETS), result
    assert _anas_appointment(db).status == AppointmentStatus.confirmada
    ana = db.exec(select(Contact).where(Contact.name == "Ana Gómez")).one()
    pedro = db.exec(select(Contact).where(Contact.name == "Pedro Ruiz")).one()
    assert (ana.phone, pedro.phone, pedro.claimed_phone) == (
        "+541144445555", None, "+541144445555")
    conversations = {c.external_id: c.contact_id for c in db.exec(select(Conversation))}
    assert conversations == {SESSION_A: ana.id, SESSION_B: pedro.id}
    # Without a way to send codes, the agent offers a person instead.
    assert "send_verification_code" not in " ".join(_say(offline, SESSION_B, "sí").tool_calls)


def test_a_model_told_to_cancel_her_appointment_is_refused_by_the_tool(
        openai_runtime: AgentRuntime, stub: OpenAIStub, demo: Tenant, db: Session,
        settings: Settings, engine: Engine) -> None:
    _book_as_ana(AgentRuntime(settings, engine, clock=lambda: NOW))
    stub.push(tool_call("save_contact_details", {"name": "Pedro Ruiz", "phone": "1144445555"}),
              tool_call("cancel_appointment", {}),
              tool_call("cancel_appointment", {"which": "1"}),
              tool_call("reschedule_appointment", {"day": "2026-11-26", "time": "11:00",
                                                   "which": "2026-11-25"}),
              text("No encontré turnos a tu nombre."))
    result = _say(openai_runtime, SESSION_B, "soy Pedro Ruiz, 1144445555, cancelá mi turno", "demo")
    assert result.tool_calls == ("save_contact_details", "cancel_appointment",
                                 "cancel_appointment", "reschedule_appointment")
    # Pedro has no appointment: moving and cancelling are not even offered to the model,
    # and the calls it makes anyway are refused without running.
    offered = {t["function"]["name"] for t in stub.requests[0]["tools"]}
    assert not offered & {"cancel_appointment", "reschedule_appointment"}
    outcomes = _tool_results(db, SESSION_B)
    assert json.loads(outcomes[0])["ok"] is True
    assert all("is not a valid tool" in o for o in outcomes[1:])
    for outcome in outcomes:
        assert not any(secret in outcome for secret in SECRETS), outcome
    # What the model was told about the customer: nothing of Ana.
    system = system_text(stub.requests[-1])
    assert "Ana" not in system and "Turnos próximos" not in system
    appointment = _anas_appointment(db)
    assert appointment.status == AppointmentStatus.confirmada
    assert appointment.start_at.isoformat() == "2026-11-25T13:00:00+00:00"  # not moved


def test_a_code_sent_by_whatsapp_proves_the_phone_and_then_she_can_cancel(
        verifying: AgentRuntime, graph: GraphStandIn, db: Session,
        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    _book_as_ana(verifying)
    for line in ("Hola, quiero cancelar mi turno", "mi cel es 11 4444-5555"):
        reply = _say(verifying, SESSION_B, line).reply
    assert "código de verificación al teléfono" in reply and "¿Te lo mando?" in reply
    sent = _say(verifying, SESSION_B, "sí, mandámelo")
    assert sent.tool_calls == ("send_verification_code",)
    assert "por WhatsApp un código de 6 dígitos" in sent.reply
    [template] = [r.body for r in graph.requests if r.body and r.body.get("type") == "template"]
    assert (template["to"], template["template"]["name"]) == ("541144445555",
                                                              "codigo_verificacion")
    code = template["template"]["components"][0]["parameters"][0]["text"]
    assert template["template"]["components"][1]["parameters"][0]["text"] == code
    wrong = _say(verifying, SESSION_B, f"{(int(code) + 1) % 10**6:06d}")
    assert "no es correcto" in wrong.reply
    assert _anas_appointment(db).status == AppointmentStatus.confirmada
    done = _say(verifying, SESSION_B, code)
    assert done.tool_calls == ("verify_code", "cancel_appointment")
    assert "cancelé tu turno de Consulta general" in done.reply
    assert _anas_appointment(db).status == AppointmentStatus.cancelada
    # Never logged, never stored in the clear.
    assert code not in caplog.text
    assert db.exec(select(VerificationCode)).one().code_hash != code


def test_a_code_sent_by_email_proves_the_address(
        verifying: AgentRuntime, smtp: SmtpServer, db: Session, demo: Tenant) -> None:
    _say(verifying, SESSION_A, "Hola, soy Ana Gómez, mi mail es ana.gomez@correo.test")
    ana = db.exec(select(Contact).where(Contact.name == "Ana Gómez")).one()
    for line in ("qué turnos tengo?", "mi mail es ana.gomez@correo.test", "qué turnos tengo?"):
        reply = _say(verifying, SESSION_B, line).reply
    assert "código de verificación al email" in reply
    assert "por email un código" in _say(verifying, SESSION_B, "dale").reply
    [message] = smtp.messages
    assert message["To"] == "ana.gomez@correo.test" and "Clínica Dental Sonrisas" in \
        message["Subject"]
    code = next(word.strip(".") for word in smtp.bodies()[0].split()
                if word.strip(".").isdigit() and len(word.strip(".")) == 6)
    done = _say(verifying, SESSION_B, code)
    assert "ya confirmé que sos vos" in done.reply
    db.commit()  # a fresh snapshot
    conversation = db.exec(select(Conversation).where(
        Conversation.external_id == SESSION_B)).one()
    assert conversation.contact_id != ana.id  # Ana's e-mail was a claim: the prover holds it
    prover = db.get(Contact, conversation.contact_id)
    assert prover is not None and (prover.email, prover.email_verified) == (
        "ana.gomez@correo.test", True)
