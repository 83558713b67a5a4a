"""Erasing one person's queue state: their entries leave the streams for good (not just
flagged by XDEL), everyone else's entries keep their ids, consumers and delivery counts, and
the keys that name them (replies, rate-limit counters, marks, attempts) are deleted."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import redis

from channels.durable.purge import QueueSubject, purge_subject, rate_limit_hash
from channels.durable.ratelimit import RateLimiter
from channels.durable.streams import GROUP, Entry, Queue
from tests.channels.durable.conftest import redis_test_url
from tests.support.rdb import dump_text

SECRET = "Soy Florencia Quiroga, mi cel es 11 15 6447-0923"
SUBJECT = QueueSubject(tenant_slug="demo", web_sessions=frozenset({"web-fq-1"}),
                       thread_keys=frozenset({"whatsapp:1065:5491164470923"}),
                       events=frozenset({41}), items=frozenset({(42, 1)}),
                       conversations=frozenset({"conv-fq"}))


@pytest.fixture
def q(prefix: str) -> Iterator[Queue]:
    client = redis.Redis.from_url(redis_test_url(), decode_responses=True)
    queue = Queue(client, prefix=prefix, shards=1)
    queue.ensure_groups()
    yield queue
    client.close()


def _chat(session: str, text: str, request: str) -> dict[str, str]:
    return {"kind": "chat", "key": f"web:demo:{session}", "slug": "demo", "session": session,
            "text": text, "utm": "{}", "request": request}


def _meta(key: str, event: int, index: int) -> dict[str, str]:
    return {"kind": "meta", "key": key, "event": str(event), "index": str(index)}


def _dump(queue: Queue, key: str) -> bytes:
    raw = redis.Redis.from_url(redis_test_url())
    try:
        return dump_text(raw.dump(key) or b"")  # type: ignore[arg-type]
    finally:
        raw.close()


def _read(queue: Queue, consumer: str, count: int) -> list[Entry]:
    got: Any = queue.client.xreadgroup(GROUP, consumer, {queue.stream(0): ">"}, count=count)
    return [Entry(0, i, f) for _, rows in got or [] for i, f in rows]


def test_the_persons_entries_leave_the_stream_and_the_rest_keep_their_state(q: Queue) -> None:
    mine = q.enqueue([_chat("web-fq-1", SECRET, "r1")])
    theirs = q.enqueue([_chat("web-tom-2", "Hola, soy Tomás", "r2")])
    q.enqueue([_chat("web-fq-1", "¿llego tarde?", "r3"), _meta("whatsapp:1065:5491164470923",
                                                                 40, 0),
               _meta("whatsapp:status:wamid.x", 41, 0), _meta("whatsapp:1065:549110000", 42, 0),
               _meta("whatsapp:1065:549110000", 42, 1), _chat("web-tom-2", "¿Y el lunes?", "r4")])
    [first] = _read(q, "w1", 1)  # hers, in a worker's hands
    [second] = _read(q, "w2", 1)  # his, in another's, delivered twice
    q.client.xclaim(q.stream(0), GROUP, "w2", 0, [second.id])
    assert first.id == mine[0] and second.id == theirs[0]
    q.count_attempt([first])
    q.count_attempt([second])
    assert SECRET.encode() in _dump(q, q.stream(0))
    group = q.client.xinfo_groups(q.stream(0))[0]

    report = purge_subject(q, SUBJECT)

    rows: Any = q.client.xrange(q.stream(0))
    assert [f.get("session") or f["event"] + ":" + f["index"] for _, f in rows] == [
        "web-tom-2", "42:0", "web-tom-2"]
    assert report.entries == 5 and report.items == {(40, 0), (41, 0), (42, 1)}
    assert q.client.hgetall(q.attempts_key) == {second.id: "1"}
    assert SECRET.encode() not in _dump(q, q.stream(0))
    assert b"5491164470923" not in _dump(q, q.stream(0))
    after = q.client.xinfo_groups(q.stream(0))[0]
    assert after["last-delivered-id"] == group["last-delivered-id"]
    [pending] = q.client.xpending_range(q.stream(0), GROUP, "-", "+", 10)
    assert (pending["message_id"], pending["consumer"], pending["times_delivered"]) == (
        second.id, "w2", 2)
    # workers go on as before: the next new entry, then new ones with higher ids
    assert [e.fields.get("event") for e in _read(q, "w1", 1)] == ["42"]
    [late] = q.enqueue([_chat("web-tom-2", "gracias", "r5")])
    assert late > rows[-1][0]
    q.acknowledge([second])
    assert q.client.xpending(q.stream(0), GROUP)["pending"] == 1


def test_dead_letters_replies_counters_and_marks_of_the_person_go(q: Queue) -> None:
    entries = q.enqueue([_chat("web-fq-1", SECRET, "r1"), _chat("web-tom-2", "Hola", "r2")])
    read = _read(q, "w1", 2)
    q.count_attempt(read)
    q.dead_letter(read, error="ReplyNotSent", attempts=3)
    assert q.stats().dead == 2
    limiter = RateLimiter(q.client, prefix=q.prefix, per_tenant=100, per_contact=100)
    limiter.admit("demo", "web:web-fq-1", entries=[f"0:{entries[0]}"])
    limiter.admit("demo", "whatsapp:1065:5491164470923")
    limiter.admit("demo", "web:web-tom-2", entries=[f"0:{entries[1]}"])
    q.publish_reply(request_ids=["r9"], slug="demo", session_id="web-fq-1",
                    payload={"conversation_id": "conv-fq", "reply": "¡Listo, Florencia!"})
    q.publish_reply(request_ids=["r8"], slug="demo", session_id="web-tom-2",
                    payload={"conversation_id": "conv-tom", "reply": "¡Listo, Tomás!"})
    q.client.set(f"{q.prefix}:redriven:41", "1")
    q.client.set(f"{q.prefix}:redriven:7", "1")

    purge_subject(q, SUBJECT)

    [(_, dead)] = q.dead_letters()
    assert dead["session"] == "web-tom-2" and SECRET.encode() not in _dump(q, q.dlq)
    keys = set(q.client.scan_iter(f"{q.prefix}:*"))
    for contact in ("web:web-fq-1", "whatsapp:1065:5491164470923"):
        assert not [k for k in keys if rate_limit_hash("demo", contact) in k]
    assert [k for k in keys if rate_limit_hash("demo", "web:web-tom-2") in k]
    assert f"{q.prefix}:rl:e:0:{entries[0]}" not in keys
    assert f"{q.prefix}:rl:e:0:{entries[1]}" in keys
    assert q.reply_key("r9") not in keys and q.reply_key("r8") in keys
    assert f"{q.prefix}:redriven:41" not in keys and f"{q.prefix}:redriven:7" in keys
    assert json.loads(q.client.lrange(q.reply_key("r8"), 0, -1)[0])["reply"]  # type: ignore[index]
    assert purge_subject(q, SUBJECT).total == 0  # nothing left: a second purge is a no-op


def test_a_worker_blocked_on_the_stream_gets_the_next_entry_after_a_purge(q: Queue) -> None:
    q.enqueue([_chat("web-fq-1", SECRET, "r1")])
    _read(q, "w0", 1)
    got: list[Any] = []

    def wait() -> None:
        reader = redis.Redis.from_url(redis_test_url(), decode_responses=True)
        try:
            got.append(reader.xreadgroup(GROUP, "w1", {q.stream(0): ">"}, count=1, block=5000))
        finally:
            reader.close()

    waiting = threading.Thread(target=wait)
    waiting.start()
    time.sleep(0.2)  # blocked in XREADGROUP while the stream is rebuilt
    assert purge_subject(q, SUBJECT).entries == 1
    q.enqueue([_chat("web-tom-2", "Hola", "r2")])
    waiting.join(10)
    [[_, [(_, fields)]]] = got[0]
    assert fields["session"] == "web-tom-2"
