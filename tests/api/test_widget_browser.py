"""The embeddable chat widget (`/widget.js`) on a business's own site, in a real browser.

The host pages are served from another origin than Mostrador (a second HTTP server), as a
business's site is. One of them styles everything aggressively: neither side's CSS may
reach the other. The agent is the offline model with the pinned clock of tests.conftest.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from agent.runtime import AgentRuntime
from api.app import create_app
from channels.context import ChannelContext
from channels.durable.consumer import Worker
from channels.durable.streams import Queue
from crm.models import Appointment, Contact, Message, Tenant
from crm.seed import seed_demo
from crm.settings import Settings
from tests.channels.durable.conftest import drop_prefix, redis_test_url
from tests.conftest import NOW
from tests.factories import make_tenant
from tests.support.browser import PHONE, screenshot, web_site
from tests.support.live_server import live_server

pytestmark = [pytest.mark.browser, pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)]

PAGE = """<!doctype html>
<html lang="es"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Clínica Dental Sonrisas</title>
<style>{css}</style></head>
<body>{body}
<script src="{mostrador}/widget.js" data-business="{slug}" async></script>
</body></html>
"""
# A business's plain site: the widget over it is what the README shows.
PLAIN_CSS = """
  body { margin: 0; font: 17px/1.55 Georgia, serif; color: #37352f; background: #fbf8f3; }
  header { padding: 18px 32px; background: #fff; border-bottom: 1px solid #e7e1d6;
           font-weight: bold; font-size: 20px; color: #0f3d3a; }
  main { max-width: 640px; padding: 28px 32px; }
  h1 { margin: 0 0 12px; font-size: 34px; color: #0f3d3a; }
"""
PLAIN_BODY = """<header>Clínica Dental Sonrisas</header>
<main><h1>Tu sonrisa, en buenas manos</h1>
<p>Consultas, limpiezas y blanqueamientos en el centro de Buenos Aires.</p>
<p>Pedí tu turno por el chat, de lunes a sábado.</p>
<ul><li>Consulta general</li><li>Limpieza dental</li><li>Blanqueamiento</li></ul></main>"""
# A hostile site: global !important rules the widget must not inherit, rules on the
# widget's own class names, and elements whose styles the widget must not change
# (measured by an inline script, which runs before the async widget).
HOSTILE_CSS = """
  * { font-size: 40px !important; color: red !important; font-family: serif !important; }
  button { display: none; }
  .msg, .panel, .launcher, .log, mostrador-chat * { display: none !important; }
  body { margin: 0; background: #fffbea; }
"""
HOSTILE_BODY = """<header id="own-header">Clínica Dental Sonrisas</header>
<p id="own-text">Turnos de lunes a sábado.</p>
<form id="own-form"><input id="own-input" value="buscar"><button>Buscar</button></form>
<script>
  window.ownStyles = function () {
    return ["own-header", "own-text", "own-form", "own-input"].map(function (id) {
      var s = getComputedStyle(document.getElementById(id));
      return [id, s.fontSize, s.color, s.fontFamily, s.display, s.background, s.padding,
              s.borderRadius, s.boxSizing, s.width];
    });
  };
  window.stylesBefore = window.ownStyles();
</script>"""
GREETING = "¡Hola! Soy el asistente de Clínica Dental Sonrisas. ¿En qué te ayudo?"


def host_page(mostrador: str, slug: str = "demo", *, hostile: bool = False) -> str:
    css, body = (HOSTILE_CSS, HOSTILE_BODY) if hostile else (PLAIN_CSS, PLAIN_BODY)
    return PAGE.format(css=css, body=body, mostrador=mostrador, slug=slug)


@pytest.fixture
def demo(db: Session) -> Tenant:
    tenant = seed_demo(db)  # widget_origins: http://127.0.0.1:* and http://localhost:*
    db.commit()
    return tenant


@pytest.fixture
def runtime(settings: Settings, engine: Engine) -> AgentRuntime:
    return AgentRuntime(settings, engine, clock=lambda: NOW)


@pytest.fixture
def mostrador(settings: Settings, runtime: AgentRuntime) -> Iterator[str]:
    """Mostrador's base URL: the app on a live server, the offline model answering."""
    with live_server(create_app(settings, runtime)) as url:
        yield url


def send(page: Page, text: str, *, enter: bool = False) -> None:
    page.get_by_label("Mensaje").fill(text)
    if enter:
        page.get_by_label("Mensaje").press("Enter")
    else:
        page.get_by_role("button", name="Enviar").click()


def test_embedded_widget_books_an_appointment_and_restores_history_after_reload(
    page: Page, mostrador: str, demo: Tenant, db: Session
) -> None:
    with web_site(host_page(mostrador)) as site:
        page.goto(site)
        launcher = page.get_by_role("button", name="Abrir chat")
        expect(launcher).to_be_visible()
        launcher.click()

        # Before any message: the notice and its link first, then the greeting, no more.
        notice = page.locator(".notice")
        expect(notice).to_have_text("Estás hablando con un asistente virtual. "
                                    "Aviso de privacidad")
        link = page.get_by_role("link", name="Aviso de privacidad")
        expect(link).to_have_attribute("href", f"{mostrador}/privacy/demo")
        expect(link).to_have_attribute("target", "_blank")
        expect(link).to_have_attribute("rel", "noopener")
        expect(page.locator(".msg")).to_have_text([GREETING])
        expect(page.locator(".log > .notice:first-child + .msg.greeting")).to_be_visible()
        expect(page.get_by_role("dialog", name="Clínica Dental Sonrisas")).to_be_visible()
        expect(page.get_by_label("Mensaje")).to_be_focused()

        send(page, "Hola, quiero un turno de consulta general para el miércoles a las 10",
             enter=True)
        expect(page.locator(".msg.agent").last).to_have_text(
            "¡Hola! ¿A nombre de quién hago la reserva?")
        send(page, "Soy Ana Ríos")
        expect(page.locator(".msg.agent").last).to_contain_text("¿Me pasás un teléfono")
        send(page, "11 5555-0102")
        expect(page.locator(".msg.agent").last).to_have_text(
            "¡Listo, Ana! Te reservé Consulta general el miércoles 25/11 a las 10:00. "
            "¡Te esperamos!")
        expect(page.locator(".typing")).to_be_hidden()
        screenshot(page, "widget-desktop")

        [appointment] = db.exec(select(Appointment)).all()
        assert appointment.start_at.astimezone(UTC) == datetime(2026, 11, 25, 13, 0,
                                                                 tzinfo=UTC)
        conversation_texts = page.locator(".msg").all_inner_texts()
        assert len(conversation_texts) == 7  # greeting + three messages + three replies

        page.reload()
        page.get_by_role("button", name="Abrir chat").click()
        expect(page.locator(".msg")).to_have_text(conversation_texts)
        expect(page.locator(".msg.user")).to_have_count(3)
        screenshot(page, "widget-restored-desktop")


def test_the_host_page_css_and_the_widget_css_do_not_reach_each_other(
    page: Page, mostrador: str, demo: Tenant
) -> None:
    with web_site(host_page(mostrador, hostile=True)) as site:
        page.goto(site)
        launcher = page.get_by_role("button", name="Abrir chat")
        expect(launcher).to_be_visible()  # the page hides buttons and `.launcher`
        launcher.click()
        send(page, "Hola, ¿qué servicios tienen?")
        expect(page.locator(".msg.agent")).to_have_count(2)
        screenshot(page, "widget-hostile-page-desktop")
        # The page's own elements kept their styles (the widget's `header`, `form`,
        # `input` and `button` rules stay in its shadow root) ...
        assert page.evaluate("window.ownStyles()") == page.evaluate("window.stylesBefore")
        assert page.locator("#own-text").evaluate("e => getComputedStyle(e).color") \
            == "rgb(255, 0, 0)"
        # ... and the widget kept its own: no inherited size, colour or font.
        bubble = page.locator(".msg.agent").first
        style = bubble.evaluate("e => { const s = getComputedStyle(e);"
                                " return [s.fontSize, s.color, s.fontFamily, s.display]; }")
        assert style[:2] == ["15px", "rgb(31, 41, 51)"]
        assert style[2].startswith("system-ui") and style[3] == "block"
        expect(page.get_by_role("button", name="Enviar")).to_be_visible()
        expect(page.get_by_label("Mensaje")).to_have_css("font-size", "15px")


def test_a_site_the_business_does_not_allow_is_told_so_and_stores_nothing(
    page: Page, mostrador: str, db: Session
) -> None:
    tenant = make_tenant(db, widget_origins=["https://shop.example"])
    with web_site(host_page(mostrador, tenant.slug)) as site:
        page.goto(site)
        page.get_by_role("button", name="Abrir chat").click()
        expect(page.get_by_role("alert")).to_have_text(
            "Este sitio no puede usar el chat de este negocio.")
        expect(page.get_by_label("Mensaje")).to_be_disabled()
        expect(page.get_by_role("button", name="Enviar")).to_be_disabled()
        expect(page.locator(".msg")).to_have_count(0)
        screenshot(page, "widget-not-allowed-desktop")
        # Nor can the page post around the widget: the browser is refused before the route.
        refused = page.evaluate("""async ([url, session]) => {
            try {
                await fetch(url, {method: "POST", headers: {"Content-Type": "application/json"},
                                  body: JSON.stringify({session_id: session, text: "hola"})});
                return false;
            } catch (e) { return true; }
        }""", [f"{mostrador}/v1/chat/{tenant.slug}/messages", uuid.uuid4().hex])
    assert refused
    assert db.exec(select(Message)).all() == []
    assert db.exec(select(Contact)).all() == []


def test_an_english_browser_gets_the_widget_in_english(
    new_page: Callable[..., Page], mostrador: str, demo: Tenant
) -> None:
    page = new_page(locale="en-US")
    with web_site(host_page(mostrador)) as site:
        page.goto(site)
        page.get_by_role("button", name="Open chat").click()
        expect(page.locator(".notice")).to_have_text(
            "You are talking to a virtual assistant. Privacy notice")
        expect(page.get_by_role("link", name="Privacy notice")).to_be_visible()
        expect(page.get_by_label("Message")).to_be_focused()
        expect(page.get_by_role("button", name="Close chat")).to_be_visible()
        page.get_by_label("Message").fill("Hi, what services do you offer?")
        page.get_by_role("button", name="Send").click()
        expect(page.locator(".msg.agent")).to_have_count(2)
        screenshot(page, "widget-english-desktop")
        page.keyboard.press("Escape")  # Escape closes; focus returns to the launcher
        expect(page.get_by_role("dialog")).to_be_hidden()
        expect(page.get_by_role("button", name="Open chat")).to_be_focused()


def test_at_phone_width_the_open_panel_fills_the_screen(
    new_page: Callable[..., Page], mostrador: str, demo: Tenant
) -> None:
    page = new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    with web_site(host_page(mostrador)) as site:
        page.goto(site)
        launcher = page.get_by_role("button", name="Abrir chat")
        screenshot(page, "widget-closed-phone")
        box = launcher.bounding_box()
        assert box is not None and box["x"] + box["width"] <= PHONE["width"]
        launcher.tap()
        dialog = page.get_by_role("dialog", name="Clínica Dental Sonrisas")
        expect(dialog).to_be_visible()
        assert dialog.bounding_box() == {"x": 0, "y": 0, **PHONE}
        expect(launcher).to_be_hidden()  # under the panel, it would catch taps
        send(page, "Hola, quiero un turno de consulta general para el miércoles a las 10")
        expect(page.locator(".msg.agent")).to_have_count(2)
        send(page, "Soy Ana Ríos")
        expect(page.locator(".msg.agent")).to_have_count(3)
        screenshot(page, "widget-phone")
        page.get_by_role("button", name="Cerrar chat").tap()
        expect(launcher).to_be_visible()


@pytest.fixture
def queued(settings: Settings) -> Iterator[Settings]:
    """Settings of the durable queue on the test Redis, under a prefix of this test's own;
    the POST waits 0.2 s for a reply, then answers 202."""
    url, prefix = redis_test_url(), f"mostrador-test-{uuid.uuid4().hex[:12]}"
    yield settings.model_copy(update={
        "redis_url": url, "queue_prefix": prefix, "queue_shards": 2, "debounce_seconds": 0.0,
        "chat_reply_timeout_seconds": 0.2})
    drop_prefix(url, prefix)


def test_a_queued_reply_comes_by_server_sent_events_with_the_typing_dots_meanwhile(
    page: Page, queued: Settings, engine: Engine, demo: Tenant
) -> None:
    runtime = AgentRuntime(queued, engine, clock=lambda: NOW)
    app = create_app(queued, runtime)
    app.state.queue.ensure_groups()
    with live_server(app) as mostrador, web_site(host_page(mostrador)) as site:
        page.goto(site)
        page.get_by_role("button", name="Abrir chat").click()
        expect(page.locator(".msg.greeting")).to_be_visible()
        with page.expect_response(lambda r: r.url.endswith("/v1/chat/demo/messages")
                                  and r.request.method == "POST") as posted:
            send(page, "Hola, ¿qué servicios tienen?")
        assert posted.value.status == 202  # no worker yet: the reply will be pushed
        typing = page.get_by_role("status", name="escribiendo…")
        expect(typing).to_be_visible()
        screenshot(page, "widget-typing-desktop")
        worker = Worker(ChannelContext.build(queued, engine, runtime),
                        Queue.from_settings(queued), concurrency=1)
        worker.start()
        try:
            expect(page.locator(".msg.agent")).to_have_count(2)
            expect(typing).to_be_hidden()
        finally:
            worker.stop(10)
            worker.ctx.graph.close()
            worker.queue.close()
        assert page.locator(".msg.agent").last.inner_text().strip()
