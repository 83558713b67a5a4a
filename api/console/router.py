"""Every screen of the console, in one router for the app (sign-in lives in auth)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from api.console import calendar, contacts, dashboard, inbox, leads
from api.console.auth import StaffDep
from api.console.deps import Console, as_actor
from api.console.pages import page
from api.deps import SessionDep
from api.strict_input import StrictInputRoute

router = APIRouter(include_in_schema=False, route_class=StrictInputRoute)
for screens in (inbox.router, calendar.router, leads.router, contacts.router,
                dashboard.router):
    router.include_router(screens)


@router.get("/console/corpus", response_class=HTMLResponse)
def corpus(request: Request, staff: StaffDep) -> HTMLResponse:
    """Where the ML team lands: the corpus screens are part 2 of the console."""
    return page(request, Console(staff=staff, actor=as_actor(staff, request)), "corpus.html")


@router.post("/console/language")
def language(request: Request, staff: StaffDep, db: SessionDep,
             lang: Annotated[str, Form(max_length=2)] = "es",
             back: Annotated[str, Form(max_length=500)] = "/console/") -> RedirectResponse:
    """The signed-in person's language for the console (Spanish unless they chose English)."""
    user = staff.user
    user.locale = "en" if lang == "en" else "es"
    db.add(user)
    db.commit()
    target = back if back.startswith("/console/") and not back.startswith("//") \
        else "/console/"
    return RedirectResponse(target, status_code=303)
