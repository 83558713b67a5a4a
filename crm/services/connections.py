"""Channel connections: create, list (masked), delete, look up, and re-encrypt secrets.

Every secret goes through a SecretBox (crm.crypto); no function here returns or logs a
plaintext secret except `secrets_of`, which the webhook and outbound paths need.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from crm.crypto import SecretBox
from crm.errors import AlreadyExists, NotFound
from crm.models import (
    ChannelConnection,
    ChannelConnectionPublic,
    ChannelKind,
    Role,
    Tenant,
    User,
    utcnow,
)

MASK = "••••"


@dataclass(frozen=True)
class ConnectionSecrets:
    """Decrypted secrets of one connection; keep in memory only, never log."""

    access_token: str
    app_secret: str | None  # None: the platform's Meta app signs this account's webhooks

    def __repr__(self) -> str:  # a stray log of the object must not leak
        return "ConnectionSecrets(<redacted>)"


def create_connection(
    db: Session,
    *,
    box: SecretBox,
    tenant: Tenant,
    kind: ChannelKind,
    account_id: str,
    access_token: str,
    verify_token: str,
    app_secret: str | None = None,
    template_name: str | None = None,
    template_language: str | None = None,
    otp_template_name: str | None = None,
    otp_template_language: str | None = None,
    seller_emails: list[str] | None = None,
) -> ChannelConnection:
    """Store a connection with its secrets encrypted.

    Raises AlreadyExists when the account is already connected (to any business) and
    NotFound when a seller email is not an active seller of the tenant.
    """
    seller_ids: list[str] = []
    for email in seller_emails or []:
        seller = db.exec(select(User).where(
            User.tenant_id == tenant.id, User.email == email.strip().lower(),
            User.role == Role.seller, User.active)).first()
        if seller is None:
            raise NotFound(f"No active seller with that email in {tenant.slug!r}.")
        seller_ids.append(seller.id)
    connection = ChannelConnection(
        tenant_id=tenant.id, kind=kind, account_id=account_id.strip(),
        access_token_enc=box.encrypt(access_token), access_token_last4=access_token[-4:],
        app_secret_enc=box.encrypt(app_secret) if app_secret else None,
        verify_token_enc=box.encrypt(verify_token),
        verify_token_hash=box.lookup_hash(verify_token),
        template_name=template_name, template_language=template_language,
        otp_template_name=otp_template_name, otp_template_language=otp_template_language,
        seller_ids=seller_ids,
    )
    try:
        with db.begin_nested():
            db.add(connection)
            db.flush()
    except IntegrityError:
        raise AlreadyExists(f"That {kind.value} account is already connected.") from None
    return connection


def public(connection: ChannelConnection) -> ChannelConnectionPublic:
    return ChannelConnectionPublic(
        id=connection.id, kind=connection.kind, account_id=connection.account_id,
        access_token=MASK + connection.access_token_last4,
        has_app_secret=connection.app_secret_enc is not None,
        uses_platform_app=connection.app_secret_enc is None,
        has_verify_token=bool(connection.verify_token_enc),
        template_name=connection.template_name, template_language=connection.template_language,
        otp_template_name=connection.otp_template_name,
        otp_template_language=connection.otp_template_language,
        seller_ids=list(connection.seller_ids), active=connection.active,
        created_at=connection.created_at,
    )


def list_connections(db: Session, *, tenant: Tenant) -> list[ChannelConnection]:
    return list(db.exec(select(ChannelConnection)
                        .where(ChannelConnection.tenant_id == tenant.id)
                        .order_by(col(ChannelConnection.created_at))))


def delete_connection(db: Session, *, tenant: Tenant, connection_id: str) -> None:
    """Raises NotFound for an unknown id or another tenant's connection."""
    connection = db.get(ChannelConnection, connection_id)
    if connection is None or connection.tenant_id != tenant.id:
        raise NotFound("No such connection.")
    db.delete(connection)
    db.flush()


def connections_for(
    db: Session, *, accounts: set[tuple[ChannelKind, str]]
) -> dict[tuple[ChannelKind, str], ChannelConnection]:
    """The active connections addressed by (kind, account_id) pairs; unknown ones absent."""
    if not accounts:
        return {}
    ids = {account for _, account in accounts}
    rows = db.exec(select(ChannelConnection).where(
        col(ChannelConnection.account_id).in_(ids), ChannelConnection.active))
    return {(row.kind, row.account_id): row for row in rows
            if (row.kind, row.account_id) in accounts}


def secrets_of(connection: ChannelConnection, *, box: SecretBox) -> ConnectionSecrets:
    return ConnectionSecrets(
        access_token=box.decrypt(connection.access_token_enc),
        app_secret=app_secret_of(connection, box=box),
    )


def app_secret_of(connection: ChannelConnection, *, box: SecretBox) -> str | None:
    """The connection's own app secret (None: it uses the platform's Meta app)."""
    return box.decrypt(connection.app_secret_enc) if connection.app_secret_enc else None


def all_app_secrets(db: Session, *, box: SecretBox) -> list[str]:
    """Every connection's own app secret (for bodies that name no connection)."""
    rows = db.exec(select(ChannelConnection.app_secret_enc).where(
        col(ChannelConnection.app_secret_enc).is_not(None), ChannelConnection.active))
    return sorted({box.decrypt(token) for token in rows if token})


def verify_token_known(db: Session, *, box: SecretBox, token: str) -> bool:
    """Whether `token` is the verify token of some active connection (by keyed hash)."""
    hashes = box.lookup_hashes(token)
    row = db.exec(select(ChannelConnection.id).where(
        col(ChannelConnection.verify_token_hash).in_(hashes), ChannelConnection.active)).first()
    return row is not None


def rotate_secrets(db: Session, *, box: SecretBox) -> int:
    """Re-encrypt every stored secret with the primary key; return how many rows changed.

    Raises SecretUnavailable when some secret opens with no configured key (nothing is
    changed then: the caller's transaction rolls back).
    """
    count = 0
    for row in db.exec(select(ChannelConnection)):
        row.access_token_enc = box.rotate(row.access_token_enc)
        if row.app_secret_enc:
            row.app_secret_enc = box.rotate(row.app_secret_enc)
        row.verify_token_hash = box.lookup_hash(box.decrypt(row.verify_token_enc))
        row.verify_token_enc = box.rotate(row.verify_token_enc)
        row.updated_at = utcnow()
        db.add(row)
        count += 1
    db.flush()
    return count
