"""`mostrador retention run`: the scheduled retention job (see privacy.retention).

Meant for cron, once a day: `0 3 * * * mostrador retention run`. It runs the privacy
requests that are due, then deletes or anonymizes what each business's policy says has
expired, and prints the counts per business (`--json` for machines). `--dry-run` changes
nothing and prints what a run would do. Audited per business as the OS user (actor `cli`).
Exit status 1 when a business's run failed (the others still ran), 2 for an unknown
business.
"""

from __future__ import annotations

import getpass
import json

import typer

from crm.db import get_engine, init_db
from crm.settings import get_settings

retention_app = typer.Typer(help="Retention: delete or anonymize what has expired.",
                            no_args_is_help=True)


@retention_app.command("run")
def retention_run(
    tenant: str | None = typer.Option(None, "--tenant", help="Business slug; default: all"),
    dry_run: bool = typer.Option(False, "--dry-run", help="Change nothing; print what a run "
                                                          "would do"),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON"),
) -> None:
    """Run due privacy requests, then apply every business's retention policy."""
    from crm.errors import NotFound
    from crm.services.tenants import tenant_by_slug
    from privacy.context import PrivacyContext
    from privacy.retention import run_retention

    settings = get_settings()
    engine = get_engine(settings.database_url)
    init_db(engine)
    ctx = PrivacyContext.build(settings, engine)
    tenant_id = None
    if tenant:
        from sqlmodel import Session

        try:
            with Session(engine) as db:
                tenant_id = tenant_by_slug(db, slug=tenant).id
        except NotFound:
            typer.echo(f"error: no business with slug {tenant!r}", err=True)
            raise typer.Exit(2) from None
    report = run_retention(ctx, tenant_id=tenant_id, dry_run=dry_run, actor_kind="cli",
                           actor_id=getpass.getuser(), source="cli")
    if as_json:
        typer.echo(json.dumps(report.as_dict(), sort_keys=True))
    else:
        verb = "due (not run: dry run)" if dry_run else "run"
        typer.echo(f"Retention run {report.run_id}"
                   + (" — dry run, nothing changed." if dry_run else "."))
        typer.echo(f"Privacy requests {verb}: {report.privacy_requests}")
        for business in report.businesses:
            if business.tenant_id is None and not business.total:
                continue
            counts = " ".join(f"{k}={v}" for k, v in business.counts().items())
            failed = f" FAILED error={business.error}" if business.error else ""
            typer.echo(f"  {business.slug}: {counts}{failed}")
    if report.failed:
        raise typer.Exit(1)
