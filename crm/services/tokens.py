"""Staff API tokens: random bearer strings of which only a SHA-256 is stored; each is
scoped (a subset of its user's role), expires, and can be revoked."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from sqlmodel import Session, col, select

from crm.errors import InvalidScopes, NotFound
from crm.models import ROLE_SCOPES, ApiToken, Role, Scope, Tenant, User, scopes_for, utcnow

PREFIX = "mst_"
LAST_USED_RESOLUTION = timedelta(minutes=1)
# A token used after this long idle starts a new "session": its use is audited again.
SESSION_GAP = timedelta(minutes=30)
DEFAULT_TTL = timedelta(days=90)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(db: Session, *, user: User, scopes: Sequence[str] | None = None,
                ttl: timedelta | None = DEFAULT_TTL, label: str | None = None,
                created_by: str | None = None, now: datetime | None = None) -> str:
    """Create a token for `user` and return it; it cannot be recovered later (see
    `issue_token_row`)."""
    return issue_token_row(db, user=user, scopes=scopes, ttl=ttl, label=label,
                           created_by=created_by, now=now)[0]


def issue_token_row(db: Session, *, user: User, scopes: Sequence[str] | None = None,
                    ttl: timedelta | None = DEFAULT_TTL, label: str | None = None,
                    created_by: str | None = None, now: datetime | None = None
                    ) -> tuple[str, ApiToken]:
    """Create a token for `user`: the secret (shown once) and its stored row.

    `scopes` None gives the token every scope of the user's role; a list must be within the
    role's (InvalidScopes otherwise). `ttl` None makes a token that never expires (only
    for tests and tooling; the API and CLI always pass one).
    """
    chosen: list[str] | None = None
    if scopes is not None:
        allowed = {s.value for s in ROLE_SCOPES[user.role]}
        unknown = sorted(set(scopes) - allowed)
        if unknown or not scopes:
            raise InvalidScopes(
                f"A {user.role.value} token may carry only {sorted(allowed)}; "
                f"not {unknown or 'an empty list'}.")
        chosen = sorted(set(scopes))
    now = now or utcnow()
    token = PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(user_id=user.id, token_hash=hash_token(token), scopes=chosen, label=label,
                   created_by=created_by, created_at=now,
                   expires_at=now + ttl if ttl is not None else None)
    db.add(row)
    db.flush()
    return token, row


def user_by_email(db: Session, *, tenant: Tenant | None, email: str) -> User:
    """The staff user with that email in the business (`tenant` None: an operator)."""
    query = select(User).where(User.email == email.strip().lower())
    if tenant is None:
        query = query.where(col(User.tenant_id).is_(None), User.role == Role.operator)
    else:
        query = query.where(User.tenant_id == tenant.id)
    user = db.exec(query).first()
    if user is None:
        where = f"in {tenant.slug!r}" if tenant is not None else "among the operators"
        raise NotFound(f"No staff user with that email {where}.")
    return user


TokenStatus = Literal["ok", "unknown", "revoked", "expired", "inactive"]


@dataclass(frozen=True)
class TokenCheck:
    status: TokenStatus
    token: ApiToken | None = None
    user: User | None = None
    new_session: bool = False  # first use, or first after SESSION_GAP idle: audit it

    @property
    def ok(self) -> bool:
        return self.status == "ok"


def authenticate(db: Session, *, token: str, now: datetime | None = None) -> TokenCheck:
    """Check a bearer token. Records its use (at most once a minute: every staff request
    would otherwise be a write); the caller commits."""
    if not token.startswith(PREFIX):
        return TokenCheck("unknown")
    row = db.exec(select(ApiToken).where(ApiToken.token_hash == hash_token(token))).first()
    if row is None:
        return TokenCheck("unknown")
    now = now or utcnow()
    user = db.get(User, row.user_id)
    if row.revoked_at is not None:
        return TokenCheck("revoked", row, user)
    if row.expires_at is not None and row.expires_at <= now:
        return TokenCheck("expired", row, user)
    if user is None or not user.active:
        return TokenCheck("inactive", row, user)
    new_session = row.last_used_at is None or now - row.last_used_at >= SESSION_GAP
    if row.last_used_at is None or now - row.last_used_at >= LAST_USED_RESOLUTION:
        row.last_used_at = now
        db.add(row)
    return TokenCheck("ok", row, user, new_session)


def user_for_token(db: Session, *, token: str) -> User | None:
    """The active user a valid token belongs to, or None."""
    check = authenticate(db, token=token)
    return check.user if check.ok else None


def tokens_of(db: Session, *, tenant_id: str, user_id: str | None = None) -> list[ApiToken]:
    """Tokens of a business's staff (of one user when `user_id`), newest first."""
    query = (select(ApiToken).join(User, col(User.id) == ApiToken.user_id)
             .where(User.tenant_id == tenant_id))
    if user_id is not None:
        query = query.where(ApiToken.user_id == user_id)
    return list(db.exec(query.order_by(col(ApiToken.created_at).desc())))


def revoke_token(db: Session, *, token: ApiToken, now: datetime | None = None) -> bool:
    """Revoke one token; False when it already was."""
    if token.revoked_at is not None:
        return False
    token.revoked_at = now or utcnow()
    db.add(token)
    db.flush()
    return True


def revoke_user_tokens(db: Session, *, user_id: str, now: datetime | None = None) -> int:
    """Revoke every live token of a user (deactivation, role change); how many."""
    count = 0
    for row in db.exec(select(ApiToken).where(ApiToken.user_id == user_id,
                                              col(ApiToken.revoked_at).is_(None))):
        count += revoke_token(db, token=row, now=now)
    return count


def effective_scopes(token: ApiToken, user: User) -> frozenset[Scope]:
    return scopes_for(user.role, token.scopes)
