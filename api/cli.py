"""The `mostrador` command line."""

from __future__ import annotations

import getpass
import sys
import uuid
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import typer

from api.audit_cli import audit_app
from api.corpus_cli import corpus_app
from api.privacy_cli import privacy_app
from api.retention_cli import retention_app
from api.staff_cli import operators_app, users_app
from api.tenants_cli import tenants_app
from crm.db import get_engine, init_db, session_scope
from crm.errors import NotFound
from crm.services.audit import record_event
from crm.settings import get_settings

app = typer.Typer(help="Mostrador: AI sales-and-service agents for small businesses.",
                  no_args_is_help=True, add_completion=False)
app.add_typer(users_app, name="users")
app.add_typer(tenants_app, name="tenants")
app.add_typer(operators_app, name="operators")
app.add_typer(audit_app, name="audit")
connect_app = typer.Typer(help="Connect a business's Meta channels (same as the admin API).",
                          no_args_is_help=True)
app.add_typer(connect_app, name="connect")
secrets_app = typer.Typer(help="Secrets stored at rest.", no_args_is_help=True)
app.add_typer(secrets_app, name="secrets")
leads_app = typer.Typer(help="Meta Lead Ads intakes.", no_args_is_help=True)
app.add_typer(leads_app, name="leads")
app.add_typer(corpus_app, name="corpus")
app.add_typer(retention_app, name="retention")
app.add_typer(privacy_app, name="privacy")


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
    from api.logging_setup import configure_logging

    settings = get_settings()
    # log_config=None: uvicorn keeps its hands off logging, so its loggers propagate to
    # Mostrador's handler and every line passes the PII scrubber (api.log_redaction).
    configure_logging(settings.log_level, redaction=settings.log_redaction)
    uvicorn.run(create_app(settings), host=host or settings.host, port=port or settings.port,
                log_level=settings.log_level.lower(), access_log=False, log_config=None)


@app.command("seed-demo")
def seed_demo() -> None:
    """Create the demo business `demo` (idempotent); print a new admin API token last."""
    from crm.models import InvitationPurpose
    from crm.seed import DEMO_ADMIN
    from crm.seed import seed_demo as seed
    from crm.services.audit import record_event
    from crm.services.invitations import issue_invitation
    from crm.services.tokens import issue_token, user_by_email

    settings = get_settings()
    with session_scope(_engine()) as db:
        tenant = seed(db)
        admin = user_by_email(db, tenant=tenant, email=DEMO_ADMIN)
        token = issue_token(db, user=admin, ttl=timedelta(days=settings.token_ttl_days),
                            label="seed-demo", created_by="cli:seed-demo")
        console = None
        if not admin.password_hash:  # until the admin has chosen a password
            console = issue_invitation(db, user=admin, hours=settings.invitation_hours,
                                       purpose=InvitationPurpose.invite,
                                       created_by="cli:seed-demo").url(settings.base_url)
            record_event(db, action="user.invite", actor_kind="cli", actor_id="cli:seed-demo",
                         tenant_id=tenant.id, resource_type="user", resource_ids=[admin.id],
                         details={"purpose": "invite"}, source="cli")
    typer.echo(f"Demo business ready: {tenant.name} (slug {tenant.slug}).")
    typer.echo(f"Chat: {settings.base_url.rstrip('/')}/chat/{tenant.slug}")
    if console:
        typer.echo(f"Staff console: choose {DEMO_ADMIN}'s password at {console}")
    else:
        typer.echo(f"Staff console: {settings.base_url.rstrip('/')}/console/ "
                   f"(sign in as {DEMO_ADMIN})")
    typer.echo(f"API token of {DEMO_ADMIN}:")
    typer.echo(token)


@app.command()
def chat(tenant: str = typer.Option("demo", help="Business slug")) -> None:
    """Chat with a business's agent in the terminal (empty line or Ctrl-D to leave)."""
    from agent.runtime import AgentRuntime, Inbound
    from channels.verification import ChannelCodeDelivery
    from crm.models import Channel

    settings = get_settings()
    runtime = AgentRuntime(settings, _engine(), code_delivery=ChannelCodeDelivery(settings))
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


@app.command("eval")
def eval_command(
    file: Path = typer.Argument(..., help="Scenario file (YAML or JSON); see the README, "
                                          "'Scenario tests'"),
    model: str | None = typer.Option(None, help="Model name on the OpenAI-compatible server "
                                                "(default MOSTRADOR_LLM_MODEL); 'offline' "
                                                "forces the built-in offline model"),
    repeat: int = typer.Option(1, "--repeat", "-k", min=1, max=100,
                               help="Runs per scenario (K of pass^K)"),
    json_out: Path | None = typer.Option(None, "--json", help="Write every run's detail here"),
    report: Path | None = typer.Option(None, help="Write a self-contained HTML report here"),
    min_pass: float | None = typer.Option(None, min=0.0, max=1.0,
                                          help="Exit 1 when pass^K is below this (0-1)"),
    today: datetime | None = typer.Option(None, formats=["%Y-%m-%d"],
                                          help="Pin 'today' (YYYY-MM-DD): same suite, same "
                                               "dates, any day it runs"),
    database_url: str | None = typer.Option(
        None, help="Add the eval's businesses to this database instead of a throw-away "
                   "SQLite file (never point it at production)"),
) -> None:
    """Run scenario tests through the real agent: prints a table, pass^1 … pass^K, latency
    and tokens, and last a JSON line. Exit 1 below --min-pass, 2 for an unusable file."""
    import json

    from evals import EvalError, evaluate, settings_for
    from evals.report import html, table

    settings = settings_for(get_settings(), model=model)

    def progress(scenario: Any) -> None:
        mark = "." if scenario.passes == len(scenario.runs) else "F"
        typer.echo(mark, nl=False, err=True)

    try:
        result = evaluate(file, settings=settings, repeat=repeat,
                          today=today.date() if today else None, database_url=database_url,
                          progress=progress)
    except EvalError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    typer.echo("", err=True)
    if json_out is not None:
        json_out.write_text(json.dumps(result.to_dict(), ensure_ascii=False, indent=1),
                            encoding="utf-8")
    if report is not None:
        report.write_text(html(result), encoding="utf-8")
    typer.echo(table(result))
    summary = result.summary()
    typer.echo(json.dumps(summary, ensure_ascii=False))
    if min_pass is not None and summary["pass_at_k"] < min_pass:
        raise typer.Exit(1)


_SECRET_HELP = "(or the environment variable {}, which keeps it out of the shell history)"


def _connect(kind: str, tenant: str, account_id: str, token: str, app_secret: str | None,
             verify_token: str, **extra: object) -> None:
    from crm.crypto import box_for
    from crm.errors import AlreadyExists
    from crm.models import ChannelKind
    from crm.services.connections import create_connection
    from crm.services.tenants import tenant_by_slug

    try:
        with session_scope(_engine()) as db:
            connection = create_connection(
                db, box=box_for(get_settings()), tenant=tenant_by_slug(db, slug=tenant),
                kind=ChannelKind(kind), account_id=account_id, access_token=token,
                verify_token=verify_token, app_secret=app_secret, **extra)  # type: ignore[arg-type]
            record_event(db, action="connection.create", actor_kind="cli",
                         actor_id=f"cli:{getpass.getuser()}"[:64],
                         tenant_id=connection.tenant_id, resource_type="connection",
                         resource_ids=[connection.id], details={"kind": kind}, source="cli")
    except (NotFound, AlreadyExists) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    typer.echo(f"Connected {kind} account {account_id} to {tenant!r} "
               f"(connection {connection.id}).")
    typer.echo("Webhook URL: https://<your host>/webhooks/meta (the verify token you gave).")


@connect_app.command("whatsapp")
def connect_whatsapp(
    tenant: str = typer.Option(..., help="Business slug"),
    phone_number_id: str = typer.Option(..., help="WhatsApp phone number id"),
    access_token: str = typer.Option(..., envvar="MOSTRADOR_CONNECT_ACCESS_TOKEN",
                                     help=_SECRET_HELP.format("MOSTRADOR_CONNECT_ACCESS_TOKEN")),
    app_secret: str | None = typer.Option(None, envvar="MOSTRADOR_CONNECT_APP_SECRET",
                                          help="Meta app secret; omit for the platform app"),
    verify_token: str = typer.Option(..., envvar="MOSTRADOR_CONNECT_VERIFY_TOKEN"),
    template_name: str | None = typer.Option(None, help="Template for a closed 24-h window"),
    template_language: str | None = typer.Option(None, help="Its language code, e.g. es_AR"),
    otp_template_name: str | None = typer.Option(
        None, help="Approved copy-code authentication template for verification codes"),
    otp_template_language: str | None = typer.Option(None, help="Its language code"),
) -> None:
    """Connect a WhatsApp Cloud API number."""
    _connect("whatsapp", tenant, phone_number_id, access_token, app_secret, verify_token,
             template_name=template_name, template_language=template_language,
             otp_template_name=otp_template_name, otp_template_language=otp_template_language)


@connect_app.command("instagram")
def connect_instagram(
    tenant: str = typer.Option(..., help="Business slug"),
    account_id: str = typer.Option(..., help="Instagram professional account id"),
    page_token: str = typer.Option(..., envvar="MOSTRADOR_CONNECT_ACCESS_TOKEN"),
    app_secret: str | None = typer.Option(None, envvar="MOSTRADOR_CONNECT_APP_SECRET"),
    verify_token: str = typer.Option(..., envvar="MOSTRADOR_CONNECT_VERIFY_TOKEN"),
) -> None:
    """Connect an Instagram account (Direct messages)."""
    _connect("instagram", tenant, account_id, page_token, app_secret, verify_token)


@connect_app.command("messenger")
def connect_messenger(
    tenant: str = typer.Option(..., help="Business slug"),
    page_id: str = typer.Option(..., help="Facebook page id"),
    page_token: str = typer.Option(..., envvar="MOSTRADOR_CONNECT_ACCESS_TOKEN"),
    app_secret: str | None = typer.Option(None, envvar="MOSTRADOR_CONNECT_APP_SECRET"),
    verify_token: str = typer.Option(..., envvar="MOSTRADOR_CONNECT_VERIFY_TOKEN"),
) -> None:
    """Connect a Facebook page's Messenger."""
    _connect("messenger", tenant, page_id, page_token, app_secret, verify_token)


@connect_app.command("lead-ads")
def connect_lead_ads(
    tenant: str = typer.Option(..., help="Business slug"),
    page_id: str = typer.Option(..., help="Facebook page id the lead forms belong to"),
    page_token: str = typer.Option(..., envvar="MOSTRADOR_CONNECT_ACCESS_TOKEN"),
    app_secret: str | None = typer.Option(None, envvar="MOSTRADOR_CONNECT_APP_SECRET"),
    verify_token: str = typer.Option(..., envvar="MOSTRADOR_CONNECT_VERIFY_TOKEN"),
    seller: list[str] = typer.Option([], help="Seller email to rotate leads among (repeat); "
                                              "default: every active seller"),
) -> None:
    """Connect a page's Meta Lead Ads forms."""
    _connect("lead_ads", tenant, page_id, page_token, app_secret, verify_token,
             seller_emails=seller)


@secrets_app.command("rotate")
def secrets_rotate() -> None:
    """Re-encrypt every stored secret with MOSTRADOR_SECRET_KEY.

    First set the new MOSTRADOR_SECRET_KEY and move the old one to
    MOSTRADOR_SECRET_KEYS_PREVIOUS; after this command the old key can go.
    """
    from crm.crypto import box_for
    from crm.errors import SecretUnavailable
    from crm.services.connections import rotate_secrets

    try:
        with session_scope(_engine()) as db:
            count = rotate_secrets(db, box=box_for(get_settings()))
            record_event(db, action="secrets.rotate", actor_kind="cli",
                         actor_id=f"cli:{getpass.getuser()}"[:64], resource_type="connection",
                         details={"connections": count}, source="cli")
    except SecretUnavailable as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    typer.echo(f"Re-encrypted the secrets of {count} connection(s).")


@leads_app.command("retry")
def leads_retry(all_errors: bool = typer.Option(
        False, "--all", help="Also intakes that used up their automatic retries")) -> None:
    """Fetch Lead Ads intakes in state `error` again (due ones, or all with --all)."""
    from agent.runtime import AgentRuntime
    from channels.context import ChannelContext
    from channels.lead_ads import retry_due_intakes

    settings = get_settings()
    engine = _engine()
    ctx = ChannelContext.build(settings, engine, AgentRuntime(settings, engine))
    try:
        tried, registered = retry_due_intakes(ctx, include_exhausted=all_errors)
    finally:
        ctx.graph.close()
    typer.echo(f"Retried {tried} intake(s); {registered} registered.")


@app.command()
def worker(concurrency: int = typer.Option(4, help="Shards processed at once (threads)"),
           metrics_port: int | None = typer.Option(None, help="Serve /metrics on this port"),
           ) -> None:
    """Process the durable queue (needs MOSTRADOR_REDIS_URL); stops cleanly on SIGTERM."""
    import signal

    from agent.runtime import AgentRuntime
    from api.logging_setup import configure_logging
    from channels.context import ChannelContext
    from channels.durable.consumer import Worker
    from channels.durable.streams import Queue

    settings = get_settings()
    if not settings.redis_url:
        typer.echo("error: set MOSTRADOR_REDIS_URL (e.g. redis://127.0.0.1:6379/0) to run "
                   "workers; without it `mostrador serve` processes in-process.", err=True)
        raise typer.Exit(2)
    configure_logging(settings.log_level, redaction=settings.log_redaction)
    engine = _engine()
    queue = Queue.from_settings(settings)
    from channels.verification import ChannelCodeDelivery

    runtime = AgentRuntime(settings, engine, code_delivery=ChannelCodeDelivery(settings))
    ctx = ChannelContext.build(settings, engine, runtime)
    runner = Worker(ctx, queue, concurrency=concurrency)
    if metrics_port:
        from prometheus_client import start_http_server

        from channels.durable.metrics import build_registry

        start_http_server(metrics_port, addr=settings.host, registry=build_registry(queue))
    stopping: list[int] = []

    def on_signal(signum: int, _frame: object) -> None:
        stopping.append(signum)
        runner.request_stop()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    runner.start()
    typer.echo(f"worker {runner.name} ready", err=True)
    runner.wait()
    runner.stop()
    ctx.graph.close()


dlq_app = typer.Typer(help="Dead letters of the durable queue.", no_args_is_help=True)
app.add_typer(dlq_app, name="dlq")


def _queue():  # type: ignore[no-untyped-def]
    from channels.durable.streams import Queue

    settings = get_settings()
    if not settings.redis_url:
        typer.echo("error: set MOSTRADOR_REDIS_URL", err=True)
        raise typer.Exit(2)
    return Queue.from_settings(settings)


@dlq_app.command("list")
def dlq_list(count: int = typer.Option(100, help="At most this many")) -> None:
    """One line per dead letter: id, kind, shard, attempts, error (no message text)."""
    for dead_id, fields in _queue().dead_letters(count):
        typer.echo(f"{dead_id}\t{fields.get('kind', '?')}\tshard={fields.get('shard')}\t"
                   f"attempts={fields.get('attempts')}\terror={fields.get('error')}")


@dlq_app.command("retry")
def dlq_retry(ids: list[str] = typer.Argument(None, help="Dead-letter ids; none: --all"),
              all_: bool = typer.Option(False, "--all", help="Every dead letter")) -> None:
    """Put dead letters back on the queue."""
    if not ids and not all_:
        typer.echo("error: give dead-letter ids or --all", err=True)
        raise typer.Exit(2)
    typer.echo(f"Re-queued {_queue().retry_dead(None if all_ else ids)} dead letter(s).")


@dlq_app.command("drop")
def dlq_drop(ids: list[str] = typer.Argument(None, help="Dead-letter ids; none: --all"),
             all_: bool = typer.Option(False, "--all", help="Every dead letter")) -> None:
    """Delete dead letters for good."""
    if not ids and not all_:
        typer.echo("error: give dead-letter ids or --all", err=True)
        raise typer.Exit(2)
    typer.echo(f"Dropped {_queue().drop_dead(None if all_ else ids)} dead letter(s).")


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
