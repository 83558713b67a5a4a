"""Seller rotation under concurrency: leads assigned at the same time still take turns.

Real threads on SQLite and PostgreSQL, beside a busy loop (chaos). Each assignment runs in
its own transaction and holds it a moment after choosing, as an intake does while it
writes the lead, so a second chooser that does not wait for the first picks the same one.
"""

from __future__ import annotations

import time
from collections import Counter

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from crm.models import Role, Tenant
from crm.services.leads import next_seller
from tests.crm.test_lead_intake import run_at_once
from tests.factories import make_tenant, make_user
from tests.support.contention import scaled

pytestmark = pytest.mark.chaos


def test_leads_assigned_at_once_rotate_evenly_among_the_sellers(
        db: Session, engine: Engine) -> None:
    tenant = make_tenant(db)
    sellers = [make_user(db, tenant, role=Role.seller) for _ in range(3)]
    make_user(db, tenant, role=Role.admin)  # not in the rotation
    rounds = scaled(4, minimum=2)
    chosen: list[str] = []

    def assign() -> None:
        with Session(engine, expire_on_commit=False) as session:
            found = session.get(Tenant, tenant.id)
            assert found is not None
            seller = next_seller(session, tenant=found)
            assert seller is not None
            time.sleep(0.02)  # the rest of the intake's transaction
            session.commit()
            chosen.append(seller.id)

    assert run_at_once([assign] * (len(sellers) * rounds)) == []
    assert Counter(chosen) == {s.id: rounds for s in sellers}


def test_rotation_among_some_sellers_leaves_the_others_out(
        db: Session, engine: Engine) -> None:
    tenant = make_tenant(db)
    sellers = [make_user(db, tenant, role=Role.seller) for _ in range(3)]
    among = [sellers[0].id, sellers[2].id]
    chosen: list[str] = []

    def assign() -> None:
        with Session(engine, expire_on_commit=False) as session:
            found = session.get(Tenant, tenant.id)
            assert found is not None
            seller = next_seller(session, tenant=found, among=among)
            assert seller is not None
            session.commit()
            chosen.append(seller.id)

    assert run_at_once([assign] * 4) == []
    assert Counter(chosen) == {sellers[0].id: 2, sellers[2].id: 2}
