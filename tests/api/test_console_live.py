"""Live updates of the console (server-sent `change` events), in both modes: in memory
(one process) and through Redis (API processes and workers apart).

A staff action is announced on the business's inbox topic and heard at once; a customer's
message, handled wherever, is seen by the watermark poll.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from agent.runtime import AgentRuntime
from api.app import create_app
from api.console.auth import COOKIE, _secret
from crm.models import Conversation, MessageRole, Role, Tenant, User
from crm.services.console_sessions import csrf_token, start_session
from crm.services.conversations import add_message
from crm.settings import Settings
from tests.channels.durable.conftest import drop_prefix, redis_test_url
from tests.conftest import NOW
from tests.factories import make_contact, make_demo
from tests.support.live_server import live_server

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


@pytest.fixture(params=["memory", "redis"])
def live_settings(request: pytest.FixtureRequest, settings: Settings) -> Iterator[Settings]:
    if request.param == "memory":
        yield settings
        return
    prefix = f"mostrador-test-console-{threading.get_ident()}"
    yield settings.model_copy(update={"redis_url": redis_test_url(), "queue_prefix": prefix})
    drop_prefix(redis_test_url(), prefix)


def _listen(url: str, cookie: str, lines: list[str], connected: threading.Event,
            stop: threading.Event) -> None:
    with httpx.stream("GET", url, cookies={COOKIE: cookie}, timeout=20) as stream:
        for line in stream.iter_lines():
            if line.startswith(": connected"):
                connected.set()
            lines.append(line)
            if stop.is_set():
                return


def test_a_staff_action_and_a_customer_message_reach_the_open_inbox(
        live_settings: Settings, engine: Engine, db: Session) -> None:
    demo: Tenant = make_demo(db)
    admin = User(tenant_id=demo.id, email="lucia@demo.test", name="Lucía", role=Role.admin)
    db.add(admin)
    db.commit()
    contact = make_contact(db, demo, name="Ana")
    conversation = Conversation(tenant_id=demo.id, contact_id=contact.id, channel="web",
                                external_id="live-session-0000000000000000")
    db.add(conversation)
    db.commit()
    token = start_session(db, user=admin, absolute=timedelta(days=1), source=None)
    db.commit()
    csrf = csrf_token(token, secret=_secret(live_settings))
    runtime = AgentRuntime(live_settings, engine, clock=lambda: NOW)
    with live_server(create_app(live_settings, runtime)) as base:
        lines: list[str] = []
        connected, stop = threading.Event(), threading.Event()
        reader = threading.Thread(target=_listen, daemon=True, args=(
            f"{base}/console/events", token, lines, connected, stop))
        reader.start()
        assert connected.wait(10)
        # A takeover moves no message: only the announcement can tell the page.
        taken = httpx.post(f"{base}/console/conversations/{conversation.id}/takeover",
                           data={"csrf_token": csrf}, cookies={COOKIE: token}, timeout=10)
        assert taken.status_code == 303
        _wait(lambda: "event: change" in lines, 1.2)  # sooner than the poll's 1.5 s
        lines.clear()
        # A customer's message, stored wherever it was handled (a worker, another process).
        add_message(db, conversation=conversation, role=MessageRole.user, text="¿Hola?")
        db.commit()
        _wait(lambda: "event: change" in lines, 6)  # the poll saw it
        stop.set()  # the reader stops at the next line: the hand-back's announcement
        httpx.post(f"{base}/console/conversations/{conversation.id}/release",
                   data={"csrf_token": csrf}, cookies={COOKIE: token}, timeout=10)
        reader.join(10)
        assert not reader.is_alive()


def _wait(check: object, seconds: float) -> None:
    import time

    deadline = time.monotonic() + seconds
    while not check():  # type: ignore[operator]
        assert time.monotonic() < deadline, "no change event in time"
        time.sleep(0.05)
