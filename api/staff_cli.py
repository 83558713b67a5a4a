"""`mostrador users ...` and `mostrador operators ...`: staff, roles and API tokens from the
command line (what the admin API does, for whoever runs the server). Every command that
changes permissions or issues/revokes a token is audited as the OS user (actor "cli")."""

from __future__ import annotations

import getpass
from datetime import timedelta

import typer

from crm.db import get_engine, init_db, session_scope
from crm.errors import InvalidScopes, NotFound
from crm.models import Role, User
from crm.settings import get_settings

users_app = typer.Typer(help="Staff users of a business and their API tokens.",
                        no_args_is_help=True)
operators_app = typer.Typer(help="Platform operators (support across businesses; every "
                                 "access audited).", no_args_is_help=True)

_SCOPE_HELP = "Limit the token to this scope (repeat); default: every scope of the role"


def _engine():  # type: ignore[no-untyped-def]
    engine = get_engine(get_settings().database_url)
    init_db(engine)
    return engine


def _cli_actor() -> str:
    return f"cli:{getpass.getuser()}"[:64]


def _fail(message: str) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(2)


def _issue(user: User, scope: list[str], ttl_days: int | None, label: str | None,
           db: object) -> str:
    from sqlmodel import Session

    from crm.services.audit import record_event
    from crm.services.tokens import issue_token_row

    assert isinstance(db, Session)
    days = ttl_days or get_settings().token_ttl_days
    try:
        secret, row = issue_token_row(db, user=user, scopes=scope or None,
                                      ttl=timedelta(days=days), label=label,
                                      created_by=_cli_actor())
    except InvalidScopes as exc:
        raise _fail(str(exc)) from None
    record_event(db, action="token.issue", actor_kind="cli", actor_id=_cli_actor(),
                 tenant_id=user.tenant_id, resource_type="token", resource_ids=[row.id],
                 details={"user_id": user.id, "scopes": row.scopes, "ttl_days": days},
                 source="cli")
    return secret


@users_app.command("token")
def users_token(
    tenant: str = typer.Option(..., help="Business slug"),
    email: str = typer.Option(..., help="Staff user's email"),
    scope: list[str] = typer.Option([], help=_SCOPE_HELP),
    ttl_days: int | None = typer.Option(None, min=1, max=365,
                                        help="Days until it expires (MOSTRADOR_TOKEN_TTL_DAYS)"),
    label: str | None = typer.Option(None, help="What the token is for"),
) -> None:
    """Issue a new API token for a staff user; it is printed alone on the last line."""
    from crm.services.tenants import tenant_by_slug
    from crm.services.tokens import user_by_email

    try:
        with session_scope(_engine()) as db:
            user = user_by_email(db, tenant=tenant_by_slug(db, slug=tenant), email=email)
            if not user.active:
                raise _fail("that user is deactivated")
            token = _issue(user, scope, ttl_days, label, db)
    except NotFound as exc:
        raise _fail(str(exc)) from None
    typer.echo(f"New token for {email} ({user.role.value}); it is shown only once:")
    typer.echo(token)


@users_app.command("add")
def users_add(tenant: str = typer.Option(..., help="Business slug"),
              email: str = typer.Option(...), name: str = typer.Option(...),
              role: str = typer.Option(..., help="admin | seller | ml")) -> None:
    """Add a staff user to a business."""
    from sqlmodel import select

    from crm.services.audit import record_event
    from crm.services.tenants import tenant_by_slug

    if role not in ("admin", "seller", "ml"):
        raise _fail("role must be admin, seller or ml (operators: `mostrador operators add`)")
    try:
        with session_scope(_engine()) as db:
            business = tenant_by_slug(db, slug=tenant)
            address = email.strip().lower()
            if db.exec(select(User).where(User.tenant_id == business.id,
                                          User.email == address)).first():
                raise _fail("a user with that email already exists in that business")
            user = User(tenant_id=business.id, email=address, name=name, role=Role(role))
            db.add(user)
            db.flush()
            record_event(db, action="user.create", actor_kind="cli", actor_id=_cli_actor(),
                         tenant_id=business.id, resource_type="user", resource_ids=[user.id],
                         details={"role": role}, source="cli")
    except NotFound as exc:
        raise _fail(str(exc)) from None
    typer.echo(f"Added {role} {user.id} to {tenant!r}.")


@users_app.command("list")
def users_list(tenant: str = typer.Option(..., help="Business slug")) -> None:
    """One line per staff user: id, role, active, email."""
    from sqlmodel import col, select

    from crm.services.tenants import tenant_by_slug

    try:
        with session_scope(_engine()) as db:
            business = tenant_by_slug(db, slug=tenant)
            users = db.exec(select(User).where(User.tenant_id == business.id)
                            .order_by(col(User.created_at))).all()
    except NotFound as exc:
        raise _fail(str(exc)) from None
    for user in users:
        typer.echo(f"{user.id}\t{user.role.value}\t{'active' if user.active else 'inactive'}"
                   f"\t{user.email}")


@users_app.command("revoke-tokens")
def users_revoke_tokens(tenant: str = typer.Option(..., help="Business slug"),
                        email: str = typer.Option(..., help="Staff user's email")) -> None:
    """Revoke every live token of a staff user (a lost laptop, someone leaving)."""
    from crm.services.audit import record_event
    from crm.services.tenants import tenant_by_slug
    from crm.services.tokens import revoke_user_tokens, user_by_email

    try:
        with session_scope(_engine()) as db:
            business = tenant_by_slug(db, slug=tenant)
            user = user_by_email(db, tenant=business, email=email)
            count = revoke_user_tokens(db, user_id=user.id)
            record_event(db, action="token.revoke", actor_kind="cli", actor_id=_cli_actor(),
                         tenant_id=business.id, resource_type="user", resource_ids=[user.id],
                         details={"tokens_revoked": count}, source="cli")
    except NotFound as exc:
        raise _fail(str(exc)) from None
    typer.echo(f"Revoked {count} token(s).")


@operators_app.command("add")
def operators_add(email: str = typer.Option(...), name: str = typer.Option(...)) -> None:
    """Add a platform operator (no business; names one per request in X-Mostrador-Tenant)."""
    from sqlmodel import col, select

    from crm.services.audit import record_event

    address = email.strip().lower()
    with session_scope(_engine()) as db:
        if db.exec(select(User).where(col(User.tenant_id).is_(None),
                                      User.email == address)).first():
            raise _fail("an operator with that email already exists")
        user = User(tenant_id=None, email=address, name=name, role=Role.operator)
        db.add(user)
        db.flush()
        record_event(db, action="operator.create", actor_kind="cli", actor_id=_cli_actor(),
                     resource_type="user", resource_ids=[user.id], source="cli")
    typer.echo(f"Added operator {user.id}.")


@operators_app.command("token")
def operators_token(
    email: str = typer.Option(...),
    ttl_days: int | None = typer.Option(None, min=1, max=365,
                                        help="Days until it expires (default 1: support "
                                             "access is short-lived)"),
    scope: list[str] = typer.Option([], help=_SCOPE_HELP),
) -> None:
    """Issue an operator token; printed alone on the last line."""
    from crm.services.tokens import user_by_email

    try:
        with session_scope(_engine()) as db:
            user = user_by_email(db, tenant=None, email=email)
            token = _issue(user, scope, ttl_days or 1, "operator", db)
    except NotFound as exc:
        raise _fail(str(exc)) from None
    typer.echo(f"New operator token for {email}; it is shown only once:")
    typer.echo(token)


@users_app.command("invite")
def users_invite(tenant: str = typer.Option(..., help="Business slug"),
                 email: str = typer.Option(..., help="Staff user's email")) -> None:
    """A new invitation link for a staff user (to set or reset the console password);
    printed alone on the last line. Earlier unused links stop working."""
    from crm.models import InvitationPurpose
    from crm.services.audit import record_event
    from crm.services.invitations import issue_invitation
    from crm.services.tenants import tenant_by_slug
    from crm.services.tokens import user_by_email

    settings = get_settings()
    try:
        with session_scope(_engine()) as db:
            user = user_by_email(db, tenant=tenant_by_slug(db, slug=tenant), email=email)
            if not user.active:
                raise _fail("that user is deactivated")
            purpose = InvitationPurpose.reset if user.password_hash else \
                InvitationPurpose.invite
            issued = issue_invitation(db, user=user, hours=settings.invitation_hours,
                                      purpose=purpose, created_by=_cli_actor())
            record_event(db, action="user.invite", actor_kind="cli", actor_id=_cli_actor(),
                         tenant_id=user.tenant_id, resource_type="user", resource_ids=[user.id],
                         details={"purpose": purpose.value}, source="cli")
    except NotFound as exc:
        raise _fail(str(exc)) from None
    typer.echo(f"Invitation for {user.email}, valid for {settings.invitation_hours} h:")
    typer.echo(issued.url(settings.base_url))


@users_app.command("set-password")
def users_set_password(
    tenant: str = typer.Option(..., help="Business slug"),
    email: str = typer.Option(..., help="Staff user's email"),
    password_stdin: bool = typer.Option(False, "--password-stdin",
                                        help="Read the password from standard input"),
) -> None:
    """Set a staff user's console password (for scripts: `--password-stdin`); signs out
    the user's sessions."""
    import sys

    from crm.errors import WeakPassword
    from crm.services.audit import record_event
    from crm.services.console_sessions import revoke_user_sessions
    from crm.services.passwords import check_strength, hash_password
    from crm.services.tenants import tenant_by_slug
    from crm.services.tokens import user_by_email

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = getpass.getpass("New password: ")
        if getpass.getpass("Again: ") != password:
            raise _fail("the two passwords differ")
    try:
        with session_scope(_engine()) as db:
            user = user_by_email(db, tenant=tenant_by_slug(db, slug=tenant), email=email)
            check_strength(password, email=user.email)
            user.password_hash = hash_password(password)
            db.add(user)
            revoked = revoke_user_sessions(db, user_id=user.id)
            record_event(db, action="user.set_password", actor_kind="cli",
                         actor_id=_cli_actor(), tenant_id=user.tenant_id, resource_type="user",
                         resource_ids=[user.id], details={"sessions_revoked": revoked},
                         source="cli")
    except (NotFound, WeakPassword) as exc:
        raise _fail(str(exc)) from None
    typer.echo(f"Password set for {user.email}.")
