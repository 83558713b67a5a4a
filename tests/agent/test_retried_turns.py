"""Retried turns (the durable queue delivers at least once): effects happen once."""

from __future__ import annotations

import pytest
from sqlmodel import Session, col, select

from agent.errors import TurnFailed
from agent.runtime import AgentRuntime, Inbound
from crm.models import Appointment, Channel, Message, MessageRole
from tests.factories import make_tenant
from tests.support.openai_stub import OpenAIStub, status, text, tool_call


def _inbound(slug: str, mid: str, text_: str = "limpieza mañana a las 10, soy Ana Paz, 11 5555-1234"
             ) -> Inbound:
    return Inbound(tenant_slug=slug, channel=Channel.whatsapp, thread_id="5491155550001",
                   text=text_, channel_message_id=mid)


def test_a_turn_retried_after_an_llm_failure_resumes_without_repeating_its_tools(
        openai_runtime: AgentRuntime, stub: OpenAIStub, db: Session) -> None:
    tenant = make_tenant(db)
    stub.push(tool_call("save_contact_details", {"name": "Ana Paz", "phone": "11 5555-1234"}),
              tool_call("book_appointment", {"service": "Limpieza dental",
                                             "day": "2026-11-24", "time": "10:00"}),
              status(500), status(500))  # the call after the tool fails, retry included
    with pytest.raises(TurnFailed):
        openai_runtime.handle_batch([_inbound(tenant.slug, "wamid.r1")], strict=True)
    assert len(db.exec(select(Appointment)).all()) == 1  # committed with its tool result
    stub.push(text("Listo, te espero el martes a las 10."))
    result = openai_runtime.handle_batch([_inbound(tenant.slug, "wamid.r1")], strict=True)
    assert result.reply.startswith("Listo") and result.tool_calls == ()
    requests = len(stub.requests)
    again = openai_runtime.handle_batch([_inbound(tenant.slug, "wamid.r1")], strict=True)
    assert again.reply == result.reply and again.reply_message_id == result.reply_message_id
    assert len(stub.requests) == requests  # answered already: no model call
    db.commit()
    assert len(db.exec(select(Appointment)).all()) == 1
    roles = [m.role for m in db.exec(select(Message).order_by(col(Message.id)))]
    assert roles == [MessageRole.user, MessageRole.assistant, MessageRole.tool,
                     MessageRole.assistant, MessageRole.tool, MessageRole.assistant]


def test_a_burst_is_stored_in_order_and_answered_in_one_turn(
        openai_runtime: AgentRuntime, stub: OpenAIStub, db: Session) -> None:
    tenant = make_tenant(db)
    stub.push(text("¡Hola! ¿Para qué día?"))
    result = openai_runtime.handle_batch([_inbound(tenant.slug, f"wamid.b{n}", t) for n, t in
                                          enumerate(["hola", "quería un turno", "para mañana"])])
    assert result.ok and len(stub.requests) == 1
    users = [m["content"] for m in stub.requests[0]["messages"] if m["role"] == "user"]
    assert users == ["hola", "quería un turno", "para mañana"]


def test_over_a_limit_the_canned_reply_is_stored_and_no_model_runs(
        openai_runtime: AgentRuntime, stub: OpenAIStub, db: Session) -> None:
    tenant = make_tenant(db)
    result = openai_runtime.handle_batch([_inbound(tenant.slug, "wamid.c1", "hola")],
                                         canned="Esperá un minuto.")
    assert result.reply == "Esperá un minuto." and not result.ok and stub.requests == []
