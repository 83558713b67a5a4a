"""Staff API tokens: random bearer strings, of which only a SHA-256 is stored."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlmodel import Session, select

from crm.errors import NotFound
from crm.models import ApiToken, Tenant, User, utcnow

PREFIX = "mst_"
LAST_USED_RESOLUTION = timedelta(minutes=1)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(db: Session, *, user: User) -> str:
    """Create a token for `user` and return it; it cannot be recovered later."""
    token = PREFIX + secrets.token_urlsafe(32)
    db.add(ApiToken(user_id=user.id, token_hash=hash_token(token)))
    db.flush()
    return token


def user_by_email(db: Session, *, tenant: Tenant, email: str) -> User:
    user = db.exec(
        select(User).where(User.tenant_id == tenant.id, User.email == email.strip().lower())
    ).first()
    if user is None:
        raise NotFound(f"No staff user with that email in {tenant.slug!r}.")
    return user


def user_for_token(db: Session, *, token: str) -> User | None:
    """The active user a token belongs to, or None (unknown, revoked or inactive)."""
    if not token.startswith(PREFIX):
        return None
    row = db.exec(select(ApiToken).where(ApiToken.token_hash == hash_token(token))).first()
    if row is None or row.revoked_at is not None:
        return None
    user = db.get(User, row.user_id)
    if user is None or not user.active:
        return None
    now = utcnow()
    # Recorded at most once a minute: every staff request would otherwise be a write.
    if row.last_used_at is None or now - row.last_used_at >= LAST_USED_RESOLUTION:
        row.last_used_at = now
        db.add(row)
    return user
