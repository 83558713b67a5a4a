"""Invitation links: how a new member of the staff (or one whose password was reset) sets
a password. One use, `MOSTRADOR_INVITATION_HOURS` (72 h) of life, only a hash stored."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import Session, col, select

from crm.errors import InvalidInvitation
from crm.models import Invitation, InvitationPurpose, User, utcnow
from crm.services.console_sessions import revoke_user_sessions
from crm.services.passwords import check_strength, hash_password

INVITE_PATH = "/console/invite/"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Issued:
    invitation: Invitation
    token: str  # shown once (in the link); only its hash is kept

    def url(self, base_url: str) -> str:
        return f"{base_url.rstrip('/')}{INVITE_PATH}{self.token}"


def issue_invitation(db: Session, *, user: User, hours: float,
                     purpose: InvitationPurpose = InvitationPurpose.invite,
                     created_by: str | None = None, now: datetime | None = None) -> Issued:
    """A new link for `user`; the user's earlier unused links stop working."""
    assert user.tenant_id is not None, "operators sign in with API tokens"
    now = now or utcnow()
    db.exec(update(Invitation).where(col(Invitation.user_id) == user.id,  # type: ignore[call-overload]
                                     col(Invitation.used_at).is_(None))
            .values(expires_at=now))
    token = secrets.token_urlsafe(32)
    invitation = Invitation(tenant_id=user.tenant_id, user_id=user.id, token_hash=_hash(token),
                            purpose=purpose, created_by=(created_by or "")[:64] or None,
                            created_at=now, expires_at=now + timedelta(hours=hours))
    db.add(invitation)
    db.flush()
    return Issued(invitation, token)


def pending_invitation(db: Session, *, token: str,
                       now: datetime | None = None) -> tuple[Invitation, User]:
    """The invitation a link names and its user; raises InvalidInvitation when it is
    unknown, used, expired, or its user was deactivated."""
    now = now or utcnow()
    invitation = db.exec(select(Invitation).where(Invitation.token_hash == _hash(token))).first()
    user = db.get(User, invitation.user_id) if invitation is not None else None
    if invitation is None or user is None or not user.active:
        raise InvalidInvitation("Este enlace no es válido. Pedile a quien administra el negocio "
                                "uno nuevo.")
    if invitation.used_at is not None:
        raise InvalidInvitation("Este enlace ya se usó. Si no recordás tu contraseña, pedile a "
                                "quien administra el negocio un enlace nuevo.")
    if invitation.expires_at <= now:
        raise InvalidInvitation("Este enlace venció. Pedile a quien administra el negocio uno "
                                "nuevo.")
    return invitation, user


def redeem(db: Session, *, token: str, password: str, now: datetime | None = None) -> User:
    """Set the user's password through the link, which then stops working. Raises
    InvalidInvitation or WeakPassword (its message says what to change)."""
    now = now or utcnow()
    invitation, user = pending_invitation(db, token=token, now=now)
    check_strength(password, email=user.email)
    # One use, even under two concurrent submissions: only the one that sets used_at wins.
    claimed = db.exec(update(Invitation).where(  # type: ignore[call-overload]
        col(Invitation.id) == invitation.id, col(Invitation.used_at).is_(None))
        .values(used_at=now))
    if (claimed.rowcount or 0) != 1:
        raise InvalidInvitation("Este enlace ya se usó.")
    user.password_hash = hash_password(password)
    db.add(user)
    revoke_user_sessions(db, user_id=user.id, now=now)  # a new password signs out the rest
    db.flush()
    return user
