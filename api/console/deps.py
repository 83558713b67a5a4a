"""What every CRM page of the console needs: the signed-in staff member as an API `Actor`.

The console acts through the same code as the staff API (api.routes: scoping, audit, the
booking and takeover services, the channel rules), so a page can never see or do more than
the same person could with a token. The actor carries the role's whole scope set (a
console session is not narrowed the way a token can be). `ml` has no CRM: its pages are
the corpus screens (part 2), so a CRM page sends it there.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status

from api.console.auth import Staff, StaffDep
from api.deps import Actor, client_address
from crm.models import ROLE_SCOPES, Role

CORPUS_PAGE = "/console/corpus"


@dataclass(frozen=True)
class Console:
    """A CRM page's caller: who is signed in (for the page) and the same person as an
    API actor (for the routes and services)."""

    staff: Staff
    actor: Actor

    @property
    def lang(self) -> str:
        return self.staff.lang

    @property
    def is_admin(self) -> bool:
        return self.actor.sees_every_lead


def as_actor(staff: Staff, request: Request) -> Actor:
    return Actor(user=staff.user, role=staff.role, tenant=staff.tenant,
                 scopes=ROLE_SCOPES[staff.role],
                 token_id=f"console:{staff.signed_in.session.id}",
                 source=client_address(request))


def crm_console(request: Request, staff: StaffDep) -> Console:
    """The signed-in admin or seller; `ml` is sent to the corpus page (303)."""
    if staff.role == Role.ml:
        raise HTTPException(status.HTTP_303_SEE_OTHER, "The corpus screens.",
                            headers={"Location": CORPUS_PAGE})
    return Console(staff=staff, actor=as_actor(staff, request))


ConsoleDep = Annotated[Console, Depends(crm_console)]
