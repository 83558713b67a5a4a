"""The console's dashboard (issue 17, item 7): the page, its CSV and a real browser.

The figures are the seeded week's (tests/api/metrics_seed.py), the same the JSON API is
checked against; here the page shows them, the CSV carries exactly the JSON, and the
browser test saves the page at desktop and phone width in docs/screenshots/.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Page, expect
from sqlalchemy.engine import Engine
from sqlmodel import Session

from agent.runtime import AgentRuntime
from api.app import create_app
from api.console.auth import COOKIE
from api.console.dashboard import flatten
from crm.models import User
from crm.services.console_sessions import start_session
from crm.settings import Settings
from tests.api.metrics_seed import EXPECTED, FROM, TO, Week, seed_week
from tests.api.test_console_screens import Signed, sign_in
from tests.conftest import NOW
from tests.factories import make_token
from tests.support.browser import PHONE
from tests.support.live_server import live_server

SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
WEEK = {"range": "custom", "from": FROM, "to": TO}


@pytest.fixture
def app(settings: Settings, engine: Engine) -> Iterator[TestClient]:
    runtime = AgentRuntime(settings, engine, clock=lambda: NOW)
    with TestClient(create_app(settings, runtime)) as client:
        yield client


@pytest.fixture
def week(db: Session) -> Week:
    return seed_week(db)


def _figure(html: str, name: str) -> str:
    marker = f'data-figure="{name}">'
    start = html.index(marker) + len(marker)
    return html[start:html.index("<", start)]


def test_signed_out_visitors_are_sent_to_sign_in(app: TestClient) -> None:
    response = app.get("/console/dashboard", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/console/login")
    csv_response = app.get("/console/dashboard.csv", follow_redirects=False)
    assert csv_response.status_code == 303


def test_the_admin_sees_the_weeks_figures_charts_and_tables(
        app: TestClient, db: Session, week: Week) -> None:
    admin = sign_in(app, db, week.admin)
    response: Any = admin.get("/console/dashboard", **WEEK)
    assert response.status_code == 200
    html = response.text
    assert _figure(html, "conversations") == "6"
    assert _figure(html, "resolved_by_agent") == "1"
    assert _figure(html, "handoffs") == "4"
    assert _figure(html, "appointments_booked_by_agent") == "1"
    assert _figure(html, "lead_to_appointment_rate") == "50%"
    assert _figure(html, "first_response_seconds_p50") == "15 s"
    assert html.count('<svg class="chart"') == 5 and html.count("<table") == 7
    assert "Pidió una persona" in html and 'href="/console/dashboard"' in html
    assert 'aria-current="page">Resultados' in html
    assert "/console/dashboard.csv?range=custom" in html


def test_a_seller_sees_her_leads_and_no_seller_picker_and_english_works(
        app: TestClient, db: Session, week: Week) -> None:
    week.vera.locale = "en"
    db.add(week.vera)
    db.commit()
    vera = sign_in(app, db, week.vera)
    html = vera.get("/console/dashboard", **WEEK).text  # type: ignore[attr-defined]
    assert _figure(html, "conversations") == "3"
    assert 'id="d-seller"' not in html
    assert "Figures of your leads." in html and "What the assistant did" in html


def test_the_admin_picks_one_seller(app: TestClient, db: Session, week: Week) -> None:
    admin = sign_in(app, db, week.admin)
    html = admin.get("/console/dashboard", **WEEK,  # type: ignore[attr-defined]
                     seller=week.vera.id).text
    assert _figure(html, "conversations") == "3"


def test_the_csv_carries_exactly_the_json(app: TestClient, db: Session, week: Week) -> None:
    admin = sign_in(app, db, week.admin)
    response: Any = admin.get("/console/dashboard.csv", **WEEK)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0] == ["figure", "value"]
    token = make_token(db, week.admin)
    body = app.get("/v1/metrics/summary", params={"from": FROM, "to": TO},
                   headers={"Authorization": f"Bearer {token}"}).json()
    assert rows[1:] == [[k, str(v)] for k, v in flatten(body)]
    as_dict = dict(rows[1:])
    assert as_dict["conversations"] == str(EXPECTED["conversations"])
    assert as_dict["leads_by_campaign.verano.with_appointment"] == "1"
    assert as_dict["daily.2027-03-02.conversations"] == "2"
    assert as_dict["llm_tokens_per_conversation"] == ""


def test_a_bad_range_is_said_on_the_page(app: TestClient, db: Session, week: Week) -> None:
    admin: Signed = sign_in(app, db, week.admin)
    response: Any = admin.get("/console/dashboard", range="custom", **{"from": TO, "to": FROM})
    assert response.status_code == 422
    assert "`from` is after `to`." in response.text
    assert admin.get("/console/dashboard.csv", range="custom",  # type: ignore[attr-defined]
                     **{"from": "2027-02-31", "to": TO}).status_code == 422


@pytest.mark.browser
@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_the_owner_reads_the_week_on_a_desk_and_on_a_phone(
        settings: Settings, engine: Engine, db: Session, week: Week,
        new_page: Callable[..., Page]) -> None:
    runtime = AgentRuntime(settings, engine, clock=lambda: NOW)
    with live_server(create_app(settings, runtime)) as base:
        for name, options in (("desktop", {}), ("phone", {"viewport": PHONE,
                                                          "is_mobile": True})):
            page = new_page(**options)
            _signed_in(page, db, week.admin, base)
            page.goto(f"{base}/console/dashboard?range=custom&from={FROM}&to={TO}")
            expect(page.get_by_role("heading", name="Resultados del asistente")).to_be_visible()
            expect(page.locator('[data-figure="conversations"]')).to_have_text("6")
            assert page.evaluate("document.documentElement.scrollWidth") <= \
                page.evaluate("window.innerWidth")  # nothing wider than the screen
            SHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SHOTS / f"console-dashboard-{name}.png"), full_page=True)
        page.get_by_label("7 días").check()
        page.get_by_role("button", name="Ver").click()
        expect(page).to_have_url(f"{base}/console/dashboard?range=7&from={FROM}&to={TO}"
                                 "&seller=")


def _signed_in(page: Page, db: Session, user: User, base: str) -> None:
    token = start_session(db, user=user, absolute=timedelta(days=1), source=None)
    db.commit()
    page.context.add_cookies([{"name": COOKIE, "value": token, "url": base}])
