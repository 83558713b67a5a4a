"""Staff users, roles and API tokens of a business (scope ``users:manage``: admins and
operators), and every user's own tokens.

Permission changes (new users, role changes, deactivations) and token issues and
revocations are written to the audit log. Deactivating a user, or changing their role,
revokes their live tokens: a token never outlives the permissions it was issued under.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Literal

from fastapi import APIRouter, HTTPException, Query, status
from pydantic import BaseModel, Field, field_validator
from sqlmodel import Session, col, select

from api.deps import CurrentActor, SessionDep, SettingsDep, UsersManager
from api.http_errors import unprocessable
from api.strict_input import StrictInputRoute
from crm.errors import InvalidScopes
from crm.models import ApiToken, InvitationPurpose, Role, Scope, User, scopes_for
from crm.services.console_sessions import revoke_user_sessions
from crm.services.invitations import issue_invitation
from crm.services.tokens import issue_token_row, revoke_token, revoke_user_tokens, tokens_of

router = APIRouter(prefix="/v1", tags=["staff users and tokens"], route_class=StrictInputRoute)

TenantRole = Literal["admin", "seller", "ml"]


class UserOut(BaseModel):
    id: str
    email: str
    name: str
    role: str
    active: bool
    created_at: datetime


class UserCreated(UserOut):
    invitation_url: str = Field(description="the new member sets a console password here "
                                            "(once, within MOSTRADOR_INVITATION_HOURS)")


class InvitationOut(BaseModel):
    invitation_url: str
    expires_at: datetime


class UserIn(BaseModel):
    email: str = Field(min_length=3, max_length=200, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    name: str = Field(min_length=1, max_length=200)
    role: TenantRole


class UserPatch(BaseModel):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    role: TenantRole | None = None
    active: bool | None = None


class TokenIn(BaseModel):
    user_id: str = Field(max_length=32)
    scopes: list[str] | None = Field(default=None, description=(
        "a subset of the user's role's scopes; default: all of them"))
    ttl_days: int | None = Field(default=None, ge=1, le=365,
                                 description="default: MOSTRADOR_TOKEN_TTL_DAYS")
    label: str | None = Field(default=None, max_length=100)

    @field_validator("scopes")
    @classmethod
    def _known(cls, value: list[str] | None) -> list[str] | None:
        if value is None:
            return None
        unknown = sorted(set(value) - {s.value for s in Scope})
        if unknown:
            raise ValueError(f"unknown scopes; known: {sorted(s.value for s in Scope)}")
        return value


class TokenOut(BaseModel):
    id: str
    user_id: str
    label: str | None
    scopes: list[str]
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None


class TokenIssued(TokenOut):
    token: str = Field(description="shown only now; only its hash is stored")


def _user_out(user: User) -> UserOut:
    return UserOut(id=user.id, email=user.email, name=user.name, role=user.role.value,
                   active=user.active, created_at=user.created_at)


def _token_out(db: Session, token: ApiToken) -> TokenOut:
    user = db.get(User, token.user_id)
    scopes = sorted(s.value for s in scopes_for(user.role, token.scopes)) if user else []
    return TokenOut(id=token.id, user_id=token.user_id, label=token.label, scopes=scopes,
                    created_at=token.created_at, expires_at=token.expires_at,
                    last_used_at=token.last_used_at, revoked_at=token.revoked_at)


def _own_user(db: Session, tenant_id: str, user_id: str) -> User:
    user = db.get(User, user_id)
    if user is None or user.tenant_id != tenant_id:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "No such user.")
    return user


@router.get("/users", response_model=list[UserOut])
def list_users(db: SessionDep, actor: UsersManager) -> list[UserOut]:
    users = db.exec(select(User).where(User.tenant_id == actor.tenant_id)
                    .order_by(col(User.created_at))).all()
    actor.audit(db, action="user.list", resource_type="user", resource_ids=[u.id for u in users])
    db.commit()
    return [_user_out(u) for u in users]


@router.post("/users", response_model=UserCreated, status_code=status.HTTP_201_CREATED)
def create_user(body: UserIn, db: SessionDep, actor: UsersManager,
                settings: SettingsDep) -> UserCreated:
    """Add a member of the staff; the answer carries their invitation link."""
    email = body.email.strip().lower()
    if db.exec(select(User).where(User.tenant_id == actor.tenant_id,
                                  User.email == email)).first():
        raise HTTPException(status.HTTP_409_CONFLICT, "A user with that email already exists.")
    user = User(tenant_id=actor.tenant_id, email=email, name=body.name, role=Role(body.role))
    db.add(user)
    db.flush()
    issued = issue_invitation(db, user=user, hours=settings.invitation_hours,
                              created_by=actor.user.id)
    actor.audit(db, action="user.create", resource_type="user", resource_ids=[user.id],
                details={"role": user.role.value})
    db.commit()
    return UserCreated(**_user_out(user).model_dump(),
                       invitation_url=issued.url(settings.base_url))


@router.post("/users/{user_id}/invitation", response_model=InvitationOut,
             status_code=status.HTTP_201_CREATED)
def invite_user(user_id: str, db: SessionDep, actor: UsersManager,
                settings: SettingsDep) -> InvitationOut:
    """A new link for the member to set (or reset) their console password; earlier unused
    links stop working, and their password and sessions stay until the link is used."""
    user = _own_user(db, actor.tenant_id, user_id)
    if not user.active:
        raise HTTPException(status.HTTP_409_CONFLICT, "Activate the user first.")
    purpose = InvitationPurpose.reset if user.password_hash else InvitationPurpose.invite
    issued = issue_invitation(db, user=user, hours=settings.invitation_hours, purpose=purpose,
                              created_by=actor.user.id)
    actor.audit(db, action="user.invite", resource_type="user", resource_ids=[user.id],
                details={"purpose": purpose.value})
    db.commit()
    return InvitationOut(invitation_url=issued.url(settings.base_url),
                         expires_at=issued.invitation.expires_at)


def _active_admins(db: Session, tenant_id: str) -> int:
    return len(db.exec(select(User.id).where(User.tenant_id == tenant_id,
                                             User.role == Role.admin, User.active)).all())


@router.patch("/users/{user_id}", response_model=UserOut)
def patch_user(user_id: str, body: UserPatch, db: SessionDep, actor: UsersManager) -> UserOut:
    """Rename, change the role of, or (de)activate a user. A role change or deactivation
    revokes the user's live tokens. The last active admin cannot be demoted or deactivated."""
    user = _own_user(db, actor.tenant_id, user_id)
    losing_admin = user.role == Role.admin and user.active and (
        (body.role is not None and body.role != "admin") or body.active is False)
    if losing_admin and _active_admins(db, actor.tenant_id) <= 1:
        raise HTTPException(status.HTTP_409_CONFLICT,
                            "This is the business's last active admin; make another admin "
                            "first.")
    revoked = 0
    if body.name is not None:
        user.name = body.name
    if body.role is not None and body.role != user.role.value:
        actor.audit(db, action="user.role_change", resource_type="user", resource_ids=[user.id],
                    details={"from": user.role.value, "to": body.role})
        user.role = Role(body.role)
        revoked += revoke_user_tokens(db, user_id=user.id)
        revoked += revoke_user_sessions(db, user_id=user.id)
    if body.active is not None and body.active != user.active:
        user.active = body.active
        if not body.active:
            revoked += revoke_user_tokens(db, user_id=user.id)
            revoked += revoke_user_sessions(db, user_id=user.id)
        actor.audit(db, action="user.activate" if body.active else "user.deactivate",
                    resource_type="user", resource_ids=[user.id],
                    details={"tokens_revoked": revoked})
    db.add(user)
    db.commit()
    return _user_out(user)


@router.get("/tokens", response_model=list[TokenOut])
def list_tokens(db: SessionDep, actor: CurrentActor,
                user_id: str | None = Query(None, max_length=32)) -> list[TokenOut]:
    """Your own tokens; with `users:manage`, any user's (`user_id`) or everyone's."""
    if Scope.users_manage not in actor.scopes:
        if user_id not in (None, actor.user.id):
            raise HTTPException(status.HTTP_403_FORBIDDEN,
                                "Listing other users' tokens needs the users:manage scope.")
        user_id = actor.user.id
    if actor.is_operator and user_id == actor.user.id:
        rows = list(db.exec(select(ApiToken).where(ApiToken.user_id == actor.user.id)))
    else:
        rows = tokens_of(db, tenant_id=actor.tenant_id, user_id=user_id)
    return [_token_out(db, t) for t in rows]


@router.post("/tokens", response_model=TokenIssued, status_code=status.HTTP_201_CREATED)
def create_token(body: TokenIn, db: SessionDep, actor: UsersManager,
                 settings: SettingsDep) -> TokenIssued:
    """Issue a token for a user of this business; the token is shown only in this answer."""
    user = _own_user(db, actor.tenant_id, body.user_id)
    if not user.active:
        raise HTTPException(status.HTTP_409_CONFLICT, "That user is deactivated.")
    try:
        secret, token = issue_token_row(
            db, user=user, scopes=body.scopes, label=body.label, created_by=actor.user.id,
            ttl=timedelta(days=body.ttl_days or settings.token_ttl_days))
    except InvalidScopes as exc:
        raise unprocessable(str(exc), loc=("body", "scopes")) from None
    actor.audit(db, action="token.issue", resource_type="token", resource_ids=[token.id],
                details={"user_id": user.id, "scopes": token.scopes,
                         "ttl_days": body.ttl_days or settings.token_ttl_days})
    db.commit()
    return TokenIssued(**_token_out(db, token).model_dump(), token=secret)


@router.delete("/tokens/{token_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_token(token_id: str, db: SessionDep, actor: CurrentActor) -> None:
    """Revoke a token: your own, or (with users:manage) any of this business's."""
    token = db.get(ApiToken, token_id)
    owner = db.get(User, token.user_id) if token is not None else None
    own = owner is not None and owner.id == actor.user.id
    if token is None or owner is None or not (
            own or (Scope.users_manage in actor.scopes and owner.tenant_id == actor.tenant_id)):
        raise HTTPException(status.HTTP_404_NOT_FOUND, "No such token.")
    if revoke_token(db, token=token):
        actor.audit(db, action="token.revoke", resource_type="token", resource_ids=[token.id],
                    details={"user_id": owner.id})
    db.commit()
