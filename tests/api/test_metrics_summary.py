"""GET /v1/metrics/summary: every figure of a seeded week, exactly, on SQLite and PostgreSQL.

The week (tests/api/metrics_seed.py) holds the edge cases: a conversation the customer
reopened on day 6 (not resolved) and one written to again on day 8 (a new conversation; the
first stays resolved), a thread that began before the period, a failed agent tool, staff
changes outside the period, an appointment that predates its lead.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from crm.models import Role
from tests.api.metrics_seed import (
    EXPECTED,
    EXPECTED_DAILY,
    EXPECTED_VERA,
    FROM,
    TO,
    Week,
    seed_week,
)
from tests.factories import make_token, make_user

PATH = "/v1/metrics/summary"


@pytest.fixture
def week(db: Session) -> Week:
    return seed_week(db)


def _get(client: TestClient, token: str, **params: str) -> Any:
    return client.get(PATH, params=params, headers={"Authorization": f"Bearer {token}"})


def _figures(body: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in body.items() if k != "daily"}


def test_every_figure_of_the_week_is_exact_for_the_admin(
        client: TestClient, db: Session, week: Week) -> None:
    response = _get(client, make_token(db, week.admin), **{"from": FROM, "to": TO})
    assert response.status_code == 200, response.text
    body = response.json()
    assert _figures(body) == EXPECTED
    assert [(d["day"], d["conversations"], d["resolved_by_agent"], d["handoffs"],
             d["appointments_booked_by_agent"], d["appointments_booked_by_staff"])
            for d in body["daily"]] == EXPECTED_DAILY


def test_a_seller_gets_her_own_leads_figures_whatever_seller_she_names(
        client: TestClient, db: Session, week: Week) -> None:
    token = make_token(db, week.vera)
    expected = {**EXPECTED_VERA, "seller": week.vera.id}
    assert _figures(_get(client, token, **{"from": FROM, "to": TO}).json()) == expected
    named = _get(client, token, **{"from": FROM, "to": TO, "seller": week.ramiro.id})
    assert _figures(named.json()) == expected


def test_an_admin_sees_one_sellers_figures_with_seller(
        client: TestClient, db: Session, week: Week) -> None:
    body = _get(client, make_token(db, week.admin),
                **{"from": FROM, "to": TO, "seller": week.vera.id}).json()
    assert _figures(body) == {**EXPECTED_VERA, "seller": week.vera.id}


def test_the_reopening_rule_counts_days_from_the_previous_message(
        client: TestClient, db: Session, week: Week) -> None:
    """Day 8 after Ana's conversation is a new one (outside the period); Beto's day-6
    message reopened his. A period of those later days sees Ana's new conversation only."""
    body = _get(client, make_token(db, week.admin),
                **{"from": "2027-03-08", "to": "2027-03-14"}).json()
    assert body["conversations"] == 1 and body["conversations_by_channel"]["web"] == 1
    assert body["resolved_by_agent"] == 1 and body["appointments_cancelled_by_staff"] == 1


@pytest.mark.parametrize(("params", "message"), [
    ({"from": "2027-03-08", "to": "2027-03-01"}, "`from` is after `to`."),
    ({"from": "2027-02-30", "to": "2027-03-01"}, "`from` is not a date"),
    ({"from": "9999-12-01", "to": "9999-12-31"}, "must be a day between 2000 and 2100"),
    ({"from": "2027-03-01", "to": "7/3/2027"}, "String should match pattern"),
    ({"from": "2025-01-01", "to": "2027-03-01"}, "longer than 366 days"),
])
def test_bad_periods_are_422_saying_why(client: TestClient, db: Session, week: Week,
                                        params: dict[str, str], message: str) -> None:
    response = _get(client, make_token(db, week.admin), **params)
    assert response.status_code == 422
    assert message in response.json()["detail"][0]["msg"]


def test_an_unknown_seller_is_422_and_the_ml_role_403(
        client: TestClient, db: Session, week: Week) -> None:
    admin = make_token(db, week.admin)
    assert _get(client, admin, seller=week.admin.id).status_code == 422
    ml = make_token(db, make_user(db, week.tenant, role=Role.ml))
    assert _get(client, ml).status_code == 403


def test_without_dates_it_is_the_last_30_days_and_an_empty_business_has_no_rates(
        client: TestClient, db: Session, week: Week) -> None:
    body = _get(client, make_token(db, week.admin)).json()
    assert len(body["daily"]) == 30
    assert body["conversations"] == 0 and body["resolved_by_agent_rate"] is None
    assert body["first_response_seconds_p50"] is None
