"""Helpers for the offline model tests: the demo clinic's profile pinned to a Monday morning,
a `Chat` driver, and builders of tool results."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage, ToolMessage

from agent.offline import OfflineChatModel
from agent.profile import AgentProfile, ServiceInfo, UpcomingAppointment

TZ = ZoneInfo("America/Argentina/Buenos_Aires")
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=TZ)  # a Monday


def make_profile(**overrides: Any) -> AgentProfile:
    """The demo dental clinic in Buenos Aires, as the agent sees it at turn start."""
    base = AgentProfile(
        tenant_name="Clínica Dental Sonrisa",
        timezone="America/Argentina/Buenos_Aires",
        locale="es-AR",
        currency="ARS",
        now_local=NOW,
        services=(
            ServiceInfo("Consulta general", 30, "$ 15.000"),
            ServiceInfo("Limpieza dental", 45, "$ 25.000"),
            ServiceInfo("Blanqueamiento", 60, "$ 80.000"),
            ServiceInfo("Control de ortodoncia", 30, "$ 20.000"),
        ),
        greeting="¡Hola! ¿En qué te puedo ayudar?",
        persona="Sos el asistente virtual de la clínica.",
        address="Av. Corrientes 1234, CABA",
    )
    return replace(base, **overrides)


def upcoming(appointment_id: str = "apt1", service: str = "Limpieza dental") -> UpcomingAppointment:
    return UpcomingAppointment(
        id=appointment_id,
        service=service,
        start_local=datetime(2026, 11, 25, 11, 0, tzinfo=TZ),
        status="confirmada",
    )


class Chat:
    """A conversation driven message by message against one model."""

    def __init__(self, model: OfflineChatModel) -> None:
        self.model = model
        self.messages: list[BaseMessage] = [SystemMessage("(system prompt)")]

    def user(self, text: str) -> AIMessage:
        self.messages.append(HumanMessage(text))
        return self._step()

    def tool(self, result: dict[str, Any]) -> AIMessage:
        """Answer the pending tool call with `result` (as the runtime would, in JSON)."""
        call = self.last.tool_calls[0]
        self.messages.append(
            ToolMessage(json.dumps(result), tool_call_id=call["id"], name=call["name"])
        )
        return self._step()

    @property
    def last(self) -> AIMessage:
        message = self.messages[-1]
        assert isinstance(message, AIMessage)
        return message

    def _step(self) -> AIMessage:
        reply = self.model.invoke(self.messages)
        assert isinstance(reply, AIMessage)
        self.messages.append(reply)
        return reply


def call_of(message: AIMessage) -> tuple[str, dict[str, Any]]:
    """(name, args) of the single tool call in `message`."""
    assert len(message.tool_calls) == 1, f"expected one tool call, got {message!r}"
    return message.tool_calls[0]["name"], message.tool_calls[0]["args"]


def appointment(
    status: str, start: str = "2026-11-24T10:00:00-03:00", service: str = "Limpieza dental"
) -> dict[str, Any]:
    """A successful book/reschedule/cancel result."""
    return {
        "ok": True,
        "appointment": {
            "service": service, "start": start,
            "end": start.replace("10:00", "10:45"), "status": status,
        },
    }
