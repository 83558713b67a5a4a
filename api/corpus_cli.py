"""`mostrador corpus ...`: intake (for cron), exports and statistics of the training corpus."""

from __future__ import annotations

import getpass
import json
from datetime import date
from pathlib import Path

import typer

from crm.db import get_engine, init_db, session_scope
from crm.settings import get_settings

corpus_app = typer.Typer(help="The anonymized training corpus.", no_args_is_help=True)


def _engines():  # type: ignore[no-untyped-def]
    from training_data import corpus_engine

    settings = get_settings()
    engine = get_engine(settings.database_url)
    init_db(engine)
    return settings, engine, corpus_engine(settings, engine)


@corpus_app.command("ingest")
def corpus_ingest(idle_seconds: float | None = typer.Option(
        None, min=0, help="Close conversations idle this long (default: each business's "
                          "idle_close_hours, 24 h unless set)")) -> None:
    """Run the intake once: close idle conversations and ingest the eligible ones.

    Meant for cron, e.g. every 15 minutes: `*/15 * * * * mostrador corpus ingest`.
    """
    from training_data import Intake

    settings, engine, corpus = _engines()
    report = Intake(settings, engine, corpus=corpus).run(idle_seconds=idle_seconds)
    typer.echo(f"Closed {report.closed} idle conversation(s); removed {report.withdrawn} "
               f"withdrawn record(s); looked at {report.seen}.")
    for outcome, count in sorted(report.outcomes.items()):
        typer.echo(f"  {outcome}: {count}")


@corpus_app.command("export")
def corpus_export(
    format: str = typer.Option(..., "--format", help="openai | parquet | jsonl"),
    out: Path = typer.Option(..., help="Output directory: one file per split + README.md"),
    tenant: list[str] = typer.Option([], help="Business slug (repeat); default: all"),
    since: str | None = typer.Option(None, help="First conversation date, YYYY-MM-DD"),
    until: str | None = typer.Option(None, help="Last conversation date, YYYY-MM-DD"),
    language: str | None = typer.Option(None, help="es | en"),
    outcome: str | None = typer.Option(
        None, help="lead_created | appointment_booked | handed_off | none"),
    split: str | None = typer.Option(None, help='e.g. "train=0.9,validation=0.1"'),
) -> None:
    """Export the corpus (records that passed every gate) with a dataset card."""
    from crm.errors import NotFound
    from crm.services.audit import record_event
    from crm.services.tenants import tenant_by_slug
    from training_data import ExportArgumentError, ExportOptions, export_corpus, parse_split
    from training_data.keys import corpus_keys

    settings, engine, corpus = _engines()
    try:
        tenant_keys = None
        if tenant:
            with session_scope(engine) as db:
                ids = [tenant_by_slug(db, slug=slug).id for slug in tenant]
            tenant_keys = tuple(corpus_keys(settings).tenant_key(i) for i in ids)
        options = ExportOptions(
            format=format, tenant_keys=tenant_keys, tenants=tuple(tenant),
            since=_day(since, "--since"), until=_day(until, "--until"), language=language,
            outcome=outcome, splits=parse_split(split))
        result = export_corpus(corpus, options, out)
    except (ExportArgumentError, NotFound) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    with session_scope(engine) as db:
        record_event(db, action="corpus.export", actor_kind="cli", actor_id=getpass.getuser(),
                     resource_type="corpus_export", resource_ids=[str(out)], source="cli",
                     details={"format": format, "filters": options.filters(),
                              "splits": options.splits, "records": result.records,
                              "quarantined": result.quarantined, "rejected": result.rejected})
    counts = ", ".join(f"{k}={v}" for k, v in sorted(result.counts.items())) or "none"
    typer.echo(f"Exported {result.records} record(s) ({counts}) to {out}/ "
               f"[{', '.join(result.files)}]; {result.quarantined} quarantined, "
               f"{result.rejected} rejected.")


def _day(value: str | None, option: str) -> date | None:
    from training_data import ExportArgumentError

    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ExportArgumentError(f"{option} must be a date, YYYY-MM-DD") from None


@corpus_app.command("stats")
def corpus_stats_command(as_json: bool = typer.Option(False, "--json")) -> None:
    """Records by business, language and outcome; quarantined; the intake's outcomes."""
    from training_data import corpus_stats

    settings, engine, corpus = _engines()
    stats = corpus_stats(settings, engine, corpus)
    if as_json:
        typer.echo(json.dumps(stats, ensure_ascii=False, indent=2))
        return
    typer.echo(f"records: {stats['records']}  quarantined: {stats['quarantined']}")
    for key in ("by_tenant", "by_language", "by_outcome", "intake"):
        parts = ", ".join(f"{k}={v}" for k, v in stats[key].items()) or "-"
        typer.echo(f"{key.replace('_', ' ')}: {parts}")
