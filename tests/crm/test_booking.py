"""Booking, rescheduling and cancelling against real SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, time

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from crm.errors import (
    ClosedDay,
    MissingContactData,
    NoAppointment,
    OutsideBusinessHours,
    PastDate,
    SlotTaken,
    UnknownService,
)
from crm.models import Appointment, AppointmentStatus, Contact, SlotHold, Tenant
from crm.services import booking
from crm.services.availability import free_starts
from crm.services.catalogue import resolve_service
from tests.conftest import NOW
from tests.factories import make_contact, make_tenant

TUESDAY = date(2026, 11, 24)


def _contact(db: Session, tenant: Tenant, n: int = 0) -> Contact:
    return make_contact(db, tenant, name=f"Cliente {n}", phone=f"+5491155550{n:03d}")


def test_booking_same_slot_concurrently_books_once(engine: Engine, db: Session) -> None:
    tenant = make_tenant(db)
    contacts = [_contact(db, tenant, n) for n in range(20)]
    barrier = threading.Barrier(20)
    outcomes: list[str] = []

    def attempt(contact: Contact) -> None:
        with Session(engine, expire_on_commit=False) as own:
            barrier.wait()
            try:
                booking.book(own, tenant=own.get(Tenant, tenant.id), contact=contact,
                             service_name="Consulta general", day=TUESDAY, at=time(10, 0),
                             now=NOW)
                own.commit()
                outcomes.append("booked")
            except SlotTaken:
                own.rollback()
                outcomes.append("taken")

    threads = [threading.Thread(target=attempt, args=(c,)) for c in contacts]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["booked"] + ["taken"] * 19
    db.expire_all()
    assert len(db.exec(select(Appointment)).all()) == 1


def test_overlapping_services_cannot_share_time(db: Session) -> None:
    tenant = make_tenant(db)
    booking.book(db, tenant=tenant, contact=_contact(db, tenant, 1), service_name="blanqueamiento",
                 day=TUESDAY, at=time(10, 0), now=NOW)
    db.commit()
    with pytest.raises(SlotTaken) as taken:
        booking.book(db, tenant=tenant, contact=_contact(db, tenant, 2),
                     service_name="Consulta general", day=TUESDAY, at=time(10, 30), now=NOW)
    assert "11:00" in taken.value.alternatives and "10:30" not in taken.value.alternatives


@pytest.mark.parametrize(
    ("service", "day", "at", "error"),
    [
        ("Masajes", TUESDAY, time(10), UnknownService),
        ("Consulta general", date(2026, 11, 20), time(10), PastDate),
        ("Consulta general", date(2026, 11, 23), time(9), PastDate),  # earlier today
        ("Consulta general", date(2026, 11, 29), time(10), ClosedDay),  # Sunday
        ("Consulta general", TUESDAY, time(19), OutsideBusinessHours),
        ("Blanqueamiento", date(2026, 11, 28), time(12, 30), OutsideBusinessHours),  # Sat 13:00
        ("Consulta general", TUESDAY, time(10, 10), OutsideBusinessHours),  # off the grid
    ],
)
def test_invalid_booking_requests_raise_correctable_errors(
    db: Session, service: str, day: date, at: time, error: type[Exception]
) -> None:
    tenant = make_tenant(db)
    with pytest.raises(error):
        booking.book(db, tenant=tenant, contact=_contact(db, tenant), service_name=service,
                     day=day, at=at, now=NOW)


def test_booking_needs_name_and_phone(db: Session) -> None:
    tenant = make_tenant(db)
    anonymous = make_contact(db, tenant)
    with pytest.raises(MissingContactData):
        booking.book(db, tenant=tenant, contact=anonymous, service_name="Consulta general",
                     day=TUESDAY, at=time(10), now=NOW)


def test_reschedule_moves_the_same_appointment_and_frees_the_old_time(db: Session) -> None:
    tenant = make_tenant(db)
    ana, beto = _contact(db, tenant, 1), _contact(db, tenant, 2)
    first = booking.book(db, tenant=tenant, contact=ana, service_name="Consulta general",
                         day=TUESDAY, at=time(10), now=NOW)
    db.commit()
    moved = booking.reschedule(db, tenant=tenant, contact=ana, day=TUESDAY, at=time(15),
                               now=NOW)
    db.commit()
    assert moved.id == first.id and moved.status == AppointmentStatus.reprogramada
    assert moved.start_at == datetime(2026, 11, 24, 18, 0, tzinfo=UTC)  # 15:00 in BA
    # The old 10:00 is free again: someone else can take it.
    booking.book(db, tenant=tenant, contact=beto, service_name="Consulta general", day=TUESDAY,
                 at=time(10), now=NOW)
    db.commit()
    assert len(db.exec(select(Appointment)).all()) == 2


def test_reschedule_onto_a_taken_slot_keeps_the_original(db: Session) -> None:
    tenant = make_tenant(db)
    ana, beto = _contact(db, tenant, 1), _contact(db, tenant, 2)
    mine = booking.book(db, tenant=tenant, contact=ana, service_name="Consulta general",
                        day=TUESDAY, at=time(10), now=NOW)
    booking.book(db, tenant=tenant, contact=beto, service_name="Consulta general", day=TUESDAY,
                 at=time(11), now=NOW)
    db.commit()
    with pytest.raises(SlotTaken):
        booking.reschedule(db, tenant=tenant, contact=ana, day=TUESDAY, at=time(11), now=NOW)
    db.commit()
    db.expire_all()
    kept = db.get(Appointment, mine.id)
    assert kept is not None and kept.start_at.hour == 13 and kept.status == "confirmada"
    assert len(db.exec(select(SlotHold).where(SlotHold.appointment_id == mine.id)).all()) == 2


def test_cancel_only_touches_the_contacts_own_appointment(db: Session) -> None:
    tenant = make_tenant(db)
    ana, beto = _contact(db, tenant, 1), _contact(db, tenant, 2)
    anas = booking.book(db, tenant=tenant, contact=ana, service_name="Consulta general",
                        day=TUESDAY, at=time(10), now=NOW)
    db.commit()
    with pytest.raises(NoAppointment):
        booking.cancel(db, contact=beto, now=NOW, appointment_id=anas.id)
    cancelled = booking.cancel(db, contact=ana, now=NOW)
    db.commit()
    assert cancelled.status == AppointmentStatus.cancelada
    service = resolve_service(db, tenant=tenant, name="Consulta general")
    starts = [s.strftime("%H:%M") for s in
              free_starts(db, tenant=tenant, service=service, day=TUESDAY, now=NOW)]
    assert "10:00" in starts


def test_availability_is_business_hours_minus_bookings_in_tenant_time(db: Session) -> None:
    tenant = make_tenant(db)
    service = resolve_service(db, tenant=tenant, name="limpieza")
    booking.book(db, tenant=tenant, contact=_contact(db, tenant), service_name="Consulta general",
                 day=TUESDAY, at=time(9, 30), now=NOW)
    starts = [s.strftime("%H:%M") for s in
              free_starts(db, tenant=tenant, service=service, day=TUESDAY, now=NOW)]
    # 45 minutes from 09:00 would overlap 09:30; the last start that fits before 18:00 is 17:00.
    assert starts[0] == "10:00" and starts[-1] == "17:00" and "09:00" not in starts
    today = [s.strftime("%H:%M") for s in
             free_starts(db, tenant=tenant, service=service, day=NOW.date(), now=NOW)]
    assert today[0] == "10:30"  # it is 10:00 in Buenos Aires


def test_a_refusal_offers_the_free_times_nearest_to_the_one_asked(db: Session) -> None:
    tenant = make_tenant(db)
    with pytest.raises(OutsideBusinessHours) as late:
        booking.book(db, tenant=tenant, contact=_contact(db, tenant),
                     service_name="Consulta general", day=TUESDAY, at=time(20, 0), now=NOW)
    # The evening, not the morning: the last starts of the day, in order.
    assert late.value.alternatives == ["15:00", "15:30", "16:00", "16:30", "17:00", "17:30"]
    assert "martes 24/11 se atiende de 09:00 a 18:00" in late.value.message
    booking.book(db, tenant=tenant, contact=_contact(db, tenant, 1),
                 service_name="Consulta general", day=TUESDAY, at=time(12, 0), now=NOW)
    with pytest.raises(SlotTaken) as taken:
        booking.book(db, tenant=tenant, contact=_contact(db, tenant, 2),
                     service_name="Consulta general", day=TUESDAY, at=time(12, 0), now=NOW)
    assert taken.value.alternatives == ["10:30", "11:00", "11:30", "12:30", "13:00", "13:30"]
    assert taken.value.message.startswith("El martes 24/11 a las 12:00 ya está ocupado.")


def test_refusals_say_the_weekday_and_what_to_choose_instead(db: Session) -> None:
    tenant = make_tenant(db)
    contact = _contact(db, tenant)
    with pytest.raises(ClosedDay) as closed:
        booking.book(db, tenant=tenant, contact=contact, service_name="Consulta general",
                     day=date(2026, 11, 29), at=time(10), now=NOW)
    assert closed.value.message == (
        "El domingo 29/11 (2026-11-29) el negocio está cerrado. Próximos días abiertos: "
        "lunes 30/11 (2026-11-30), martes 1/12 (2026-12-01), miércoles 2/12 (2026-12-02).")
    with pytest.raises(PastDate) as past:
        booking.book(db, tenant=tenant, contact=contact, service_name="Consulta general",
                     day=date(2026, 11, 20), at=time(10), now=NOW)
    assert "hoy es lunes 23/11 (2026-11-23) y son las 10:00" in past.value.message
