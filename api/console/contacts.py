"""A contact's page: identities, leads, appointments, conversations and consents; correct
name, phone or email; delete the contact (admins).

Reading and correcting go through the staff API's route functions (api.routes.staff:
scoping, the "belongs to another contact" refusal, audit); deleting through the same
erasure as `DELETE /v1/contacts/{id}` (api.routes.inbox), audited before and after.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Query, Request, status
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlmodel import Session, col, select

from api.console.deps import Console, ConsoleDep
from api.console.inbox import require
from api.console.live import announce
from api.console.pages import back_to, page, reason, refusal
from api.deps import ChatEventsDep, PrivacyDep, SessionDep
from api.routes import inbox as inbox_api
from api.routes import staff as staff_api
from api.schemas import ContactPatch
from api.strict_input import StrictInputRoute
from crm.models import ChannelIdentity, Contact, Scope, Service
from crm.services.inbox import appointments_of, conversations_of, leads_of, staff_names

router = APIRouter(prefix="/console", include_in_schema=False, route_class=StrictInputRoute)

DONE = frozenset({"saved", "confirm_needed"})
Text = Annotated[str, Form(max_length=254)]


@router.get("/contacts/{contact_id}", response_class=HTMLResponse)
def contact_page(request: Request, contact_id: str, console: ConsoleDep, db: SessionDep,
                 done: str | None = Query(None, max_length=20)) -> HTMLResponse:
    try:
        return _page(request, console, db, contact_id, done=done if done in DONE else None)
    except HTTPException as exc:
        return refusal(request, console, exc)


def _page(request: Request, console: Console, db: Session, contact_id: str, *,
          status_code: int = 200, **extra: Any) -> HTMLResponse:
    details = staff_api.get_contact(contact_id, db, console.actor)
    contact = db.get(Contact, contact_id)
    identities = db.exec(select(ChannelIdentity).where(
        ChannelIdentity.contact_id == contact_id).order_by(col(ChannelIdentity.created_at)))
    services = {s.id: s.name for s in db.exec(select(Service).where(
        Service.tenant_id == console.actor.tenant_id))}
    return page(request, console, "contact.html", status_code=status_code,
                details=details, contact=contact,
                identities=[(i.channel, i.created_at) for i in identities],
                leads=leads_of(db, contact_id=contact_id),
                appointments=appointments_of(db, contact_id=contact_id),
                conversations=conversations_of(db, contact_id=contact_id),
                services=services, names=staff_names(db, tenant_id=console.actor.tenant_id),
                may_delete=Scope.privacy_manage in console.actor.scopes, **extra)


@router.post("/contacts/{contact_id}")
def correct(request: Request, contact_id: str, console: ConsoleDep, db: SessionDep,
            name: Text = "", phone: Text = "", email: Text = "") -> Response:
    """Correct name, phone and email (an emptied field is cleared)."""
    require(console, Scope.crm_write)
    form = {"name": name, "phone": phone, "email": email}
    try:
        staff_api.patch_contact(contact_id, ContactPatch(name=name.strip(), phone=phone.strip(),
                                                         email=email.strip()),
                                db, console.actor)
    except HTTPException as exc:
        db.rollback()
        if exc.status_code == status.HTTP_404_NOT_FOUND:
            return refusal(request, console, exc)
        return _page(request, console, db, contact_id, status_code=exc.status_code,
                     error=reason(exc, console.lang), form=form)
    except ValidationError as exc:
        db.rollback()
        return _page(request, console, db, contact_id,
                     status_code=status.HTTP_422_UNPROCESSABLE_CONTENT,
                     error=reason(exc, console.lang), form=form)
    return back_to(f"/console/contacts/{contact_id}", "saved")


@router.post("/contacts/{contact_id}/delete")
def delete(contact_id: str, console: ConsoleDep, db: SessionDep, privacy: PrivacyDep,
           events: ChatEventsDep, confirm: Annotated[str, Form(max_length=8)] = "") -> Response:
    """Erase the contact everywhere (admins), after the confirmation box was ticked."""
    require(console, Scope.privacy_manage)
    if confirm != "on":
        return back_to(f"/console/contacts/{contact_id}", "confirm_needed")
    inbox_api.delete_contact(contact_id, db, console.actor, privacy)
    announce(events, console.staff.tenant.slug)
    return back_to("/console/", "contact_deleted")
