"""The send window, reproduced deterministically: Meta accepts a send and the worker dies
before recording the outcome (or Meta's answer never arrives). Meta's receipt (a status or
echo webhook carrying our reference) tells the retried turn not to send again; without a
receipt the reply is sent again once MOSTRADOR_SEND_CONFIRM_SECONDS have passed since the
intent.

The death is simulated in-process: the worker's Graph client raises right after Meta (the
stand-in) answered, so the turn unwinds with the intent on record and no outcome, as a
SIGKILL at that instant would leave it; the retry then runs in the same worker, as another
worker's would after the visibility timeout. The API runs on a real HTTP server (uvicorn)
so the stand-in can post its receipts to it, as Meta does.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlmodel import Session, col, select

from agent.runtime import AgentRuntime
from api.app import create_app
from channels.graph import GraphClient
from crm.models import (
    ChannelConnection,
    ChannelKind,
    Conversation,
    InboundKey,
    InboundState,
    Message,
    MessageRole,
    OutboundDelivery,
    Tenant,
)
from crm.settings import Settings
from tests.channels.conftest import APP_SECRET, NOW_TS, WA_PHONE_ID, connect
from tests.channels.durable.conftest import wait_until, workers
from tests.channels.payloads import messaging, signed, text_event, wa_text
from tests.support.graph_standin import GraphStandIn
from tests.support.live_server import live_server

CONFIRM_SECONDS = 1.0
PAGE = "1122334455"
PSID = "6612345678901234"


class WorkerDied(Exception):
    """Stands for a SIGKILL between Meta's answer and the recording of the outcome."""


class DiesAfterSend(GraphClient):
    """A Graph client whose first `deaths` sends reach Meta and then "kill" the worker."""

    deaths = 1

    def post(self, path: str, *, token: str, json: dict[str, Any],
             once: bool = False) -> dict[str, Any]:
        answer = super().post(path, token=token, json=json, once=once)
        if self.deaths > 0:
            self.deaths -= 1
            raise WorkerDied
        return answer


@pytest.fixture
def api(queue_settings: Settings, runtime: AgentRuntime) -> Iterator[tuple[str, Settings]]:
    settings = queue_settings.model_copy(update={"send_confirm_seconds": CONFIRM_SECONDS})
    with live_server(create_app(settings, runtime)) as base:
        yield base, settings


def post(base: str, body: dict[str, Any]) -> None:
    raw, headers = signed(body, APP_SECRET)
    assert httpx.post(f"{base}/webhooks/meta", content=raw, headers=headers,
                      timeout=10).status_code == 200


def answered(db: Session) -> bool:
    db.commit()
    keys = db.exec(select(InboundKey)).all()
    return bool(keys) and all(k.state == InboundState.done for k in keys)


def run_until_answered(settings: Settings, runtime: AgentRuntime, db: Session) -> None:
    with workers(settings, runtime, graph=lambda: DiesAfterSend.from_settings(settings)):
        wait_until(lambda: answered(db), message="the message answered")


def the_reply(db: Session) -> tuple[Message, list[OutboundDelivery]]:
    db.commit()
    [reply] = [m for m in db.exec(select(Message).where(Message.role == MessageRole.assistant))
               if not m.tool_calls]
    deliveries = db.exec(select(OutboundDelivery).where(
        OutboundDelivery.message_id == reply.id).order_by(col(OutboundDelivery.part))).all()
    return reply, list(deliveries)


def assert_settled(db: Session, deliveries: list[OutboundDelivery], parts: int) -> None:
    """One delivery per part, each with Meta's id; no intent left; nobody flagged."""
    assert [d.part for d in deliveries] == list(range(parts))
    assert all(d.external_id for d in deliveries)
    assert not db.exec(select(Conversation)).one().needs_human


def test_with_its_receipt_a_send_cut_off_before_its_outcome_is_not_sent_again(
        api: tuple[str, Settings], wa: ChannelConnection, graph: GraphStandIn,
        runtime: AgentRuntime, db: Session) -> None:
    base, settings = api
    graph.send_receipts(f"{base}/webhooks/meta", APP_SECRET)
    post(base, wa_text(WA_PHONE_ID, "5491100000020", "wamid.w1", "Hola", NOW_TS))
    run_until_answered(settings, runtime, db)
    [send] = graph.sends()
    reply, deliveries = the_reply(db)
    assert send.body is not None and send.body["biz_opaque_callback_data"] == (
        f"mst:{reply.id}:0")
    assert_settled(db, deliveries, 1)
    assert deliveries[0].external_id == reply.channel_message_id == "wamid.standin.1"


def test_without_a_receipt_the_reply_is_sent_again_once_the_confirm_window_passed(
        api: tuple[str, Settings], wa: ChannelConnection, graph: GraphStandIn,
        runtime: AgentRuntime, db: Session) -> None:
    base, settings = api  # the stand-in posts no receipt: Meta "never took" the first send
    post(base, wa_text(WA_PHONE_ID, "5491100000021", "wamid.w2", "Hola", NOW_TS))
    run_until_answered(settings, runtime, db)
    first, again = graph.sends()
    assert first.body == again.body
    assert again.at - first.at >= CONFIRM_SECONDS - 0.1  # not before the window passed
    _, deliveries = the_reply(db)
    assert_settled(db, deliveries, 1)
    assert deliveries[0].external_id == "wamid.standin.2"


@pytest.mark.parametrize("db_url", ["postgres"], indirect=True)
def test_a_messenger_echo_is_the_receipt_of_a_send_cut_off_before_its_outcome(
        api: tuple[str, Settings], demo: Tenant, graph: GraphStandIn,
        channel_settings: Settings, runtime: AgentRuntime, db: Session) -> None:
    base, settings = api
    connect(db, channel_settings, demo, ChannelKind.messenger, PAGE, token="page-tok")
    graph.echo_accounts["page-tok"] = ("page", PAGE)
    graph.send_receipts(f"{base}/webhooks/meta", APP_SECRET)
    post(base, messaging("page", PAGE, text_event(PSID, PAGE, "m_w3", "Hola",
                                                  NOW_TS * 1000)))
    run_until_answered(settings, runtime, db)
    [send] = graph.sends()
    reply, deliveries = the_reply(db)
    assert send.body is not None and send.body["message"]["metadata"] == f"mst:{reply.id}:0"
    assert_settled(db, deliveries, 1)
    assert deliveries[0].external_id == "m_standin_1"


@pytest.mark.parametrize("db_url", ["postgres"], indirect=True)
def test_a_long_reply_cut_off_after_its_first_part_sends_only_the_rest(
        api: tuple[str, Settings], wa: ChannelConnection, graph: GraphStandIn,
        runtime: AgentRuntime, db: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("channels.whatsapp.TEXT_LIMIT", 40)  # the reply goes in parts
    base, settings = api
    graph.send_receipts(f"{base}/webhooks/meta", APP_SECRET)
    post(base, wa_text(WA_PHONE_ID, "5491100000022", "wamid.w4",
                       "Hola, qué servicios tienen?", NOW_TS))
    run_until_answered(settings, runtime, db)
    texts = [s.body["text"]["body"] for s in graph.sends() if s.body]
    reply, deliveries = the_reply(db)
    assert len(texts) > 2 and len(set(texts)) == len(texts)  # each part went once
    assert " ".join(texts).split() == reply.text.split()
    assert_settled(db, deliveries, len(texts))


def test_a_send_whose_answer_is_lost_is_not_retried_blindly_but_settled_by_its_receipt(
        api: tuple[str, Settings], wa: ChannelConnection, graph: GraphStandIn,
        runtime: AgentRuntime, db: Session) -> None:
    base, settings = api
    settings = settings.model_copy(update={"graph_timeout_seconds": 0.5})
    graph.send_receipts(f"{base}/webhooks/meta", APP_SECRET)
    graph.slow(1.5)  # Meta accepts it, and its answer comes after the client gave up
    post(base, wa_text(WA_PHONE_ID, "5491100000023", "wamid.w5", "Hola", NOW_TS))
    with workers(settings, runtime):
        wait_until(lambda: bool(graph.in_flight()), message="the send")
        graph.slow(0)
        wait_until(lambda: answered(db), message="the message answered")
    assert len(graph.sends()) == 1  # a read timeout is no reason to send it again
    _, deliveries = the_reply(db)
    assert_settled(db, deliveries, 1)
