"""A receptionist's day in the staff console, in a real browser on a live server (issue 14).

Debian's chromium through Playwright; the app under uvicorn with the offline model; WhatsApp
through the Graph stand-in (signed webhooks in, sends recorded). Every page is saved at
desktop (1280) and phone (390) width in artifacts/console-screenshots/ for a reviewer.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import date
from datetime import time as clock
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from agent.runtime import AgentRuntime
from api.app import create_app
from crm.models import (
    ChannelKind,
    Contact,
    Conversation,
    Lead,
    LeadSource,
    Message,
    MessageRole,
    Role,
    Service,
    User,
    utcnow,
)
from crm.services import booking
from crm.services.passwords import hash_password
from crm.settings import Settings
from tests.channels.conftest import APP_SECRET, NOW_TS, TEST_SECRET_KEY, WA_PHONE_ID, connect
from tests.channels.payloads import signed, wa_text
from tests.conftest import NOW
from tests.factories import make_contact, make_demo
from tests.support.browser import DESKTOP, PHONE
from tests.support.graph_standin import GraphStandIn
from tests.support.live_server import live_server

pytestmark = [pytest.mark.browser, pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)]

SHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "console-screenshots"
PASSWORD = "mostrador-de-prueba-2027"
CUSTOMER = "5491155550199"
MONDAY = date(2027, 3, 1)  # the console books against the real clock: well ahead
WAIT = 15_000  # ms: the inbox hears a change within POLL_SECONDS; the agent runs meanwhile


def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    width = page.viewport_size["width"] if page.viewport_size else 0
    suffix = "phone" if width <= PHONE["width"] else "desktop"
    page.screenshot(path=str(SHOTS / f"{name}-{suffix}.png"), full_page=True)


@pytest.fixture
def console_settings(db_url: str, graph: GraphStandIn) -> Settings:
    return Settings(env="test", database_url=db_url, llm="offline", openai_api_key=None,
                    secret_key=TEST_SECRET_KEY, graph_api_url=graph.url,
                    graph_backoff_seconds=0.001, meta_app_secret=None)


@pytest.fixture
def base(console_settings: Settings, engine: Engine) -> Iterator[str]:
    runtime = AgentRuntime(console_settings, engine, clock=lambda: NOW)
    with live_server(create_app(console_settings, runtime)) as url:
        yield url


@pytest.fixture
def day(db: Session, console_settings: Settings) -> dict[str, object]:
    """The business at the start of the day: staff, leads, a booked appointment, WhatsApp."""
    demo = make_demo(db)
    connect(db, console_settings, demo, ChannelKind.whatsapp, WA_PHONE_ID,
            template_name="seguimos_en_contacto", template_language="es_AR")
    people = {}
    for name, role in (("Lucía", Role.admin), ("Vera", Role.seller), ("Ramiro", Role.seller)):
        user = User(tenant_id=demo.id, email=f"{name.lower().replace('í', 'i')}@demo.test",
                    name=name, role=role, password_hash=hash_password(PASSWORD))
        db.add(user)
        people[name] = user
    db.commit()
    for contact_name, seller in (("Marta Gil", "Vera"), ("Pablo Sanz", "Ramiro")):
        contact = make_contact(db, demo, name=contact_name)
        db.add(Lead(tenant_id=demo.id, contact_id=contact.id, source=LeadSource.web,
                    assigned_to=people[seller].id))
    rosa = make_contact(db, demo, name="Rosa Aguirre", phone="+5491155550101")
    service = db.exec(select(Service).where(Service.tenant_id == demo.id,
                                            Service.name == "Consulta general")).one()
    booking.book(db, tenant=demo, contact=rosa, service_name=service.name, day=MONDAY,
                 at=clock(10, 0), now=utcnow(), require_contact_data=False)
    db.commit()
    return {"tenant": demo, "service": service, "rosa": rosa}


def sign_in(page: Page, base: str, email: str) -> None:
    page.goto(f"{base}/console/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Contraseña").fill(PASSWORD)
    page.get_by_role("button", name="Ingresar").click()
    expect(page).to_have_url(f"{base}/console/")


def both(page: Page, phone: Page, name: str) -> None:
    """Save the page as the desktop shows it, and the same address at phone width."""
    shot(page, name)
    if phone.url != page.url:
        phone.goto(page.url)
    shot(phone, name)


def whatsapp(base: str, wamid: str, text: str, at: int) -> None:
    raw, headers = signed(wa_text(WA_PHONE_ID, CUSTOMER, wamid, text, at), APP_SECRET)
    assert httpx.post(f"{base}/webhooks/meta", content=raw, headers=headers,
                      timeout=10).status_code == 200


def until(check: Callable[[], bool], seconds: float = 15) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "it did not happen in time"
        time.sleep(0.1)


def staff_sends(graph: GraphStandIn) -> list[str]:
    return [r.body["text"]["body"] for r in graph.sends()
            if r.body and r.body.get("type") == "text"]


def test_a_receptionists_day(base: str, day: dict[str, object], graph: GraphStandIn,
                             db: Session, new_page: Callable[..., Page]) -> None:
    page = new_page()
    phone = new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    page.goto(f"{base}/console/")  # no session: to the sign-in form
    expect(page.get_by_role("button", name="Ingresar")).to_be_visible()
    both(page, phone, "01-login")
    sign_in(page, base, "lucia@demo.test")
    sign_in(phone, base, "lucia@demo.test")
    expect(page.get_by_role("heading", name="Conversaciones")).to_be_visible()
    page.evaluate("window.stillTheSamePage = true")

    # A customer asks for a person on WhatsApp: it shows on top, without a reload.
    whatsapp(base, "wamid.d1", "Hola, quiero hablar con una persona", NOW_TS)
    top = page.locator(".inbox .row").first
    expect(top).to_contain_text("Pide una persona", timeout=WAIT)
    expect(top).to_contain_text("WhatsApp")
    assert page.evaluate("window.stillTheSamePage") is True
    expect(phone.locator(".inbox .row").first).to_contain_text("Pide una persona")
    until(lambda: len(graph.sends()) == 1)  # the agent told her a person will answer
    both(page, phone, "02-inbox")

    # She takes it over and replies: the reply reaches WhatsApp once.
    top.locator("a").click()
    page.get_by_role("button", name="Tomar la conversación").click()
    expect(page.get_by_text("La atiende Lucía.")).to_be_visible()
    page.get_by_label("Tu respuesta").fill("Hola, soy Lucía de la clínica. ¿En qué te ayudo?")
    page.get_by_role("button", name="Enviar").click()
    expect(page.get_by_role("status")).to_have_text("Respuesta enviada.")
    assert staff_sends(graph)[-1] == "Hola, soy Lucía de la clínica. ¿En qué te ayudo?"
    assert len(graph.sends()) == 2
    expect(page.locator(".msg-staff .delivery").last).to_have_text("enviado a Meta")

    # The customer writes again: it shows in the open conversation; the agent is silent.
    conversation_url = page.url.split("?")[0]
    page.evaluate("window.stillTheSamePage = true")
    whatsapp(base, "wamid.d2", "Quiero cambiar mi turno del lunes", NOW_TS + 60)
    expect(page.locator(".msg-user").last).to_contain_text("Quiero cambiar mi turno",
                                                           timeout=WAIT)
    assert page.evaluate("window.stillTheSamePage") is True
    time.sleep(1.5)  # were the agent going to answer, it would have by now
    assert len(graph.sends()) == 2
    both(page, phone, "03-conversation-held")

    # She hands it back: the agent answers the next message.
    page.get_by_role("button", name="Devolver al asistente").click()
    expect(page.get_by_text("Responde el asistente.")).to_be_visible()
    whatsapp(base, "wamid.d3", "¿Qué servicios tienen?", NOW_TS + 120)
    until(lambda: len(graph.sends()) == 3)
    db.commit()
    conversation = db.exec(select(Conversation)).one()
    roles = [m.role for m in db.exec(select(Message).where(
        Message.conversation_id == conversation.id).order_by(Message.id))]  # type: ignore[arg-type]
    assert roles.count(MessageRole.staff) == 1 and roles[-1] == MessageRole.assistant
    page.goto(conversation_url)
    both(page, phone, "04-conversation-handed-back")

    # A form posted without the CSRF token is refused.
    forged = page.request.post(f"{conversation_url}/takeover", form={"x": "1"},
                               max_redirects=0)
    assert forged.status == 403

    # She moves Rosa's Monday appointment; the old slot is free for a walk-in.
    page.goto(f"{base}/console/appointments?day={MONDAY}")
    expect(page.get_by_text("10:00–10:30")).to_be_visible()
    both(page, phone, "05-calendar-day")
    page.locator(".appt summary").first.click()
    page.get_by_label("Nueva hora").fill("11:00")
    page.get_by_role("button", name="Mover turno").click()
    expect(page.get_by_role("status")).to_contain_text("Turno movido")
    expect(page.get_by_text("11:00–11:30")).to_be_visible()
    page.get_by_label("Servicio").select_option(label="Consulta general (30 min)")
    page.get_by_label("Fecha", exact=True).fill(str(MONDAY))
    page.get_by_label("Hora", exact=True).fill("10:00")
    page.locator("#bk-name").fill("Sofía Paz")
    page.locator("#bk-phone").fill("11 5555-0133")
    page.get_by_role("button", name="Reservar").click()
    expect(page.get_by_role("status")).to_have_text("Turno reservado.")
    expect(page.get_by_text("10:00–10:30")).to_be_visible()
    page.get_by_role("link", name="Semana").click()
    both(page, phone, "06-calendar-week")
    taken = page.get_by_label("Hora", exact=True)
    page.get_by_label("Servicio").select_option(label="Consulta general (30 min)")
    page.get_by_label("Fecha", exact=True).fill(str(MONDAY))
    taken.fill("10:15")
    page.locator("#bk-q").fill("Rosa")
    page.get_by_role("button", name="Reservar").click()
    expect(page.locator("#book-error")).to_contain_text("ya está ocupado")
    shot(page, "07-calendar-taken-slot")

    page.goto(f"{base}/console/leads")
    expect(page.locator(".stage-nuevo .count")).not_to_have_text("0")
    both(page, phone, "08-leads")
    page.get_by_role("link", name="Marta Gil").click()
    page.get_by_label("Etapa").select_option(label="Contactado")
    page.get_by_role("button", name="Guardar").click()
    expect(page.get_by_role("status")).to_have_text("Cambios guardados.")
    both(page, phone, "08-lead")
    rosa = day["rosa"]
    assert isinstance(rosa, Contact)
    page.goto(f"{base}/console/contacts/{rosa.id}")
    expect(page.get_by_role("heading", name="Rosa Aguirre")).to_be_visible()
    both(page, phone, "09-contact")

    # A seller sees only her own leads.
    seller = new_page()
    sign_in(seller, base, "vera@demo.test")
    seller.goto(f"{base}/console/leads")
    expect(seller.locator(".lead .name")).to_have_text(["Marta Gil"])
    shot(seller, "10-leads-seller")

    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert DESKTOP["width"] == 1280
