"""`mostrador audit verify`: recompute the audit log's hash chains (one per business)."""

from __future__ import annotations

import typer

from crm.db import get_engine, init_db, reader_engine
from crm.settings import get_settings

audit_app = typer.Typer(help="The audit log.", no_args_is_help=True)


@audit_app.command("verify")
def audit_verify(tenant: str | None = typer.Option(None, help="Only this business (slug)"),
                 ) -> None:
    """Check every event's hash, link and sequence number. Prints each chain's event count
    and head hash (keep the heads elsewhere: a cut tail shows as an older head); exits 1
    naming the events that fail (edited, or missing from the middle)."""
    from sqlmodel import Session, select

    from crm.errors import NotFound
    from crm.models import Tenant
    from crm.services.audit import verify_chains
    from crm.services.tenants import tenant_by_slug

    engine = get_engine(get_settings().database_url)
    init_db(engine)
    with Session(reader_engine(engine)) as db:
        try:
            tenant_id = tenant_by_slug(db, slug=tenant).id if tenant else None
        except NotFound as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(2) from None
        slugs = {t.id: t.slug for t in db.exec(select(Tenant))}
        reports = verify_chains(db, tenant_id)
    failed = False
    for report in reports:
        name = slugs.get(report.chain, report.chain)
        state = "ok" if report.ok else "FAILED"
        typer.echo(f"{name}\t{state}\tevents={report.events}\thead={report.head or '-'}")
        for problem in report.problems[:50]:
            typer.echo(f"  {problem}")
        failed = failed or not report.ok
    if not reports:
        typer.echo("no audit events yet")
    if failed:
        raise typer.Exit(1)
