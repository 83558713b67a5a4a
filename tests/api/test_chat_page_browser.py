"""The full-page chat (`/chat/{slug}`: the widget open on a page of its own) in a real
browser (Debian's chromium through Playwright) on a live server, its model scripted."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from playwright.sync_api import Page, Route, expect
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from agent.llm import _openai
from agent.runtime import AgentRuntime
from api.app import create_app
from api.chat_limits import ChatLimiter
from crm.models import Lead, Message, MessageRole
from crm.settings import Settings
from tests.conftest import NOW
from tests.factories import make_tenant
from tests.support.browser import PHONE, screenshot
from tests.support.live_server import live_server
from tests.support.openai_stub import OpenAIStub, delay, text, tool_call

pytestmark = [pytest.mark.browser, pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)]
GREETING = "¡Hola! ¿En qué te puedo ayudar?"  # AgentConfig's default


def app_settings(db_url: str, stub: OpenAIStub) -> Settings:
    return Settings(env="test", database_url=db_url, llm="openai", openai_api_key="sk-test",
                    openai_base_url=stub.base_url, llm_max_retries=0)


@pytest.fixture
def base_url(db_url: str, engine: Engine, stub: OpenAIStub) -> Iterator[str]:
    _openai.cache_clear()
    settings = app_settings(db_url, stub)
    runtime = AgentRuntime(settings, engine, clock=lambda: NOW)
    with live_server(create_app(settings, runtime)) as url:
        yield url


def _send(page: Page, message: str) -> None:
    page.get_by_label("Mensaje").fill(message)
    page.get_by_role("button", name="Enviar").click()


def test_a_person_chats_and_utm_of_the_url_lands_on_the_lead(
    page: Page, base_url: str, stub: OpenAIStub, db: Session
) -> None:
    tenant = make_tenant(db, name="Clínica Prueba")
    stub.push(text("¡Hola! ¿En qué te ayudo?"),
              tool_call("save_contact_details", {"name": "Ana Ríos", "phone": "11 5555-0102"}),
              text("Gracias Ana, ya te registré."))
    page.goto(f"{base_url}/chat/{tenant.slug}?utm_source=google&utm_campaign=promo-nov")
    # The page is the panel, open: no launcher, nothing to close it with.
    expect(page.get_by_role("heading", name="Clínica Prueba")).to_be_visible()
    expect(page.locator(".msg.greeting")).to_have_text(GREETING)
    expect(page.get_by_role("button", name="Abrir chat")).to_have_count(0)
    expect(page.get_by_role("button", name="Cerrar chat")).to_have_count(0)
    expect(page.get_by_label("Mensaje")).to_be_focused()
    _send(page, "hola")
    expect(page.locator(".msg.agent")).to_have_text([GREETING, "¡Hola! ¿En qué te ayudo?"])
    _send(page, "soy Ana Ríos, 11 5555-0102")
    expect(page.locator(".msg.agent").nth(2)).to_have_text("Gracias Ana, ya te registré.")
    expect(page.locator(".msg.user")).to_have_count(2)
    screenshot(page, "chat-page-desktop")
    lead = db.exec(select(Lead)).one()
    assert (lead.utm_source, lead.utm_campaign) == ("google", "promo-nov")
    # Both messages went to one conversation: the page keeps its session id.
    users = db.exec(select(Message).where(Message.role == MessageRole.user)).all()
    assert len({m.conversation_id for m in users}) == 1


def test_replies_are_shown_as_text_never_as_html(
    page: Page, base_url: str, stub: OpenAIStub, db: Session
) -> None:
    tenant = make_tenant(db)
    stub.push(text('<img src=x onerror="document.body.dataset.pwned=1">hola'))
    page.goto(f"{base_url}/chat/{tenant.slug}")
    _send(page, "hola")
    expect(page.locator(".msg.agent").last).to_have_text(
        '<img src=x onerror="document.body.dataset.pwned=1">hola')
    assert page.locator("img").count() == 0
    assert page.evaluate("document.body.dataset.pwned") is None
    # Restored history is text too.
    page.reload()
    expect(page.locator(".msg.agent").last).to_have_text(
        '<img src=x onerror="document.body.dataset.pwned=1">hola')
    assert page.locator("img").count() == 0
    assert page.evaluate("document.body.dataset.pwned") is None


def test_the_typing_dots_show_while_a_reply_is_pending(
    page: Page, base_url: str, stub: OpenAIStub, db: Session
) -> None:
    tenant = make_tenant(db)
    stub.push(delay(1.5, text("Tenemos turnos el miércoles.")))
    page.goto(f"{base_url}/chat/{tenant.slug}")
    typing = page.get_by_role("status", name="escribiendo…")
    expect(typing).to_be_hidden()
    _send(page, "¿Tienen turnos esta semana?")
    expect(typing).to_be_visible()  # the model holds its answer for 1.5 s
    screenshot(page, "chat-page-typing-desktop")
    expect(page.locator(".msg.agent").last).to_have_text("Tenemos turnos el miércoles.")
    expect(typing).to_be_hidden()


def test_the_page_fills_a_phone_screen(
    new_page: Callable[..., Page], base_url: str, stub: OpenAIStub, db: Session
) -> None:
    tenant = make_tenant(db, name="Clínica Prueba")
    stub.push(text("¡Hola! Tenemos consulta general, limpieza y blanqueamiento."))
    page = new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    page.goto(f"{base_url}/chat/{tenant.slug}")
    _send(page, "Hola, ¿qué servicios tienen?")
    expect(page.locator(".msg.agent")).to_have_count(2)
    panel = page.locator(".panel")
    assert panel.bounding_box() == {"x": 0, "y": 0, **PHONE}
    screenshot(page, "chat-page-phone")


def test_too_many_messages_say_how_long_to_wait_and_keep_the_text(
    new_page: Callable[..., Page], db_url: str, engine: Engine, stub: OpenAIStub, db: Session
) -> None:
    _openai.cache_clear()
    settings = app_settings(db_url, stub)
    app = create_app(settings, AgentRuntime(settings, engine, clock=lambda: NOW))
    # One message a minute, on a clock stopped at the start of a window: 60 s to wait.
    app.state.chat_limiter = ChatLimiter(secret=b"test", per_ip_per_minute=0,
                                         messages_per_session_per_minute=1,
                                         sessions_per_ip_per_hour=0, clock=lambda: 6000.0)
    tenant = make_tenant(db)
    stub.push(text("¡Hola!"))
    with live_server(app) as url:
        page = new_page()
        page.goto(f"{url}/chat/{tenant.slug}")
        _send(page, "hola")
        expect(page.locator(".msg.agent")).to_have_count(2)
        _send(page, "¿me escuchás?")
        expect(page.get_by_role("alert")).to_have_text(
            "Enviaste muchos mensajes seguidos. Esperá 60 segundos y probá de nuevo.")
        expect(page.get_by_label("Mensaje")).to_have_value("¿me escuchás?")
        expect(page.locator(".msg.user")).to_have_count(1)
        screenshot(page, "chat-page-rate-limited-desktop")
    assert len(db.exec(select(Message).where(Message.role == MessageRole.user)).all()) == 1


def test_a_message_that_fails_to_send_stays_in_the_box_to_retry(
    page: Page, base_url: str, stub: OpenAIStub, db: Session
) -> None:
    tenant = make_tenant(db)
    stub.push(text("¡Hola! Sí, te leo."))
    page.goto(f"{base_url}/chat/{tenant.slug}")
    expect(page.locator(".msg.greeting")).to_be_visible()

    def cut(route: Route) -> None:  # the connection drops before the server answers
        if route.request.method == "POST":
            route.abort("connectionreset")
        else:
            route.continue_()

    page.route("**/messages", cut)
    _send(page, "¿me leen?")
    expect(page.get_by_role("alert")).to_have_text(
        "No pudimos enviar el mensaje. Probá de nuevo.")
    expect(page.get_by_label("Mensaje")).to_have_value("¿me leen?")
    expect(page.locator(".msg.user")).to_have_count(0)
    screenshot(page, "chat-page-send-failed-desktop")
    page.unroute("**/messages")
    page.get_by_role("button", name="Enviar").click()
    expect(page.locator(".msg.agent").last).to_have_text("¡Hola! Sí, te leo.")
    expect(page.locator(".msg.user")).to_have_text(["¿me leen?"])
    expect(page.get_by_role("alert")).to_have_count(0)
    expect(page.get_by_label("Mensaje")).to_have_value("")
