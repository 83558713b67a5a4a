"""Signing in to the staff console: the session cookie, CSRF, throttling, invitations.

- **Session.** `mostrador_session` cookie: `HttpOnly`, `SameSite=Lax`, `Secure` over HTTPS
  and always in production; the server keeps only its hash (crm.services.console_sessions),
  with an idle (`MOSTRADOR_CONSOLE_SESSION_IDLE_MINUTES`) and an absolute
  (`MOSTRADOR_CONSOLE_SESSION_DAYS`) expiry. Signing out, deactivating the user, changing
  their role or password ends their sessions.
- **CSRF.** Every console request that changes something (POST, PUT, PATCH, DELETE) carries
  the session's CSRF token, in the `csrf_token` form field or the `X-CSRF-Token` header
  (htmx sends it from the page's meta tag); without it: 403.
- **Throttling.** Sign-in attempts are counted per account (the email) and per client
  address in 15-minute windows (`MOSTRADOR_LOGIN_ATTEMPTS_PER_*`); over them: 429.
- **Audit.** Every sign-in, refused sign-in, sign-out and password set through a link.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, HTTPException, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session, col, select

from api.chat_limits import Limit, RateLimited
from api.console.pages import render
from api.deps import ChatLimiterDep, SessionDep, SettingsDep, client_address
from api.strict_input import StrictInputRoute
from crm.errors import InvalidInvitation, WeakPassword
from crm.models import Role, Tenant, User
from crm.services.audit import record_event
from crm.services.console_sessions import (
    SignedIn,
    csrf_ok,
    csrf_token,
    end_session,
    session_for,
    start_session,
)
from crm.services.invitations import pending_invitation, redeem
from crm.services.passwords import verify_password
from crm.settings import Settings

COOKIE = "mostrador_session"
LOGIN_WINDOW_SECONDS = 15 * 60
UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})

router = APIRouter(prefix="/console", include_in_schema=False,
                   route_class=StrictInputRoute)


def _secret(settings: Settings) -> bytes:
    return hashlib.sha256(b"mostrador/console-csrf/v1\x00"
                          + settings.secret_key.get_secret_value().encode()).digest()


@dataclass(frozen=True)
class Staff:
    """Who is signed in to the console, and the CSRF token their pages carry."""

    user: User
    tenant: Tenant
    signed_in: SignedIn
    csrf: str

    @property
    def role(self) -> Role:
        return self.user.role

    @property
    def sees_every_lead(self) -> bool:
        return self.user.role == Role.admin

    @property
    def lang(self) -> str:
        return "en" if self.user.locale == "en" else "es"


class SignInRequired(Exception):
    """Raised by the console's dependency; the app turns it into a redirect to sign in
    (or, for htmx, an `HX-Redirect`)."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


def login_redirect(request: Request, next_path: str) -> Response:
    target = f"/console/login?next={quote(next_path, safe='/')}"
    if request.headers.get("hx-request"):
        return Response(status_code=204, headers={"HX-Redirect": target})
    return RedirectResponse(target, status_code=status.HTTP_303_SEE_OTHER)


async def current_staff(request: Request, db: SessionDep, settings: SettingsDep) -> Staff:
    """The signed-in staff member (SignInRequired otherwise); refuses a changing request
    without the session's CSRF token (403)."""
    token = request.cookies.get(COOKIE)
    idle = timedelta(minutes=settings.console_session_idle_minutes)
    signed = session_for(db, token=token, idle=idle) if token else None
    if signed is None:
        db.rollback()
        raise SignInRequired(request.url.path)
    tenant = db.get(Tenant, signed.user.tenant_id)
    db.commit()
    assert token is not None and tenant is not None
    if request.method in UNSAFE:
        given = request.headers.get("x-csrf-token")
        if given is None and request.headers.get("content-type", "").startswith(
                ("application/x-www-form-urlencoded", "multipart/form-data")):
            given = str((await request.form()).get("csrf_token") or "") or None
        if not csrf_ok(token, given, secret=_secret(settings)):
            raise HTTPException(status.HTTP_403_FORBIDDEN,
                                "This form expired or did not come from the console: reload "
                                "the page and try again.")
    return Staff(user=signed.user, tenant=tenant, signed_in=signed,
                 csrf=csrf_token(token, secret=_secret(settings)))


StaffDep = Annotated[Staff, Depends(current_staff)]


def _set_cookie(response: Response, token: str, request: Request, settings: Settings) -> None:
    secure = settings.env == "production" or request.url.scheme == "https" \
        or request.headers.get("x-forwarded-proto") == "https"
    response.set_cookie(COOKIE, token, max_age=settings.console_session_days * 86400,
                        httponly=True, samesite="lax", secure=secure, path="/")


def _safe_next(next_path: str | None) -> str:
    """Only a console path of this site: never an open redirect."""
    if next_path and next_path.startswith("/console/") and not next_path.startswith("//"):
        return next_path
    return "/console/"


def _lang(request: Request) -> str:
    first = request.headers.get("accept-language", "es").split(",")[0].strip().lower()
    return "en" if first.startswith("en") else "es"


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str | None = None) -> HTMLResponse:
    return render(request, "login.html", lang=_lang(request), next=_safe_next(next))


@router.post("/login", response_class=HTMLResponse)
def login(request: Request, db: SessionDep, settings: SettingsDep, limiter: ChatLimiterDep,
          email: Annotated[str, Form(max_length=200)],
          password: Annotated[str, Form(max_length=256)],
          next: Annotated[str | None, Form(max_length=500)] = None) -> Response:
    """A good sign-in redirects to the console; a bad one shows the form again with an
    error and sets no session."""
    lang, address = _lang(request), client_address(request)
    email = email.strip().lower()
    try:
        limiter.check(Limit("login-address", settings.login_attempts_per_address,
                            LOGIN_WINDOW_SECONDS), address or "?")
        limiter.check(Limit("login-account", settings.login_attempts_per_account,
                            LOGIN_WINDOW_SECONDS), email)
    except RateLimited as exc:
        return render(request, "login.html", lang=lang, next=_safe_next(next), email=email,
                      error="throttled", retry_after=exc.retry_after, status_code=429,
                      headers={"Retry-After": str(exc.retry_after)})
    user = _authenticate(db, email, password)
    if user is None:
        known = db.exec(select(User).where(User.email == email,
                                           col(User.tenant_id).is_not(None))).first()
        record_event(db, action="auth.console_login_failed", actor_kind="user",
                     actor_id=known.id if known else None,
                     tenant_id=known.tenant_id if known else None, resource_type="user",
                     resource_ids=[known.id] if known else [], source=address)
        db.commit()
        return render(request, "login.html", lang=lang, next=_safe_next(next), email=email,
                      error="invalid", status_code=401)
    token = start_session(db, user=user, absolute=timedelta(days=settings.console_session_days),
                          source=address)
    record_event(db, action="auth.console_login", actor_kind="user", actor_id=user.id,
                 tenant_id=user.tenant_id, resource_type="user", resource_ids=[user.id],
                 source=address)
    db.commit()
    target = _safe_next(next) if user.role != Role.ml else "/console/corpus"
    response = RedirectResponse(target, status_code=status.HTTP_303_SEE_OTHER)
    _set_cookie(response, token, request, settings)
    return response


def _authenticate(db: Session, email: str, password: str) -> User | None:
    """The active staff user with that email and password (emails are unique per business;
    the same email in two businesses signs in where the password matches)."""
    candidates = db.exec(select(User).where(User.email == email, User.active,
                                            col(User.tenant_id).is_not(None))).all()
    found = [u for u in candidates if verify_password(password, u.password_hash)]
    if not candidates:
        verify_password(password, None)  # the same time whether or not the email exists
    return found[0] if found else None


@router.post("/logout")
def logout(request: Request, staff: StaffDep, db: SessionDep) -> Response:
    end_session(db, session=staff.signed_in.session)
    record_event(db, action="auth.console_logout", actor_kind="user", actor_id=staff.user.id,
                 tenant_id=staff.tenant.id, resource_type="user", resource_ids=[staff.user.id],
                 source=client_address(request))
    db.commit()
    response = RedirectResponse("/console/login", status_code=status.HTTP_303_SEE_OTHER)
    response.delete_cookie(COOKIE, path="/")
    return response


@router.get("/invite/{token}", response_class=HTMLResponse)
def invite_form(request: Request, token: str, db: SessionDep) -> HTMLResponse:
    lang = _lang(request)
    try:
        _, user = pending_invitation(db, token=token)
    except InvalidInvitation as exc:
        return render(request, "invite.html", lang=lang, invalid=str(exc), status_code=410)
    return render(request, "invite.html", lang=lang, token=token, email=user.email)


@router.post("/invite/{token}", response_class=HTMLResponse)
def invite(request: Request, token: str, db: SessionDep, settings: SettingsDep,
           password: Annotated[str, Form(max_length=256)],
           repeat: Annotated[str, Form(max_length=256)]) -> Response:
    """Set the password through the link (once), and sign in."""
    lang = _lang(request)
    try:
        _, user = pending_invitation(db, token=token)
        if password != repeat:
            return render(request, "invite.html", lang=lang, token=token, email=user.email,
                          error="mismatch", status_code=422)
        user = redeem(db, token=token, password=password)
    except InvalidInvitation as exc:
        db.rollback()
        return render(request, "invite.html", lang=lang, invalid=str(exc), status_code=410)
    except WeakPassword as exc:
        db.rollback()
        return render(request, "invite.html", lang=lang, token=token, email=user.email,
                      error_text=str(exc), status_code=422)
    address = client_address(request)
    record_event(db, action="auth.password_set", actor_kind="user", actor_id=user.id,
                 tenant_id=user.tenant_id, resource_type="user", resource_ids=[user.id],
                 source=address)
    session_token = start_session(db, user=user, source=address,
                                  absolute=timedelta(days=settings.console_session_days))
    record_event(db, action="auth.console_login", actor_kind="user", actor_id=user.id,
                 tenant_id=user.tenant_id, resource_type="user", resource_ids=[user.id],
                 source=address)
    db.commit()
    response = RedirectResponse("/console/" if user.role != Role.ml else "/console/corpus",
                                status_code=status.HTTP_303_SEE_OTHER)
    _set_cookie(response, session_token, request, settings)
    return response
