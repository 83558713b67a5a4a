"""The leads board: a column per stage with its count; search, filter, add a lead, and
change a lead's stage, temperature, notes and (admins) seller.

Reads and changes go through the staff API's route functions (api.routes.staff): a seller
sees and works only the leads assigned to her; only admins reassign.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Query, Request, status
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlmodel import Session, col, select

from api.console.deps import Console, ConsoleDep
from api.console.inbox import require
from api.console.pages import back_to, page, reason, refusal
from api.deps import SessionDep
from api.routes import staff as staff_api
from api.schemas import LeadIn, LeadPatch
from api.strict_input import StrictInputRoute
from crm.models import LeadSource, LeadStage, Role, Scope, Temperature, User
from crm.services.inbox import staff_names
from crm.services.leads import stage_counts

router = APIRouter(prefix="/console", include_in_schema=False, route_class=StrictInputRoute)

BOARD_SIZE = 100  # the most recent leads shown; the counts are of every lead
DONE = frozenset({"added", "saved"})
Text = Annotated[str, Form(max_length=200)]
LongText = Annotated[str, Form(max_length=4000)]


def _source(value: str | None) -> LeadSource | None:
    return LeadSource(value) if value and value in LeadSource.__members__ else None


@router.get("/leads", response_class=HTMLResponse)
def board(request: Request, console: ConsoleDep, db: SessionDep,
          q: str | None = Query(None, max_length=100),
          source: str | None = Query(None, max_length=20),
          seller: str | None = Query(None, max_length=32),
          done: str | None = Query(None, max_length=20)) -> HTMLResponse:
    return _board(request, console, db, q=q, source=source, seller=seller,
                  done=done if done in DONE else None)


def _board(request: Request, console: Console, db: Session, *, q: str | None = None,
           source: str | None = None, seller: str | None = None, status_code: int = 200,
           **extra: Any) -> HTMLResponse:
    actor = console.actor
    chosen_seller = (seller or None) if console.is_admin else actor.user.id
    by_source = _source(source)
    search = (q or "").strip() or None
    leads = staff_api.list_leads(db, actor, stage=None, q=search, source=by_source,
                                 assigned_to=chosen_seller, limit=BOARD_SIZE, offset=0)
    counts = stage_counts(db, tenant_id=actor.tenant_id, seller_id=chosen_seller,
                          source=by_source, search=search)
    columns = [{"stage": stage, "count": counts[stage],
                "leads": [lead for lead in leads if lead.stage == stage.value]}
               for stage in LeadStage]
    return page(request, console, "leads.html", status_code=status_code, section="leads",
                columns=columns, sellers=_sellers(db, actor.tenant_id),
                names=staff_names(db, tenant_id=actor.tenant_id),
                filters={"q": search or "", "source": by_source.value if by_source else "",
                         "seller": seller or ""},
                sources=list(LeadSource), stages=list(LeadStage),
                temperatures=list(Temperature), **extra)


def _sellers(db: Session, tenant_id: str) -> list[User]:
    return list(db.exec(select(User).where(User.tenant_id == tenant_id,
                                           User.role == Role.seller, User.active)
                        .order_by(col(User.name))))


@router.post("/leads")
def add(request: Request, console: ConsoleDep, db: SessionDep, name: Text = "",
        phone: Text = "", email: Text = "", notes: LongText = "",
        assigned_to: Text = "") -> Response:
    """Add a lead by hand (source `manual`)."""
    require(console, Scope.crm_write)
    form = {"name": name, "phone": phone, "email": email, "notes": notes,
            "assigned_to": assigned_to}
    try:
        body = LeadIn(name=name.strip(), phone=phone.strip() or None,
                      email=email.strip() or None, notes=notes.strip() or None,
                      assigned_to=(assigned_to or None) if console.is_admin else None)
        staff_api.create_lead(body, db, console.actor)
    except (HTTPException, ValidationError) as exc:
        db.rollback()
        return _board(request, console, db, status_code=status.HTTP_422_UNPROCESSABLE_CONTENT,
                      add_error=reason(exc, console.lang), add_form=form)
    return back_to("/console/leads", "added")


@router.get("/leads/{lead_id}", response_class=HTMLResponse)
def lead_page(request: Request, lead_id: str, console: ConsoleDep, db: SessionDep,
              done: str | None = Query(None, max_length=20)) -> HTMLResponse:
    """One lead: its contact's details and the form that works it."""
    try:
        return _lead(request, console, db, lead_id, done=done if done in DONE else None)
    except HTTPException as exc:
        return refusal(request, console, exc)


def _lead(request: Request, console: Console, db: Session, lead_id: str, *,
          status_code: int = 200, **extra: Any) -> HTMLResponse:
    lead = staff_api.get_lead(lead_id, db, console.actor)
    return page(request, console, "lead.html", status_code=status_code, section="leads",
                lead=lead, sellers=_sellers(db, console.actor.tenant_id),
                names=staff_names(db, tenant_id=console.actor.tenant_id),
                stages=list(LeadStage), temperatures=list(Temperature), **extra)


@router.post("/leads/{lead_id}")
def update(request: Request, lead_id: str, console: ConsoleDep, db: SessionDep,
           stage: Text = "", temperature: Text = "", notes: LongText = "",
           assigned_to: Text = "") -> Response:
    """Save a lead's stage, temperature, notes and (admins) seller."""
    require(console, Scope.crm_write)
    changes: dict[str, Any] = {"notes": notes.strip() or None}
    if stage:
        changes["stage"] = stage
    if temperature:
        changes["temperature"] = temperature
    if console.is_admin:
        changes["assigned_to"] = assigned_to or None
    try:
        staff_api.patch_lead(lead_id, LeadPatch(**changes), db, console.actor)
    except (HTTPException, ValidationError) as exc:
        db.rollback()
        if isinstance(exc, HTTPException) and exc.status_code == status.HTTP_404_NOT_FOUND:
            return refusal(request, console, exc)
        code = exc.status_code if isinstance(exc, HTTPException) \
            else status.HTTP_422_UNPROCESSABLE_CONTENT
        return _lead(request, console, db, lead_id, status_code=code,
                     error=reason(exc, console.lang))
    return back_to(f"/console/leads/{lead_id}", "saved")
