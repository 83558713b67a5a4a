"""`mostrador privacy ...`: data-subject requests from the command line.

Each request command does what ``POST /v1/privacy/requests`` does and runs the request at
once: ``erase``, ``access`` (writes the bundle to ``--out``), ``rectify``, ``restrict``,
``object``, ``withdraw-consent``. ``list`` shows a business's requests, ``cancel`` withdraws
a pending one, ``process`` runs the due ones (for cron) and ``reapply-erasures`` erases
again, after a backup restore, whatever the erasure ledger says was erased. Output holds
ids and counts, never the personal values given. Every command is audited as the OS user
(actor kind ``cli``).
"""

from __future__ import annotations

import getpass
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any

import typer

from crm.db import get_engine, init_db, session_scope
from crm.errors import NotFound
from crm.services.audit import record_event
from crm.settings import get_settings
from privacy.context import PrivacyContext
from privacy.errors import InvalidPrivacyRequest, PrivacyError
from privacy.requests import Initiator

privacy_app = typer.Typer(help="Data-subject requests (as /v1/privacy/requests).",
                          no_args_is_help=True)

TenantOpt = Annotated[str, typer.Option("--tenant", help="Business slug")]
PhoneOpt = Annotated[str | None, typer.Option("--phone", help="The person's phone")]
EmailOpt = Annotated[str | None, typer.Option("--email", help="The person's email")]
ContactOpt = Annotated[str | None, typer.Option("--contact-id", help="The contact's id")]
LiftOpt = Annotated[bool, typer.Option("--lift", help="Lift an earlier one")]


def _context() -> PrivacyContext:
    settings = get_settings()
    engine = get_engine(settings.database_url)
    init_db(engine)
    return PrivacyContext.build(settings, engine)


def _user() -> str:
    return getpass.getuser()


def _by() -> Initiator:
    return Initiator("cli", _user(), "cli")


def _fail(message: str, code: int = 2) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code)


def _audit(ctx: PrivacyContext, *, action: str, tenant_id: str | None,
           resource_ids: Sequence[str] = (), details: dict[str, Any]) -> None:
    with session_scope(ctx.engine) as db:
        record_event(db, action=action, actor_kind="cli", actor_id=_user(), tenant_id=tenant_id,
                     resource_type="privacy_request", resource_ids=resource_ids,
                     details=details, source="cli")


def _submit(type: str, tenant: str, phone: str | None, email: str | None,
            contact_id: str | None, *, fields: dict[str, str] | None = None,
            options: dict[str, object] | None = None) -> tuple[PrivacyContext, Any]:
    """Create the request (audited), run it, print its outcome; exit 1 if it failed."""
    from crm.services.tenants import tenant_by_slug
    from privacy.requests import create_request, run_request

    ctx = _context()
    try:
        with session_scope(ctx.engine) as db:
            row = create_request(
                db, box=ctx.box, tenant=tenant_by_slug(db, slug=tenant), type=type,
                subject={"phone": phone, "email": email, "contact_id": contact_id},
                fields=fields, options=options, source="cli", requested_by=f"cli:{_user()}")
            record_event(db, action="privacy.request.create", actor_kind="cli",
                         actor_id=_user(), tenant_id=row.tenant_id,
                         resource_type="privacy_request",
                         resource_ids=[row.id, *row.contact_ids], source="cli",
                         details={"type": row.type.value, "subject_kind": row.subject_kind.value,
                                  "contacts": len(row.contact_ids)})
    except (NotFound, InvalidPrivacyRequest) as exc:
        raise _fail(str(exc)) from None
    row = run_request(ctx, row.id, by=_by())
    typer.echo(f"Request {row.id} ({row.type.value}): {row.status.value}")
    for key, value in sorted(row.result.items()):
        if isinstance(value, dict):
            value = ", ".join(f"{k}={v}" for k, v in sorted(value.items())) or "none"
        elif isinstance(value, list):
            value = ", ".join(map(str, value)) or "none"
        typer.echo(f"  {key}: {value}")
    if row.error:
        raise _fail(f"the request failed ({row.error}); `mostrador privacy process` retries "
                    "it", code=1)
    return ctx, row


@privacy_app.command("erase")
def erase(tenant: TenantOpt, phone: PhoneOpt = None, email: EmailOpt = None,
          contact_id: ContactOpt = None) -> None:
    """Erase the person everywhere (database, raw webhooks, Redis, corpus); keep tombstones."""
    _submit("erase", tenant, phone, email, contact_id)


@privacy_app.command("access")
def access(tenant: TenantOpt,
           out: Annotated[Path, typer.Option("--out", help="Where to write the bundle")],
           phone: PhoneOpt = None, email: EmailOpt = None, contact_id: ContactOpt = None,
           format: Annotated[str, typer.Option("--format", help="json | csv (a zip)")] = "json",
           portability: Annotated[bool, typer.Option(
               "--portability", help="Record it as a portability request")] = False) -> None:
    """Everything held on the person, written to --out (JSON, or a zip of CSV files)."""
    from privacy.bundle import counts, to_csv_zip, to_json
    from privacy.requests import download_bundle

    if format not in ("json", "csv"):
        raise _fail("--format is json or csv")
    ctx, row = _submit("portability" if portability else "access", tenant, phone, email,
                       contact_id)
    with session_scope(ctx.engine) as db:
        from crm.models import Tenant

        business = db.get(Tenant, row.tenant_id)
        assert business is not None
        try:
            _, bundle = download_bundle(db, tenant=business, request_id=row.id)
        except PrivacyError as exc:
            raise _fail(str(exc)) from None
    out.write_bytes(to_csv_zip(bundle) if format == "csv" else to_json(bundle))
    _audit(ctx, action=f"privacy.{row.type.value}.download", tenant_id=row.tenant_id,
           resource_ids=[row.id, *row.contact_ids],
           details={"type": row.type.value, "format": format, **counts(bundle)})
    typer.echo(f"Wrote the bundle to {out}.")


@privacy_app.command("rectify")
def rectify(tenant: TenantOpt, phone: PhoneOpt = None, email: EmailOpt = None,
            contact_id: ContactOpt = None,
            name: Annotated[str | None, typer.Option("--name", help="The corrected name")] = None,
            set_phone: Annotated[str | None, typer.Option(
                "--set-phone", help="The corrected phone (\"\" clears it)")] = None,
            set_email: Annotated[str | None, typer.Option(
                "--set-email", help="The corrected email (\"\" clears it)")] = None) -> None:
    """Correct the person's name, phone or email; the old values are overwritten."""
    fields = {k: v for k, v in (("name", name), ("phone", set_phone), ("email", set_email))
              if v is not None}
    _submit("rectify", tenant, phone, email, contact_id, fields=fields)


@privacy_app.command("restrict")
def restrict(tenant: TenantOpt, phone: PhoneOpt = None, email: EmailOpt = None,
             contact_id: ContactOpt = None, lift: LiftOpt = False) -> None:
    """Restrict processing: the agent stops for the person and nothing is used for training."""
    _submit("restrict", tenant, phone, email, contact_id, options={"lift": lift})


@privacy_app.command("object")
def object_(tenant: TenantOpt, phone: PhoneOpt = None, email: EmailOpt = None,
            contact_id: ContactOpt = None, lift: LiftOpt = False) -> None:
    """Record the person's objection to training use and remove their corpus records."""
    _submit("object", tenant, phone, email, contact_id, options={"lift": lift})


@privacy_app.command("withdraw-consent")
def withdraw_consent(
        tenant: TenantOpt,
        purpose: Annotated[str, typer.Option("--purpose", help="training | marketing")],
        phone: PhoneOpt = None, email: EmailOpt = None, contact_id: ContactOpt = None) -> None:
    """Withdraw the person's consent for a purpose (training also removes corpus records)."""
    _submit("withdraw-consent", tenant, phone, email, contact_id, options={"purpose": purpose})


@privacy_app.command("list")
def list_command(
        tenant: TenantOpt,
        status: Annotated[str | None, typer.Option(
            "--status", help="pending | completed | failed | cancelled")] = None,
        type: Annotated[str | None, typer.Option("--type", help="access, erase...")] = None,
        limit: Annotated[int, typer.Option("--limit", min=1)] = 100) -> None:
    """One line per request: id, type, status, masked locator, created, deadline, error."""
    from crm.models import RequestStatus, RequestType
    from crm.services.tenants import tenant_by_slug
    from privacy.requests import list_requests

    try:
        wanted_status = RequestStatus(status) if status else None
        wanted_type = RequestType(type) if type else None
    except ValueError:
        raise _fail("unknown --status or --type") from None
    ctx = _context()
    try:
        with session_scope(ctx.engine) as db:
            business = tenant_by_slug(db, slug=tenant)
            rows = list_requests(db, tenant_id=business.id, status=wanted_status,
                                 type=wanted_type, limit=limit)
    except NotFound as exc:
        raise _fail(str(exc)) from None
    for r in rows:
        typer.echo(f"{r.id}\t{r.type.value}\t{r.status.value}\t{r.subject_hint}\t"
                   f"created={r.created_at:%Y-%m-%dT%H:%MZ}\t"
                   f"deadline={r.deadline_at:%Y-%m-%dT%H:%MZ}\terror={r.error or '-'}")
    _audit(ctx, action="privacy.request.list", tenant_id=business.id,
           resource_ids=[r.id for r in rows],
           details={"status": status, "type": type, "count": len(rows)})


@privacy_app.command("cancel")
def cancel(tenant: TenantOpt, request_id: Annotated[str, typer.Argument(help="Request id")],
           ) -> None:
    """Withdraw a pending request (a minor's queued erasure also clears the minor flag)."""
    from crm.services.tenants import tenant_by_slug
    from privacy.requests import cancel_request

    ctx = _context()
    try:
        with session_scope(ctx.engine) as db:
            business = tenant_by_slug(db, slug=tenant)
            row = cancel_request(db, tenant_id=business.id, request_id=request_id)
            record_event(db, action="privacy.request.cancel", actor_kind="cli",
                         actor_id=_user(), tenant_id=business.id,
                         resource_type="privacy_request",
                         resource_ids=[row.id, *row.contact_ids], source="cli",
                         details={"type": row.type.value, "source": row.source})
    except (NotFound, PrivacyError) as exc:
        raise _fail(str(exc)) from None
    typer.echo(f"Cancelled request {row.id} ({row.type.value}).")


@privacy_app.command("process")
def process() -> None:
    """Run the due requests (pending, or failed with attempts left); for cron, e.g.
    `*/10 * * * * mostrador privacy process`."""
    from privacy.requests import process_due

    ctx = _context()
    ran = process_due(ctx, by=_by())
    _audit(ctx, action="privacy.process", tenant_id=None, details={"requests": ran})
    typer.echo(f"Ran {ran} due request(s).")


@privacy_app.command("reapply-erasures")
def reapply_erasures_command(tenant: Annotated[str | None, typer.Option(
        "--tenant", help="Business slug; default: every business")] = None) -> None:
    """After restoring a database backup: erase again everything the erasure ledger says
    was erased (contacts, corpus records), by the tombstones' keyed hashes."""
    from crm.services.tenants import tenant_by_slug
    from privacy.tombstones import reapply_erasures

    ctx = _context()
    tenant_id = None
    if tenant:
        try:
            with session_scope(ctx.engine) as db:
                tenant_id = tenant_by_slug(db, slug=tenant).id
        except NotFound as exc:
            raise _fail(str(exc)) from None
    # Audited by reapply_erasures itself, once per business (counts only).
    report = reapply_erasures(ctx, tenant_id=tenant_id, actor_kind="cli", actor_id=_user())
    typer.echo("Re-applied erasures: "
               + ", ".join(f"{k}={v}" for k, v in report.as_dict().items()))
