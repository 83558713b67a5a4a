"""The business profile, opening hours and services API: roles, validation, effect."""

from __future__ import annotations

from datetime import date, time
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from crm.errors import ClosedDay
from crm.models import Role, Tenant
from crm.services.availability import free_starts
from crm.services.booking import book
from crm.services.catalogue import resolve_service
from tests.conftest import NOW
from tests.factories import make_contact, make_tenant, make_token, make_user


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def staff(db: Session) -> dict[str, object]:
    tenant = make_tenant(db)
    return {"tenant": tenant,
            "admin": make_token(db, make_user(db, tenant, role=Role.admin)),
            "seller": make_token(db, make_user(db, tenant)),
            "other": make_token(db, make_user(db, make_tenant(db), role=Role.admin))}


def test_staff_read_the_business_and_only_admins_change_it(
    client: TestClient, staff: dict[str, object]
) -> None:
    seen = client.get("/v1/business", headers=_auth(staff["seller"])).json()
    assert seen["slug"] == staff["tenant"].slug and len(seen["services"]) == 3
    change = {"name": "Estética Nueva", "address": None}
    assert client.put("/v1/business", json=change,
                      headers=_auth(staff["seller"])).status_code == 403
    response = client.put("/v1/business", json=change, headers=_auth(staff["admin"]))
    assert response.status_code == 200
    assert response.json()["name"] == "Estética Nueva" and response.json()["address"] is None
    other = client.get("/v1/business", headers=_auth(staff["other"])).json()
    assert other["name"] != "Estética Nueva"


def test_new_opening_hours_change_what_the_agent_can_offer(
    client: TestClient, staff: dict[str, object], db: Session
) -> None:
    hours = {"tue": [["14:00", "16:00"]]}
    response = client.put("/v1/business", json={"business_hours": hours},
                          headers=_auth(staff["admin"]))
    assert response.status_code == 200
    assert response.json()["business_hours"]["mon"] == []  # days left out are closed
    db.commit()
    tenant = db.get(Tenant, staff["tenant"].id)
    db.refresh(tenant)
    service = resolve_service(db, tenant=tenant, name="Consulta general")
    starts = [s.strftime("%H:%M") for s in
              free_starts(db, tenant=tenant, service=service, day=date(2026, 11, 24), now=NOW)]
    assert starts == ["14:00", "14:30", "15:00", "15:30"]


@pytest.mark.parametrize(
    "body",
    [
        {"business_hours": {"mon": [["18:00", "09:00"]]}},
        {"business_hours": {"mon": [["09:00", "13:00"], ["12:00", "15:00"]]}},
        {"business_hours": {"lunes": [["09:00", "13:00"]]}},
        {"business_hours": {"mon": [["09:10", "13:00"]]}},
        {"business_hours": {"mon": [["9", "13:00"]]}},
        {"timezone": "America/Atlantis"},
        {"currency": "pesos"},
        {"slot_step_minutes": 7},
    ],
)
def test_invalid_business_changes_are_422(client: TestClient, staff: dict[str, object],
                                          body: dict[str, object]) -> None:
    assert client.put("/v1/business", json=body,
                      headers=_auth(staff["admin"])).status_code == 422


def test_services_are_created_updated_and_retired_by_admins(
    client: TestClient, staff: dict[str, object]
) -> None:
    admin = _auth(staff["admin"])
    new = {"name": "Ortodoncia invisible", "duration_minutes": 45, "price": "90000"}
    assert client.post("/v1/services", json=new,
                       headers=_auth(staff["seller"])).status_code == 403
    created = client.post("/v1/services", json=new, headers=admin)
    assert created.status_code == 201
    service_id = created.json()["id"]
    assert client.post("/v1/services", json=new, headers=admin).status_code == 409
    assert client.post("/v1/services", json={**new, "name": "X", "duration_minutes": 20},
                       headers=admin).status_code == 422
    updated = client.put(f"/v1/services/{service_id}", json={**new, "price": "95000"},
                         headers=admin)
    assert updated.status_code == 200 and Decimal(updated.json()["price"]) == Decimal(95000)
    assert client.delete(f"/v1/services/{service_id}", headers=admin).status_code == 204
    listed = {s["name"]: s["active"] for s in
              client.get("/v1/business", headers=admin).json()["services"]}
    assert listed["Ortodoncia invisible"] is False
    assert client.delete(f"/v1/services/{service_id}",
                         headers=_auth(staff["other"])).status_code == 404


def test_one_day_s_hours_change_and_the_other_days_stay(
    client: TestClient, staff: dict[str, object], db: Session
) -> None:
    before = client.get("/v1/business", headers=_auth(staff["admin"])).json()["business_hours"]
    saturday = [["16:00", "18:00"], ["09:00", "12:00"]]  # any order; kept sorted
    response = client.patch("/v1/business/hours/sat", json=saturday,
                            headers=_auth(staff["admin"]))
    assert response.status_code == 200
    after = response.json()["business_hours"]
    assert after["sat"] == [["09:00", "12:00"], ["16:00", "18:00"]]
    assert {d: h for d, h in after.items() if d != "sat"} == {
        d: h for d, h in before.items() if d != "sat"}
    # [] closes the day; the booking service then offers nothing on a Saturday
    assert client.patch("/v1/business/hours/sat", json=[],
                        headers=_auth(staff["admin"])).json()["business_hours"]["sat"] == []
    db.commit()
    tenant = db.get(Tenant, staff["tenant"].id)
    assert tenant is not None
    db.refresh(tenant)
    service = resolve_service(db, tenant=tenant, name="Consulta general")
    assert free_starts(db, tenant=tenant, service=service, day=date(2026, 11, 28), now=NOW) == []


@pytest.mark.parametrize(
    ("day", "body"),
    [("sat", [["18:00", "09:00"]]), ("sat", [["09:00", "13:00"], ["12:00", "15:00"]]),
     ("sat", [["09:10", "13:00"]]), ("sat", [["9"]]), ("sat", {"open": "09:00"}),
     ("sabado", [["09:00", "13:00"]])],
)
def test_a_bad_day_or_interval_is_422_and_changes_nothing(
    client: TestClient, staff: dict[str, object], day: str, body: object
) -> None:
    before = client.get("/v1/business", headers=_auth(staff["admin"])).json()["business_hours"]
    response = client.patch(f"/v1/business/hours/{day}", json=body,
                            headers=_auth(staff["admin"]))
    assert response.status_code == 422 and response.json()["detail"][0]["msg"]
    assert client.get("/v1/business",
                      headers=_auth(staff["admin"])).json()["business_hours"] == before
    assert client.patch("/v1/business/hours/sat", json=[],
                        headers=_auth(staff["seller"])).status_code == 403


def test_a_closed_date_has_no_hours_and_the_booking_service_refuses_it(
    client: TestClient, staff: dict[str, object], db: Session
) -> None:
    response = client.put("/v1/business", json={"closed_dates": [
        "2026-11-25", "2026-11-24", "2026-11-25"]}, headers=_auth(staff["admin"]))
    assert response.status_code == 200
    assert response.json()["closed_dates"] == ["2026-11-24", "2026-11-25"]  # sorted, once
    db.commit()
    tenant = db.get(Tenant, staff["tenant"].id)
    assert tenant is not None
    db.refresh(tenant)
    service = resolve_service(db, tenant=tenant, name="Consulta general")
    assert free_starts(db, tenant=tenant, service=service, day=date(2026, 11, 24), now=NOW) == []
    assert free_starts(db, tenant=tenant, service=service, day=date(2026, 11, 26), now=NOW)
    contact = make_contact(db, tenant, name="Marta Díaz", phone="+5491155550000")
    with pytest.raises(ClosedDay) as refused:
        book(db, tenant=tenant, contact=contact, service_name="Consulta general",
             day=date(2026, 11, 24), at=time(10, 0), now=NOW)
    assert "(2026-11-26)" in str(refused.value)  # the next open day, past the closed ones
    assert client.put("/v1/business", json={"closed_dates": []}, headers=_auth(
        staff["admin"])).json()["closed_dates"] == []


@pytest.mark.parametrize("dates", [["2026-13-01"], ["mañana"], "2026-12-25"])
def test_bad_closed_dates_are_422(client: TestClient, staff: dict[str, object],
                                  dates: object) -> None:
    assert client.put("/v1/business", json={"closed_dates": dates},
                      headers=_auth(staff["admin"])).status_code == 422


def test_after_a_long_closure_the_refusal_names_the_days_it_opens_again(
    staff: dict[str, object], db: Session
) -> None:
    tenant = db.get(Tenant, staff["tenant"].id)
    assert tenant is not None
    tenant.closed_dates = [date.fromordinal(date(2026, 11, 24).toordinal() + n).isoformat()
                           for n in range(21)]  # three weeks of holidays
    db.add(tenant)
    db.commit()
    contact = make_contact(db, tenant, name="Marta Díaz", phone="+5491155550001")
    with pytest.raises(ClosedDay) as refused:
        book(db, tenant=tenant, contact=contact, service_name="Consulta general",
             day=date(2026, 11, 24), at=time(10, 0), now=NOW)
    assert "(2026-12-15)" in str(refused.value)
