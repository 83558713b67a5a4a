"""The `mostrador` command line."""

from __future__ import annotations

import sys
import uuid

import typer

from crm.db import get_engine, init_db, session_scope
from crm.errors import NotFound
from crm.settings import get_settings

app = typer.Typer(help="Mostrador: AI sales-and-service agents for small businesses.",
                  no_args_is_help=True, add_completion=False)
users_app = typer.Typer(help="Staff users.", no_args_is_help=True)
app.add_typer(users_app, name="users")


def _engine():  # type: ignore[no-untyped-def]
    engine = get_engine(get_settings().database_url)
    init_db(engine)
    return engine


@app.command()
def serve(host: str | None = typer.Option(None, help="Default: MOSTRADOR_HOST"),
          port: int | None = typer.Option(None, help="Default: MOSTRADOR_PORT")) -> None:
    """Serve the API and the web chat."""
    import uvicorn

    from api.app import create_app

    settings = get_settings()
    uvicorn.run(create_app(settings), host=host or settings.host, port=port or settings.port,
                log_level=settings.log_level.lower(), access_log=False)


@app.command("seed-demo")
def seed_demo() -> None:
    """Create the demo business `demo` (idempotent); print a new admin API token last."""
    from crm.seed import DEMO_ADMIN
    from crm.seed import seed_demo as seed
    from crm.services.tokens import issue_token, user_by_email

    with session_scope(_engine()) as db:
        tenant = seed(db)
        token = issue_token(db, user=user_by_email(db, tenant=tenant, email=DEMO_ADMIN))
    typer.echo(f"Demo business ready: {tenant.name} (slug {tenant.slug}).")
    typer.echo(f"Chat: http://{get_settings().host}:{get_settings().port}/chat/{tenant.slug}")
    typer.echo(f"API token of {DEMO_ADMIN}:")
    typer.echo(token)


@users_app.command("token")
def users_token(tenant: str = typer.Option(..., help="Business slug"),
                email: str = typer.Option(..., help="Staff user's email")) -> None:
    """Issue a new API token for a staff user; it is printed alone on the last line."""
    from crm.services.tenants import tenant_by_slug
    from crm.services.tokens import issue_token, user_by_email

    try:
        with session_scope(_engine()) as db:
            user = user_by_email(db, tenant=tenant_by_slug(db, slug=tenant), email=email)
            token = issue_token(db, user=user)
    except NotFound as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    typer.echo(f"New token for {email} ({user.role.value}); it is shown only once:")
    typer.echo(token)


@app.command()
def chat(tenant: str = typer.Option("demo", help="Business slug")) -> None:
    """Chat with a business's agent in the terminal (empty line or Ctrl-D to leave)."""
    from agent.runtime import AgentRuntime, Inbound
    from crm.models import Channel

    settings = get_settings()
    runtime = AgentRuntime(settings, _engine())
    session = f"cli-{uuid.uuid4().hex}"
    typer.echo(f"Chatting with {tenant!r} on the {settings.llm_provider} model. "
               "Empty line to leave.")
    while True:
        try:
            text = input("vos> ").strip()
        except EOFError:
            break
        if not text:
            break
        try:
            result = runtime.handle(Inbound(tenant_slug=tenant, channel=Channel.web,
                                            thread_id=session, text=text))
        except NotFound:
            typer.echo(f"error: no business with slug {tenant!r}; run `mostrador seed-demo`.",
                       err=True)
            raise typer.Exit(2) from None
        typer.echo(f"agente> {result.reply}")


@app.command("init-db")
def init_db_command() -> None:
    """Create the database tables (serve and seed-demo also do it)."""
    _engine()
    typer.echo("Database ready.")


def main() -> None:
    try:
        _mount_optional()
        app()
    except KeyboardInterrupt:
        sys.exit(130)


def _mount_optional() -> None:
    """Commands of packages that stand alone (redaction) are mounted when importable."""
    try:
        from redaction import cli as redaction_cli
    except ImportError:
        return
    if hasattr(redaction_cli, "redact_command"):
        app.command("redact")(redaction_cli.redact_command)
    if hasattr(redaction_cli, "redaction_app"):
        app.add_typer(redaction_cli.redaction_app, name="redaction")


if __name__ == "__main__":
    main()
