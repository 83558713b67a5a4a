"""The durable path end to end in one process: webhooks → Redis → workers → Graph stand-in.

Real Redis (a unique key prefix per test), SQLite and PostgreSQL, the offline model.
"""

from __future__ import annotations

import time
import uuid
from collections import defaultdict
from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from agent.runtime import AgentRuntime
from channels.context import ChannelContext
from channels.durable.ratelimit import OVER_LIMIT
from channels.durable.recovery import redrive
from channels.durable.streams import GROUP, Queue
from channels.receiver import Work
from crm.models import (
    ChannelConnection,
    ChannelKind,
    Conversation,
    InboundKey,
    InboundState,
    IntakeState,
    Lead,
    LeadAdIntake,
    Message,
    MessageRole,
    Tenant,
    User,
    WebhookEvent,
)
from crm.settings import Settings
from tests.channels.conftest import NOW_TS, WA_PHONE_ID, Poster, connect
from tests.channels.durable.conftest import wait_until, workers
from tests.channels.payloads import leadgen, wa_text, wa_update, wa_value
from tests.support.graph_standin import GraphStandIn

WEB_SESSION = "web-session-1-0000000000000000"

PAGE = "5550001"


def user_then_replies(db: Session, conversation_id: str) -> list[tuple[str, str | None]]:
    """(role, channel_message_id) of user messages and final replies, in order."""
    rows = db.exec(select(Message).where(Message.conversation_id == conversation_id)
                   .order_by(col(Message.id))).all()
    return [(m.role.value, m.channel_message_id) for m in rows
            if m.role == MessageRole.user or (m.role == MessageRole.assistant
                                              and not m.tool_calls)]


def test_webhooks_only_enqueue_until_a_worker_runs_them(
        queued_meta: Poster, wa: ChannelConnection, queue: Queue, graph: GraphStandIn,
        queue_settings: Settings, runtime: AgentRuntime, db: Session) -> None:
    assert queued_meta.post(wa_text(WA_PHONE_ID, "5491100000001", "wamid.q1", "Hola",
                                    NOW_TS)).status_code == 200
    assert queue.stats().depth == 1 and graph.sends() == []
    with workers(queue_settings, runtime):
        wait_until(lambda: len(graph.sends()) == 1, message="the reply")
        wait_until(lambda: queue.stats().depth == 0, message="the ack")
    db.commit()
    assert db.exec(select(InboundKey)).one().state == InboundState.done
    assert db.exec(select(WebhookEvent)).one().status == "processed"


def test_each_conversation_is_answered_in_order_while_conversations_run_in_parallel(
        queued_meta: Poster, wa: ChannelConnection, queue: Queue, graph: GraphStandIn,
        queue_settings: Settings, runtime: AgentRuntime, db: Session) -> None:
    senders = [f"54911000001{n:02d}" for n in range(8)]
    for turn in range(4):
        for sender in senders:
            assert queued_meta.post(wa_text(WA_PHONE_ID, sender, f"wamid.{sender}.{turn}",
                                            f"Hola, pregunta {turn}",
                                            NOW_TS + turn)).status_code == 200
    with workers(queue_settings, runtime, count=2, concurrency=2):
        wait_until(lambda: len(graph.sends()) == 32, message="32 replies")
        wait_until(lambda: queue.stats().depth == 0, message="the acks")
    sends: defaultdict[str, int] = defaultdict(int)
    for send in graph.sends():
        assert send.body is not None
        sends[send.body["to"]] += 1
    assert sends == {s: 4 for s in senders}
    db.commit()
    for sender in senders:
        conversation = db.exec(select(Conversation).where(
            Conversation.external_id == sender)).one()
        steps = user_then_replies(db, conversation.id)
        # user, reply, user, reply ... with the user messages in arrival order
        assert [r for r, _ in steps] == ["user", "assistant"] * 4, steps
        assert [i for r, i in steps if r == "user"] == [f"wamid.{sender}.{t}"
                                                         for t in range(4)]


def test_a_burst_within_the_debounce_window_is_answered_in_one_turn(
        queued_meta: Poster, wa: ChannelConnection, graph: GraphStandIn,
        queue_settings: Settings, runtime: AgentRuntime, db: Session) -> None:
    settings = queue_settings.model_copy(update={"debounce_seconds": 0.8})
    sender = "5491100000002"
    with workers(settings, runtime):
        for n, text in enumerate(["hola", "quería un turno", "para mañana"]):
            assert queued_meta.post(wa_text(WA_PHONE_ID, sender, f"wamid.burst{n}", text,
                                            NOW_TS + n)).status_code == 200
        wait_until(lambda: len(graph.sends()) == 1, message="one reply")
        # a later message, after the window, gets its own turn
        assert queued_meta.post(wa_text(WA_PHONE_ID, sender, "wamid.burst3", "gracias",
                                        NOW_TS + 9)).status_code == 200
        wait_until(lambda: len(graph.sends()) == 2, message="the second reply")
    db.commit()
    conversation = db.exec(select(Conversation)).one()
    assert [r for r, _ in user_then_replies(db, conversation.id)] == [
        "user", "user", "user", "assistant", "user", "assistant"]
    assert all(k.state == InboundState.done for k in db.exec(select(InboundKey)))


def test_after_a_crash_messages_are_merged_only_within_the_debounce_window_of_arrival(
        queued_meta: Poster, wa: ChannelConnection, graph: GraphStandIn, queue: Queue,
        queue_settings: Settings, runtime: AgentRuntime, db: Session) -> None:
    """A worker read every message and died: they come back at once (XAUTOCLAIM), long
    quiet. Messages that arrived further apart than the window are separate questions, each
    answered; only a burst inside the window is one turn."""
    settings = queue_settings.model_copy(update={"debounce_seconds": 0.5})
    senders = [f"54911000003{n:02d}" for n in range(3)]

    def post_round(round_: int, per_sender: int) -> None:
        # One webhook for the round: its messages reach Redis in one pipeline, together.
        messages = [{"from": s, "id": f"wamid.{s}.{round_}.{k}", "type": "text",
                     "timestamp": str(NOW_TS + round_), "text": {"body": f"pregunta {k}"}}
                    for s in senders for k in range(per_sender)]
        contacts = [{"profile": {"name": "Ana"}, "wa_id": s} for s in senders]
        assert queued_meta.post(wa_update(wa_value(
            WA_PHONE_ID, contacts=contacts, messages=messages))).status_code == 200

    post_round(0, 1)
    time.sleep(1.2)  # well past the window: a new question
    post_round(1, 1)
    time.sleep(1.2)
    post_round(2, 2)  # a burst: two messages together
    for shard in range(queue.shards):  # the crashed worker had read them all
        queue.client.xreadgroup(GROUP, "crashed-worker", {queue.stream(shard): ">"})
    assert queue.stats().pending == 12
    with workers(settings, runtime):
        wait_until(lambda: queue.stats().depth == 0, message="every message answered")
    assert len(graph.sends()) == 9
    db.commit()
    for sender in senders:
        conversation = db.exec(select(Conversation).where(
            Conversation.external_id == sender)).one()
        assert [r for r, _ in user_then_replies(db, conversation.id)] == [
            "user", "assistant", "user", "assistant", "user", "user", "assistant"]


def test_after_redis_lost_its_entries_the_redrive_keeps_each_message_s_arrival_time(
        queued_meta: Poster, wa: ChannelConnection, graph: GraphStandIn, queue: Queue,
        queue_settings: Settings, runtime: AgentRuntime, db: Session) -> None:
    """Redis restarted without persistence: the redrive enqueues every stored event again,
    all at once. Messages that arrived seconds apart are still separate questions."""
    settings = queue_settings.model_copy(update={"debounce_seconds": 0.5})
    sender = "5491100000340"
    for n in range(3):
        assert queued_meta.post(wa_text(WA_PHONE_ID, sender, f"wamid.lost{n}",
                                        f"pregunta {n}", NOW_TS + n)).status_code == 200
        time.sleep(1.2)  # past the window: each a question of its own
    for shard in range(queue.shards):  # the restart lost every entry
        queue.client.delete(queue.stream(shard))
    ctx = ChannelContext.build(settings, runtime.engine, runtime)
    try:
        assert redrive(ctx, queue, older_than=0) == 3
    finally:
        ctx.graph.close()
    with workers(settings, runtime):
        wait_until(lambda: queue.stats().depth == 0, message="every message answered")
    assert len(graph.sends()) == 3
    db.commit()
    conversation = db.exec(select(Conversation)).one()
    assert [r for r, _ in user_then_replies(db, conversation.id)] == [
        "user", "assistant"] * 3


def test_a_reply_graph_keeps_refusing_goes_to_the_dead_letters_and_flags_the_conversation(
        queued_meta: Poster, wa: ChannelConnection, graph: GraphStandIn, queue: Queue,
        queue_settings: Settings, runtime: AgentRuntime, db: Session) -> None:
    # graph_max_retries=3: each attempt makes 4 calls; 3 attempts → 12 failures
    graph.fail(*[500] * 12)
    assert queued_meta.post(wa_text(WA_PHONE_ID, "5491100000003", "wamid.dead", "Hola",
                                    NOW_TS)).status_code == 200
    with workers(queue_settings, runtime):
        wait_until(lambda: queue.stats().dead == 1, message="a dead letter")
        [(dead_id, fields)] = queue.dead_letters()
        assert fields["attempts"] == "3" and fields["error"] == "ReplyNotSent"
        assert "text" not in fields  # Meta entries carry ids; the body stays in the DB
        wait_until(lambda: _flagged(db), message="the flag for a human")
        assert db.exec(select(InboundKey)).one().state == InboundState.error  # given up
        assert db.exec(select(WebhookEvent)).one().status == "error"  # out of the redrive
        # the operator retries once Meta is back: answered once, the same stored reply
        assert queue.retry_dead([dead_id]) == 1
        wait_until(lambda: len(graph.sends()) == 13, message="the retried reply")
        wait_until(lambda: queue.stats().depth == 0, message="the ack")
    db.commit()
    assert len(graph.sends()) == 13  # 12 refused, 1 accepted: one reply reached the user
    assert queue.stats().dead == 0
    conversation = db.exec(select(Conversation)).one()
    assert [r for r, _ in user_then_replies(db, conversation.id)] == ["user", "assistant"]
    assert db.exec(select(InboundKey)).one().state == InboundState.done
    assert db.exec(select(WebhookEvent)).one().status == "processed"


def test_a_dead_letter_gives_up_its_item_only_and_the_rest_of_the_batch_is_still_redriven(
        queued_meta: Poster, wa: ChannelConnection, graph: GraphStandIn, queue: Queue,
        queue_settings: Settings, runtime: AgentRuntime, db: Session) -> None:
    first, second = "5491100000031", "5491100000032"
    body = wa_text(WA_PHONE_ID, first, "wamid.batch1", "Hola", NOW_TS)
    value = body["entry"][0]["changes"][0]["value"]
    value["messages"].append({"from": second, "id": "wamid.batch2",
                              "timestamp": str(NOW_TS), "type": "text",
                              "text": {"body": "Hola"}})
    value["contacts"].append({"profile": {"name": "Bea"}, "wa_id": second})
    assert queued_meta.post(body).status_code == 200  # one event, two conversations
    # Redis loses the second item's entry (no persistence): only the redrive brings it back
    for shard in range(queue.shards):
        rows: Any = queue.client.xrange(queue.stream(shard))
        for entry_id, fields in rows:
            if fields["index"] == "1":
                queue.client.xdel(queue.stream(shard), entry_id)
    graph.fail(*[500] * 12)  # and the first item's reply never goes out: a dead letter
    with workers(queue_settings, runtime):
        wait_until(lambda: queue.stats().dead == 1, message="the dead letter")

        def given_up() -> bool:  # the database side follows the dead-letter stream
            db.commit()
            return db.exec(select(WebhookEvent)).one().items_done == 1

        wait_until(given_up, message="the dead item given up")
        event = db.exec(select(WebhookEvent)).one()
        assert (event.status, event.items_done) == ("received", 1)  # still redriven
        # the workers' redrive enqueues both items again; the given-up one is skipped
        wait_until(lambda: len(graph.sends()) == 13, message="the second reply")
        wait_until(lambda: queue.stats().depth == 0, message="the acks")
    assert [s.body["to"] for s in graph.sends()[12:] if s.body] == [second]
    db.commit()
    states = {k.external_id: k.state for k in db.exec(select(InboundKey))}
    assert states == {"wamid.batch1": InboundState.error, "wamid.batch2": InboundState.done}
    db.refresh(event)
    assert (event.status, event.items_done) == ("error", 2)


def test_a_leadgen_through_redis_makes_one_lead_for_a_seller_even_when_delivered_twice(
        queued_meta: Poster, demo: Tenant, graph: GraphStandIn, queue: Queue,
        queue_settings: Settings, channel_settings: Settings, runtime: AgentRuntime,
        db: Session) -> None:
    connect(db, channel_settings, demo, ChannelKind.lead_ads, PAGE,
            seller_emails=["lucia@clinica-demo.test"])
    graph.add_lead("940001", {"full_name": "Marta Gómez", "email": "marta@example.test"})
    for _ in range(2):  # Meta delivers the webhook twice: the second is a duplicate
        assert queued_meta.post(leadgen(PAGE, "940001")).status_code == 200
    assert queue.stats().depth == 1
    event = db.exec(select(WebhookEvent)).one()
    assert event.id is not None  # and the queue delivers its entry twice (at least once)
    queue.enqueue_work([Work(event_id=event.id, index=0, key=f"lead_ads:{PAGE}")])
    with workers(queue_settings, runtime):
        wait_until(lambda: queue.stats().depth == 0, message="both entries")
    db.commit()
    [lead] = db.exec(select(Lead)).all()
    seller = db.exec(select(User).where(User.email == "lucia@clinica-demo.test")).one()
    assert lead.assigned_to == seller.id
    [intake] = db.exec(select(LeadAdIntake)).all()
    assert intake.state == IntakeState.registrado and intake.lead_id == lead.id
    assert len([r for r in graph.requests if r.method == "GET"]) == 1  # fetched once


def test_a_retried_turn_counts_once_against_the_rate_limit(
        queued_meta: Poster, wa: ChannelConnection, graph: GraphStandIn, queue: Queue,
        queue_settings: Settings, runtime: AgentRuntime) -> None:
    settings = queue_settings.model_copy(update={"rate_limit_contact_per_minute": 2})
    for n in range(3):
        assert queued_meta.post(wa_text(WA_PHONE_ID, "5491100000033", f"wamid.rc{n}",
                                        "Hola", NOW_TS + n)).status_code == 200
    graph.fail(500, 500, 500, 500)  # the first reply fails once (1 + 3 retries): a retry
    with workers(settings, runtime):
        wait_until(lambda: len(graph.sends()) == 7, message="three replies")
        wait_until(lambda: queue.stats().depth == 0, message="the acks")
    texts = [s.body["text"]["body"] for s in graph.sends()[4:] if s.body]
    assert texts.count(OVER_LIMIT) == 1 and texts[-1] == OVER_LIMIT  # the third, not the 2nd


def test_consumers_of_dead_workers_are_forgotten_once_idle_and_settled(
        queue: Queue, queue_settings: Settings, runtime: AgentRuntime, demo: Tenant) -> None:
    settings = queue_settings.model_copy(update={"visibility_timeout_seconds": 0.2})
    # a worker that read an entry and acknowledged it, then died
    stream = queue.stream(0)
    done_id = queue.client.xadd(stream, {"kind": "none", "key": "x"})
    queue.client.xreadgroup(GROUP, "ghost", {stream: ">"}, count=1)
    queue.client.xack(stream, GROUP, done_id)
    queue.client.xdel(stream, done_id)
    # and one that died with a web chat message in hand
    request = uuid.uuid4().hex
    queue.enqueue_chat(slug="demo", session_id="prune-1", text="Hola", utm={},
                       request_id=request)
    shard = queue.shard_of("web:demo:prune-1")
    queue.client.xreadgroup(GROUP, "dead-worker", {queue.stream(shard): ">"}, count=1)
    time.sleep(5 * 0.2 + 0.1)  # idle for longer than five visibility timeouts

    def names() -> set[str]:
        found: set[str] = set()
        for n in range(queue.shards):
            rows: Any = queue.client.xinfo_consumers(queue.stream(n), GROUP)
            found |= {str(row["name"]) for row in rows}
        return found

    assert {"ghost", "dead-worker"} <= names()
    with workers(settings, runtime) as [worker]:
        assert queue.wait_reply(request, timeout=10) is not None  # its entry was reclaimed
        wait_until(lambda: not {"ghost", "dead-worker"} & names(), timeout=10,
                   message="the dead consumers forgotten")
        assert names() <= {worker.name}


def _flagged(db: Session) -> bool:
    db.commit()
    return db.exec(select(Conversation)).one().needs_human


def test_over_the_contact_rate_limit_the_user_gets_a_short_reply_and_no_model_runs(
        queued_meta: Poster, wa: ChannelConnection, graph: GraphStandIn,
        queue_settings: Settings, runtime: AgentRuntime, db: Session) -> None:
    settings = queue_settings.model_copy(update={"rate_limit_contact_per_minute": 2})
    for n in range(3):
        assert queued_meta.post(wa_text(WA_PHONE_ID, "5491100000004", f"wamid.rl{n}",
                                        "Hola, qué servicios tienen?",
                                        NOW_TS + n)).status_code == 200
    # another sender is not limited by the first one
    assert queued_meta.post(wa_text(WA_PHONE_ID, "5491100000005", "wamid.rl-other",
                                    "Hola", NOW_TS)).status_code == 200
    with workers(settings, runtime):
        wait_until(lambda: len(graph.sends()) == 4, message="four replies")
    texts = [s.body["text"]["body"] for s in graph.sends() if s.body]
    assert texts.count(OVER_LIMIT) == 1
    db.commit()
    conversation = db.exec(select(Conversation).where(
        Conversation.external_id == "5491100000004")).one()
    rows = db.exec(select(Message).where(Message.conversation_id == conversation.id)
                   .order_by(col(Message.id))).all()
    assert rows[-1].text == OVER_LIMIT and rows[-2].role == MessageRole.user
    assert not any(m.tool_calls for m in rows[-2:])


def test_the_web_chat_answers_through_a_worker_and_202_when_none_answers_in_time(
        queued_client: TestClient, queue_settings: Settings, runtime: AgentRuntime,
        db: Session, demo: object) -> None:
    url = "/v1/chat/demo/messages"
    with workers(queue_settings, runtime):
        response = queued_client.post(url, json={"session_id": WEB_SESSION,
                                                 "text": "Hola, qué servicios tienen?"})
        assert response.status_code == 200
        body = response.json()
        assert body["reply"] and body["conversation_id"]
    queued_client.app.state.settings.chat_reply_timeout_seconds = 0.2  # type: ignore[attr-defined]
    late = queued_client.post(url, json={"session_id": WEB_SESSION, "text": "gracias"})
    assert late.status_code == 202
    assert late.json()["reply"] is None
    assert late.json()["conversation_id"] == body["conversation_id"]
    assert queued_client.post("/v1/chat/nadie/messages",
                              json={"session_id": WEB_SESSION, "text": "x"}
                              ).status_code == 404


class TakenOverRuntime(AgentRuntime):
    """Every turn fails; during the last attempt another worker takes the shard (as when
    this one stalled past its lease)."""

    def __init__(self, *args: Any, queue: Queue, last_attempt: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.queue, self.last_attempt, self.calls = queue, last_attempt, 0

    def handle_batch(self, *args: Any, **kwargs: Any) -> Any:
        self.calls += 1
        if self.calls == self.last_attempt:
            for shard in range(self.queue.shards):
                self.queue.client.set(self.queue.lease_key(shard), "another-worker", px=60_000)
        raise RuntimeError("the model is down")


def test_a_worker_whose_shard_was_taken_does_not_dead_letter_the_new_holders_entry(
        queued_client: TestClient, queue: Queue, queue_settings: Settings,
        runtime: AgentRuntime, demo: object, caplog: Any) -> None:
    failing = TakenOverRuntime(queue_settings, runtime.engine, clock=runtime.clock,
                               queue=queue, last_attempt=queue_settings.queue_max_attempts)
    session = str(uuid.uuid4())
    queued_client.app.state.settings.chat_reply_timeout_seconds = 0.05  # type: ignore[attr-defined]
    assert queued_client.post("/v1/chat/demo/messages", json={
        "session_id": session, "text": "hola"}).status_code == 202
    with workers(queue_settings, failing):
        wait_until(lambda: "lease lost mid-turn" in caplog.text or queue.stats().dead > 0,
                   message="the last attempt's end")
        time.sleep(0.2)
    assert failing.calls == queue_settings.queue_max_attempts
    assert queue.stats().dead == 0  # still pending: the new holder decides
    assert "lease lost mid-turn" in caplog.text
    assert queue.stats().pending == 1
