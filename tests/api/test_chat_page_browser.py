"""The chat page in a real browser (Debian's chromium through Playwright) on a live server."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from agent.llm import _openai
from agent.runtime import AgentRuntime
from api.app import create_app
from crm.models import Lead, Message, MessageRole
from crm.settings import Settings
from tests.conftest import NOW
from tests.factories import make_tenant
from tests.support.live_server import live_server
from tests.support.openai_stub import OpenAIStub, text, tool_call

pytestmark = [pytest.mark.browser, pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)]
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                  "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    path = os.environ.get("MOSTRADOR_TEST_CHROMIUM", "/usr/bin/chromium")
    if not os.path.exists(path):
        pytest.fail(f"no Chromium at {path}: run the suite with `make test`, which installs "
                    "Debian's chromium, or set MOSTRADOR_TEST_CHROMIUM")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=path, args=CHROMIUM_FLAGS)
        yield launched
        launched.close()


@pytest.fixture
def stub() -> Iterator[OpenAIStub]:
    server = OpenAIStub().start()
    yield server
    server.stop()


@pytest.fixture
def base_url(db_url: str, engine: Engine, stub: OpenAIStub) -> Iterator[str]:
    _openai.cache_clear()
    settings = Settings(env="test", database_url=db_url, llm="openai", openai_api_key="sk-test",
                        openai_base_url=stub.base_url, llm_max_retries=0)
    runtime = AgentRuntime(settings, engine, clock=lambda: NOW)
    with live_server(create_app(settings, runtime)) as url:
        yield url


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(locale="es-AR")
    yield context.new_page()
    context.close()


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
    expect(page.get_by_text("Clínica Prueba")).to_be_visible()
    _send(page, "hola")
    expect(page.locator(".msg.agent")).to_have_text(["¡Hola! ¿En qué te ayudo?"])
    _send(page, "soy Ana Ríos, 11 5555-0102")
    expect(page.locator(".msg.agent").nth(1)).to_have_text("Gracias Ana, ya te registré.")
    expect(page.locator(".msg.user")).to_have_count(2)
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
    expect(page.locator(".msg.agent")).to_have_text(
        '<img src=x onerror="document.body.dataset.pwned=1">hola')
    assert page.locator("img").count() == 0
    assert page.evaluate("document.body.dataset.pwned") is None
