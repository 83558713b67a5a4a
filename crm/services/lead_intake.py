"""Meta Lead Ads intake: a form submission becomes a Contact and a Lead, once.

The intake row (unique leadgen_id) records the processing state, `recibido` → `registrado`
or `error` (with attempts and the next retry time). The contact is deduped on the phone
(E.164) and the email: a person already known from WhatsApp or the web keeps one contact,
and their open lead is updated rather than duplicated.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from crm.errors import InvalidEmail, InvalidPhone
from crm.locks import lock_name
from crm.models import (
    Contact,
    IntakeState,
    Lead,
    LeadAdIntake,
    LeadSource,
    Tenant,
    User,
    utcnow,
)
from crm.services.contacts import update_contact_details
from crm.services.leads import ensure_lead, next_seller, open_lead
from crm.services.normalize import normalize_email, normalize_phone, region_of

NAME_FIELDS = ("full_name", "name", "nombre", "nombre_completo")
EMAIL_FIELDS = ("email", "correo", "correo_electronico")
PHONE_FIELDS = ("phone_number", "phone", "telefono", "celular", "whatsapp")


def start_intake(db: Session, *, tenant: Tenant, connection_id: str | None, leadgen_id: str,
                 page_id: str, form_id: str | None, ad_id: str | None) -> LeadAdIntake:
    """The intake of `leadgen_id`, created in state `recibido` on first sight."""
    query = select(LeadAdIntake).where(LeadAdIntake.leadgen_id == leadgen_id)
    intake = db.exec(query).first()
    if intake is not None:
        return intake
    intake = LeadAdIntake(tenant_id=tenant.id, connection_id=connection_id,
                          leadgen_id=leadgen_id, page_id=page_id, form_id=form_id, ad_id=ad_id)
    try:
        with db.begin_nested():
            db.add(intake)
            db.flush()
    except IntegrityError:  # a concurrent delivery created it
        intake = db.exec(query).one()
    return intake


def answers_of(field_data: Any) -> dict[str, str]:
    """Meta's field_data [{"name", "values": [...]}] as {name: "v1, v2"}."""
    answers: dict[str, str] = {}
    for field in field_data if isinstance(field_data, list) else []:
        if not isinstance(field, dict) or not field.get("name"):
            continue
        values = field.get("values")
        values = values if isinstance(values, list) else [values]
        answers[str(field["name"])[:100]] = ", ".join(str(v) for v in values if v is not None)[
            :1000]
    return answers


def register(db: Session, *, tenant: Tenant, intake: LeadAdIntake, answers: dict[str, str],
             seller_ids: list[str], now: datetime | None = None) -> Lead:
    """Create or update the contact and lead for the answers; the intake is `registrado`."""
    now = now or utcnow()
    # One registration of the business at a time: finding the person (by phone, by email)
    # and then writing their details must not interleave with another intake's, or two
    # events of one person both create them (a unique phone/email: IntegrityError).
    lock_name(db, f"mostrador.lead-intake:{tenant.id}")
    name = _first(answers, NAME_FIELDS) or " ".join(
        v for v in (answers.get("first_name"), answers.get("last_name")) if v) or None
    phone, email = _valid_phone(tenant, _first(answers, PHONE_FIELDS)), _valid_email(
        _first(answers, EMAIL_FIELDS))
    contact = _known_contact(db, tenant=tenant, phone=phone, email=email)
    if contact is None:
        contact = Contact(tenant_id=tenant.id)
        db.add(contact)
        db.flush()
    contact = update_contact_details(db, tenant=tenant, contact=contact,
                                     name=name if not contact.name else None,
                                     phone=phone, email=email)
    note = (f"Meta Lead Ads: formulario {intake.form_id or '?'}, anuncio "
            f"{intake.ad_id or '?'} (leadgen {intake.leadgen_id}).")
    if open_lead(db, contact=contact) is None:
        seller = _pick_seller(db, tenant=tenant, seller_ids=seller_ids)
        db.add(Lead(tenant_id=tenant.id, contact_id=contact.id,
                    source=LeadSource.meta_lead_ads,
                    assigned_to=seller.id if seller else None))
        db.flush()
    lead = ensure_lead(db, tenant=tenant, contact=contact, source=LeadSource.meta_lead_ads,
                       notes=note)
    intake.answers = answers
    intake.lead_id = lead.id
    intake.state = IntakeState.registrado
    intake.registered_at = intake.updated_at = now
    intake.last_error = None
    intake.next_attempt_at = None
    db.add(intake)
    db.flush()
    return lead


def record_failure(db: Session, *, intake: LeadAdIntake, error_code: str, base_delay: float,
                   max_attempts: int, now: datetime | None = None) -> bool:
    """Count a failed fetch; return whether another attempt is due (and set its time)."""
    now = now or utcnow()
    intake.attempts += 1
    intake.state = IntakeState.error
    intake.last_error = error_code[:64]
    intake.updated_at = now
    retry = intake.attempts < max_attempts
    intake.next_attempt_at = (now + timedelta(seconds=base_delay * 2 ** (intake.attempts - 1))
                              if retry else None)
    db.add(intake)
    db.flush()
    return retry


def intakes_to_retry(db: Session, *, max_attempts: int, now: datetime | None = None,
                     include_exhausted: bool = False) -> list[LeadAdIntake]:
    """Errored intakes whose next attempt is due (with include_exhausted: every errored one)."""
    query = select(LeadAdIntake).where(LeadAdIntake.state == IntakeState.error)
    if not include_exhausted:
        query = query.where(LeadAdIntake.attempts < max_attempts,
                            col(LeadAdIntake.next_attempt_at) <= (now or utcnow()))
    return list(db.exec(query.order_by(col(LeadAdIntake.received_at))))


def _pick_seller(db: Session, *, tenant: Tenant, seller_ids: list[str]) -> User | None:
    """Round-robin among the connection's sellers when it names some, else every seller."""
    if seller_ids:
        seller = next_seller(db, tenant=tenant, among=seller_ids)
        if seller is not None:
            return seller
    return next_seller(db, tenant=tenant)


def _known_contact(db: Session, *, tenant: Tenant, phone: str | None,
                   email: str | None) -> Contact | None:
    for column, value in ((Contact.phone, phone), (Contact.email, email)):
        if value:
            contact = db.exec(select(Contact).where(Contact.tenant_id == tenant.id,
                                                    column == value)).first()
            if contact is not None:
                return contact
    return None


def _first(answers: dict[str, str], names: tuple[str, ...]) -> str | None:
    for name in names:
        if answers.get(name):
            return answers[name]
    return None


def _valid_phone(tenant: Tenant, raw: str | None) -> str | None:
    try:
        return normalize_phone(raw, region=region_of(tenant.locale)) if raw else None
    except InvalidPhone:
        return None  # kept in the answers; the seller sees what was typed


def _valid_email(raw: str | None) -> str | None:
    try:
        return normalize_email(raw) if raw else None
    except InvalidEmail:
        return None
