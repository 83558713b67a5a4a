"""Lead Ads registrations that run at once: one person is one contact with one open lead.

Real threads on real databases (SQLite and PostgreSQL), beside a busy loop (chaos): each
registration runs in its own session and transaction, as the workers run them.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from crm.models import Contact, IntakeState, Lead, LeadAdIntake, Role, Tenant
from crm.services.lead_intake import register, start_intake
from tests.factories import make_tenant, make_user
from tests.support.contention import scaled

pytestmark = pytest.mark.chaos


def run_at_once(tasks: list[Callable[[], None]]) -> list[BaseException]:
    """Run `tasks` in threads released together; the exceptions they raised."""
    barrier = threading.Barrier(len(tasks))
    errors: list[BaseException] = []

    def run(task: Callable[[], None]) -> None:
        barrier.wait()
        try:
            task()
        except BaseException as exc:  # reported to the test, not lost in the thread
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(task,)) for task in tasks]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return errors


def registration(engine: Engine, tenant_id: str, intake_id: str,
                 answers: dict[str, str]) -> Callable[[], None]:
    def task() -> None:
        with Session(engine, expire_on_commit=False) as db:
            tenant = db.get(Tenant, tenant_id)
            intake = db.get(LeadAdIntake, intake_id)
            assert tenant is not None and intake is not None
            register(db, tenant=tenant, intake=intake, answers=answers, seller_ids=[])
            db.commit()
    return task


def test_forms_of_one_person_registered_at_once_make_one_contact_and_one_lead(
        db: Session, engine: Engine) -> None:
    tenant = make_tenant(db)
    make_user(db, tenant, role=Role.seller)
    answers = {"full_name": "Ana López", "phone_number": "11 5555-1234",
               "email": "ana@example.test"}
    count = scaled(6, minimum=3)
    intakes = [start_intake(db, tenant=tenant, connection_id=None, leadgen_id=f"97000{n}",
                            page_id="5550001", form_id=None, ad_id=None) for n in range(count)]
    db.commit()
    errors = run_at_once([registration(engine, tenant.id, i.id, answers) for i in intakes])
    assert errors == []
    db.commit()
    db.expire_all()  # the intakes were loaded here before the threads registered them
    [contact] = db.exec(select(Contact)).all()
    assert (contact.phone, contact.email) == ("+541155551234", "ana@example.test")
    [lead] = db.exec(select(Lead)).all()
    registered = db.exec(select(LeadAdIntake)).all()
    assert {(i.state, i.lead_id) for i in registered} == {(IntakeState.registrado, lead.id)}


def test_a_form_with_the_phone_and_one_with_the_email_at_once_never_collide(
        db: Session, engine: Engine) -> None:
    """Either order is a valid outcome; an IntegrityError (both created the person) is not."""
    tenant = make_tenant(db)
    intakes = [start_intake(db, tenant=tenant, connection_id=None, leadgen_id=f"98000{n}",
                            page_id="5550001", form_id=None, ad_id=None) for n in range(2)]
    db.commit()
    errors = run_at_once([
        registration(engine, tenant.id, intakes[0].id,
                     {"full_name": "Ana", "phone_number": "11 5555-1234",
                      "email": "ana@example.test"}),
        registration(engine, tenant.id, intakes[1].id,
                     {"full_name": "Ana", "email": "ANA@example.test"})])
    assert errors == []
    db.commit()
    contacts = db.exec(select(Contact)).all()
    assert Counter(c.email for c in contacts)["ana@example.test"] == 1
    assert len(db.exec(select(Lead)).all()) == len(contacts)
