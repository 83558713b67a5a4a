"""Benchmark the staff console's pages on a full business: p95 per page against 200 ms, and
the dashboard (`/console/dashboard`, `GET /v1/metrics/summary`) against 300 ms.

Seeds one business (the demo one) with 10,000 contacts, each with a conversation (100,000
messages in all, tool calls among them; one conversation in 20 waiting for a person),
5,000 leads (every other contact), 20,000 appointments (16 a day ahead; booked over the
last 60 days, half by the agent), an admin and two sellers (each holding a third of the
leads). Then serves the app with uvicorn on 127.0.0.1 and
requests every page of the console in turn, signed in as the admin and as a seller:
`--requests` timed requests per page after `--warmup` untimed ones, one at a time (the
latency of a page, not the throughput of the server). Every page view also writes its
audit event, as in production.

    .venv/bin/python bench/console.py [--database-url URL] [--requests 60]

The database is a fresh SQLite file in a temporary directory unless `--database-url`
names an empty PostgreSQL database (its tables are created; it is left filled).
Prints p50, p95 and max per page beside its target (200 ms, issue 14; 300 ms for the
dashboard, issue 17). Exit status: 0 when every page's p95 is under its target, 1
otherwise. Takes about a minute.
"""

from __future__ import annotations

import argparse
import random
import socket
import statistics
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import uvicorn
from sqlalchemy import insert, text
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from agent.runtime import AgentRuntime  # noqa: E402
from api.app import create_app  # noqa: E402
from api.console.auth import COOKIE  # noqa: E402
from crm.db import get_engine, init_db  # noqa: E402
from crm.models import (  # noqa: E402
    HOLD_MINUTES,
    Appointment,
    Contact,
    Conversation,
    Lead,
    Message,
    Role,
    Service,
    SlotHold,
    User,
)
from crm.seed import seed_demo  # noqa: E402
from crm.services.console_sessions import start_session  # noqa: E402
from crm.services.tokens import issue_token  # noqa: E402
from crm.settings import Settings  # noqa: E402

FLOOR_MS = 200.0
DASHBOARD_MS = 300.0
CONVERSATIONS = 10_000
MESSAGES_PER_CONVERSATION = 10
APPOINTMENTS = 20_000
PER_DAY = 16
CHANNELS = ("whatsapp", "web", "instagram", "messenger")
STAGES = ("nuevo", "contactado", "calificado", "propuesta", "ganado", "perdido")


def _id() -> str:
    return uuid.uuid4().hex


def seed(engine: Engine) -> dict[str, str]:
    """The business and its volume; returns ids the pages need."""
    rng = random.Random(14)
    now = datetime.now(UTC)
    with Session(engine) as db:
        tenant = seed_demo(db)
        db.commit()
        users = [User(tenant_id=tenant.id, email=f"{name}@bench.test", name=name.title(),
                      role=role) for name, role in (("admin", Role.admin),
                                                    ("vera", Role.seller),
                                                    ("ramiro", Role.seller))]
        db.add_all(users)
        db.commit()
        admin, vera, ramiro = (u.id for u in users)
        service = db.exec(select(Service).where(Service.tenant_id == tenant.id,
                                                Service.duration_minutes == 30)).first()
        assert service is not None
        service_id, tenant_id = service.id, tenant.id
        ids = {"tenant": tenant_id, "admin": admin, "seller": vera}
    contacts, leads, conversations, messages = [], [], [], []
    for n in range(CONVERSATIONS):
        contact_id, conversation_id = _id(), _id()
        seller = (vera, ramiro, None)[n % 3]
        started = now - timedelta(minutes=n * 7 + rng.randint(0, 6))
        contacts.append({"id": contact_id, "tenant_id": tenant_id, "name": f"Cliente {n:05d}",
                         "phone": f"+549115{n:07d}", "email": None, "phone_verified": True,
                         "email_verified": False, "created_at": started,
                         "updated_at": started})
        if n % 2:  # 5,000 leads
            leads.append({"id": _id(), "tenant_id": tenant_id, "contact_id": contact_id,
                          "source": CHANNELS[n % 4] if n % 4 else "whatsapp",
                          "stage": STAGES[n % 6], "assigned_to": seller,
                          "temperature": ("frio", "tibio", "caliente")[n % 3],
                          "utm_campaign": ("verano", "otoño", None)[n % 3],
                          "created_at": started, "updated_at": started})
        waiting = n % 20 == 0
        conversations.append({
            "id": conversation_id, "tenant_id": tenant_id, "contact_id": contact_id,
            "channel": CHANNELS[n % 4], "external_id": f"bench-{n}", "status": "abierta",
            "needs_human": waiting,
            "human_reason": "El cliente pidió hablar con una persona." if waiting else None,
            "created_at": started, "last_message_at": started + timedelta(minutes=9),
            "last_inbound_at": started + timedelta(minutes=8)})
        for m in range(MESSAGES_PER_CONVERSATION):
            at = started + timedelta(minutes=m)
            role = ("user", "assistant", "tool", "assistant")[m % 4] if m < 4 else \
                ("user", "assistant")[m % 2]
            messages.append({
                "conversation_id": conversation_id, "role": role, "created_at": at,
                "text": "" if (m == 1) else f"Mensaje {m} de la conversación {n}",
                "tool_calls": [{"id": f"c{n}", "name": "list_services", "args": {}}]
                if m == 1 else None,
                "tool_call_id": f"c{n}" if role == "tool" else None,
                "tool_name": "list_services" if role == "tool" else None})
    appointments, holds = [], []
    first = (now + timedelta(days=1)).replace(hour=12, minute=0, second=0, microsecond=0)
    for n in range(APPOINTMENTS):  # 16 a day, 09:00 to 17:00 in Buenos Aires
        start = first + timedelta(days=n // PER_DAY, minutes=(n % PER_DAY) * 30)
        appointment_id = _id()
        booked = now - timedelta(minutes=n * 4)  # over the last 60 days
        owner = n % CONVERSATIONS
        appointments.append({"id": appointment_id, "tenant_id": tenant_id,
                             "contact_id": contacts[owner]["id"], "service_id": service_id,
                             "conversation_id": conversations[owner]["id"] if n % 2 else None,
                             "start_at": start, "end_at": start + timedelta(minutes=30),
                             "status": "confirmada", "created_at": booked,
                             "updated_at": booked})
        holds += [{"tenant_id": tenant_id, "appointment_id": appointment_id,
                   "slot_start": start + timedelta(minutes=m)}
                  for m in range(0, 30, HOLD_MINUTES)]
    with engine.begin() as conn:
        for model, rows in ((Contact, contacts), (Lead, leads),
                            (Conversation, conversations), (Message, messages),
                            (Appointment, appointments), (SlotHold, holds)):
            for chunk in range(0, len(rows), 5_000):
                conn.execute(insert(model), rows[chunk:chunk + 5_000])  # type: ignore[arg-type]
    with engine.begin() as conn:  # statistics, as a database in use has them
        conn.execute(text("ANALYZE"))
    ids["conversation"] = conversations[0]["id"]
    ids["seller_conversation"] = conversations[3]["id"]  # n=3: Vera's
    ids["contact"] = contacts[0]["id"]
    ids["day"] = first.date().isoformat()
    return ids


@dataclass
class Server:
    url: str
    server: uvicorn.Server
    thread: threading.Thread

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def serve(settings: Settings, engine: Engine) -> Server:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    app = create_app(settings, AgentRuntime(settings, engine))
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port,
                                           log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            if httpx.get(f"{url}/healthz", timeout=0.5).status_code == 200:
                return Server(url, server, thread)
        except httpx.HTTPError:
            time.sleep(0.05)
    raise RuntimeError("the server did not start")


def signed_in(engine: Engine, user_id: str, base: str) -> httpx.Client:
    with Session(engine) as db:
        user = db.get(User, user_id)
        assert user is not None
        token = start_session(db, user=user, absolute=timedelta(days=1), source=None)
        db.commit()
    return httpx.Client(base_url=base, cookies={COOKIE: token}, timeout=30,
                        follow_redirects=False)


def with_token(engine: Engine, user_id: str, base: str) -> httpx.Client:
    """A client of the JSON API with a bearer token of `user_id`."""
    with Session(engine) as db:
        user = db.get(User, user_id)
        assert user is not None
        token = issue_token(db, user=user)
        db.commit()
    return httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"},
                        timeout=30)


def measure(client: httpx.Client, path: str, *, requests: int, warmup: int) -> list[float]:
    timings = []
    for n in range(warmup + requests):
        began = time.perf_counter()
        response = client.get(path)
        took = (time.perf_counter() - began) * 1000
        if response.status_code != 200:
            raise RuntimeError(f"{path}: HTTP {response.status_code}")
        if n >= warmup:
            timings.append(took)
    return timings


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="an empty PostgreSQL database (default: a "
                                               "fresh SQLite file)")
    parser.add_argument("--requests", type=int, default=60)
    parser.add_argument("--warmup", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="mostrador-console-bench-") as tmp:
        url = args.database_url or f"sqlite:///{tmp}/console.db"
        settings = Settings(env="development", database_url=url, llm="offline",
                            erasure_ledger_url=f"sqlite:///{tmp}/erasures.db",
                            log_level="WARNING")
        engine = get_engine(url)
        init_db(engine)
        began = time.perf_counter()
        ids = seed(engine)
        print(f"seeded {CONVERSATIONS:,} conversations, "
              f"{CONVERSATIONS * MESSAGES_PER_CONVERSATION:,} messages, "
              f"{CONVERSATIONS // 2:,} leads, {APPOINTMENTS:,} appointments on "
              f"{engine.dialect.name} in {time.perf_counter() - began:.1f} s")
        server = serve(settings, engine)
        try:
            admin = signed_in(engine, ids["admin"], server.url)
            seller = signed_in(engine, ids["seller"], server.url)
            admin_api = with_token(engine, ids["admin"], server.url)
            seller_api = with_token(engine, ids["seller"], server.url)
            pages = [
                ("admin", admin, "/console/"),
                ("admin", admin, "/console/inbox/list"),
                ("admin", admin, f"/console/conversations/{ids['conversation']}"),
                ("admin", admin, f"/console/conversations/{ids['conversation']}/live"),
                ("admin", admin, f"/console/appointments?day={ids['day']}"),
                ("admin", admin, f"/console/appointments?view=week&day={ids['day']}"),
                ("admin", admin, "/console/leads"),
                ("admin", admin, "/console/leads?q=Cliente%2001"),
                ("admin", admin, f"/console/contacts/{ids['contact']}"),
                ("seller", seller, "/console/"),
                ("seller", seller, f"/console/conversations/{ids['seller_conversation']}"),
                ("seller", seller, "/console/leads"),
                ("seller", seller, f"/console/appointments?view=week&day={ids['day']}"),
                ("admin", admin, "/console/dashboard?range=7"),
                ("admin", admin, "/console/dashboard?range=30"),
                ("admin", admin, f"/console/dashboard?range=30&seller={ids['seller']}"),
                ("seller", seller, "/console/dashboard?range=30"),
                ("admin", admin_api, "/v1/metrics/summary"),
                ("seller", seller_api, "/v1/metrics/summary"),
            ]
            print(f"\n{'who':<7} {'page':<58} {'p50':>7} {'p95':>7} {'max':>7}  target")
            slow = 0
            for who, client, path in pages:
                timings = measure(client, path, requests=args.requests, warmup=args.warmup)
                p95 = statistics.quantiles(timings, n=20)[18]
                target = DASHBOARD_MS if "dashboard" in path or "metrics" in path \
                    else FLOOR_MS
                verdict = "ok" if p95 < target else "OVER"
                slow += p95 >= target
                shown = path if len(path) <= 58 else path[:55] + "..."
                print(f"{who:<7} {shown:<58} {statistics.median(timings):>7.1f} "
                      f"{p95:>7.1f} {max(timings):>7.1f}  {target:.0f} {verdict}")
        finally:
            server.stop()
            engine.dispose()
    print(f"\n{'every page under' if not slow else f'{slow} page(s) over'} its p95 "
          f"target ({args.requests} requests each)")
    return 0 if not slow else 1


if __name__ == "__main__":
    sys.exit(main())
