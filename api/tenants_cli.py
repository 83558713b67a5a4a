"""`mostrador tenants ...`: create a business from the command line (what
`POST /v1/operator/tenants` does for operators), audited as the OS user."""

from __future__ import annotations

import getpass

import typer

from crm.db import get_engine, init_db, session_scope
from crm.errors import AlreadyExists, InvalidInput
from crm.settings import get_settings

tenants_app = typer.Typer(help="Businesses on this Mostrador.", no_args_is_help=True)


@tenants_app.command("create")
def tenants_create(
    slug: str = typer.Option(..., help="Short name for URLs: the chat is /chat/SLUG"),
    name: str = typer.Option(..., help="The business's name, as customers see it"),
    timezone: str = typer.Option(..., help="IANA timezone, e.g. America/Argentina/Buenos_Aires"),
    admin_email: str = typer.Option(..., help="The first admin's email"),
    locale: str = typer.Option("es-AR", help="Language and country, e.g. es-MX"),
    currency: str = typer.Option("ARS", help="ISO currency code, e.g. MXN"),
    admin_name: str | None = typer.Option(None, help="The admin's name"),
) -> None:
    """Create a business with sensible defaults (Mon–Fri 9–18, an agent configuration, no
    services) and its first admin; the admin's invitation link is printed alone on the
    last line (it works once, for MOSTRADOR_INVITATION_HOURS)."""
    from crm.services.audit import record_event
    from crm.services.tenants import create_tenant

    settings = get_settings()
    actor = f"cli:{getpass.getuser()}"[:64]
    engine = get_engine(settings.database_url)
    init_db(engine)
    try:
        with session_scope(engine) as db:
            created = create_tenant(db, slug=slug, name=name, timezone=timezone,
                                    admin_email=admin_email, locale=locale, currency=currency,
                                    admin_name=admin_name,
                                    invitation_hours=settings.invitation_hours,
                                    created_by=actor)
            record_event(db, action="tenant.create", actor_kind="cli", actor_id=actor,
                         tenant_id=created.tenant.id, resource_type="tenant",
                         resource_ids=[created.tenant.id, created.admin.id], source="cli")
    except (InvalidInput, AlreadyExists) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    typer.echo(f"Created {created.tenant.name!r} (slug {created.tenant.slug}); its chat: "
               f"{settings.base_url}/chat/{created.tenant.slug}")
    typer.echo(f"The admin ({created.admin.email}) sets a password at this link, valid for "
               f"{settings.invitation_hours} h:")
    typer.echo(created.invitation.url(settings.base_url))
