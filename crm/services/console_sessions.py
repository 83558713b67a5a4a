"""Server-side sessions of the staff console: revocable, with idle and absolute expiry.

The browser holds a random token (256 bits) in an HttpOnly cookie; the database holds its
SHA-256. A session ends when signed out, revoked (the user was deactivated, changed role or
had the password reset), unused for `idle` or older than `absolute`. The CSRF token of a
session is a keyed hash of its token (no storage): forms and htmx requests carry it.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import Session, col, select

from crm.models import ConsoleSession, User, utcnow

TOUCH_EVERY = timedelta(minutes=1)  # last_seen_at is written at most this often


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class SignedIn:
    session: ConsoleSession
    user: User


def start_session(db: Session, *, user: User, absolute: timedelta, source: str | None,
                  now: datetime | None = None) -> str:
    """A new session for `user`; returns the token for the cookie (never stored)."""
    now = now or utcnow()
    token = secrets.token_urlsafe(32)
    db.add(ConsoleSession(user_id=user.id, token_hash=_hash(token), created_at=now,
                          last_seen_at=now, expires_at=now + absolute,
                          source=(source or "")[:64] or None))
    user.last_login_at = now
    db.add(user)
    db.flush()
    return token


def session_for(db: Session, *, token: str, idle: timedelta,
                now: datetime | None = None) -> SignedIn | None:
    """The live session of a cookie's token and its (active) user, else None; refreshes
    its last use."""
    now = now or utcnow()
    session = db.exec(select(ConsoleSession).where(
        ConsoleSession.token_hash == _hash(token))).first()
    if session is None or session.revoked_at is not None or session.expires_at <= now \
            or session.last_seen_at + idle <= now:
        return None
    user = db.get(User, session.user_id)
    if user is None or not user.active or user.tenant_id is None:
        return None
    if now - session.last_seen_at >= TOUCH_EVERY:
        session.last_seen_at = now
        db.add(session)
        db.flush()
    return SignedIn(session, user)


def end_session(db: Session, *, session: ConsoleSession, now: datetime | None = None) -> None:
    session.revoked_at = now or utcnow()
    db.add(session)
    db.flush()


def revoke_user_sessions(db: Session, *, user_id: str, now: datetime | None = None) -> int:
    """End every live session of a user; how many."""
    result = db.exec(update(ConsoleSession).where(  # type: ignore[call-overload]
        col(ConsoleSession.user_id) == user_id, col(ConsoleSession.revoked_at).is_(None))
        .values(revoked_at=now or utcnow()))
    db.flush()
    return result.rowcount or 0


def csrf_token(token: str, *, secret: bytes) -> str:
    """The CSRF token of the session whose cookie holds `token`."""
    return hmac.new(secret, b"csrf\x00" + token.encode("utf-8"), hashlib.sha256).hexdigest()


def csrf_ok(token: str, given: str | None, *, secret: bytes) -> bool:
    return given is not None and hmac.compare_digest(csrf_token(token, secret=secret), given)
