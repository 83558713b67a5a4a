"""``mostrador redact``: JSONL in, redacted JSONL out (mounted by the main CLI).

Input lines ``{"id": ..., "text": ...}`` (other fields pass through). Output, one line
per input line, in order: the input fields with ``text`` redacted and ``entities``
(``type``, ``start``, ``end``, ``score``; offsets index the original text). Lines that
share a ``conversation_id`` share one session (consistent placeholders); otherwise each
line has its own. A malformed line gets an ``"error"`` field; the run goes on and exits
with status 1 at the end.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Annotated, Any

import typer

from redaction.anonymize import STYLES, RedactionSession
from redaction.errors import ConfigurationError
from redaction.redactor import Redactor

logger = logging.getLogger(__name__)


def redact_lines(
    lines: Iterable[str], redactor: Redactor, *, style: str, language: str
) -> Iterator[tuple[dict[str, Any], bool]]:
    """``(output record, ok)`` for each input line, in order."""
    sessions: dict[str, RedactionSession] = {}
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except ValueError:
            yield {"id": None, "line": number, "error": "invalid JSON"}, False
            continue
        if not isinstance(record, dict):
            yield {"id": None, "line": number, "error": "line is not a JSON object"}, False
            continue
        text = record.get("text")
        if not isinstance(text, str):
            yield {**record, "error": "missing or non-string 'text'"}, False
            continue
        conversation = record.get("conversation_id")
        if conversation is not None:
            session = sessions.setdefault(str(conversation), RedactionSession())
        else:
            session = RedactionSession()
        result = redactor.redact_with_entities(
            text, style=style, session=session, language=language
        )
        yield (
            {
                **record,
                "text": result.text,
                "entities": [e.to_dict() for e in result.entities],
            },
            True,
        )


def _open_in(path: Path | None) -> IO[str]:
    return path.open(encoding="utf-8") if path else sys.stdin


def _open_out(path: Path | None) -> IO[str]:
    return path.open("w", encoding="utf-8") if path else sys.stdout


def redact_command(
    in_: Annotated[Path | None, typer.Option("--in", help="JSONL input (default: stdin)")] = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="JSONL output (default: stdout)")
    ] = None,
    lang: Annotated[str, typer.Option("--lang", help="language of the texts: es or en")] = "es",
    style: Annotated[
        str, typer.Option("--style", help="placeholder, surrogate, mask or hash")
    ] = "placeholder",
    hash_key: Annotated[
        str | None,
        typer.Option(
            "--hash-key",
            envvar="MOSTRADOR_REDACTION_HASH_KEY",
            help="secret for --style hash (or the env variable)",
            show_default=False,
        ),
    ] = None,
    countries: Annotated[
        str | None,
        typer.Option(
            "--countries",
            help="only these countries' identifiers besides the common ones, e.g. AR,UY "
            "(default: every country)",
            show_default=False,
        ),
    ] = None,
    statistical_names: Annotated[
        bool,
        typer.Option(
            "--statistical-names",
            help="also run the shipped name tagger: fewer names missed, more false alarms, "
            "about a third of the speed",
        ),
    ] = False,
) -> None:
    """Redact PII from JSONL lines {"id", "text"}; one output line per input line."""
    if style not in STYLES:
        raise typer.BadParameter(f"use one of: {', '.join(STYLES)}", param_hint="--style")
    if style == "hash" and not hash_key:
        typer.echo("error: --style hash needs --hash-key or MOSTRADOR_REDACTION_HASH_KEY", err=True)
        raise typer.Exit(2)
    try:
        redactor = Redactor(
            languages=sorted({"es", lang}),
            hash_key=hash_key.encode() if hash_key else None,
            countries=[c.strip() for c in countries.split(",") if c.strip()]
            if countries else None,
            statistical_names=statistical_names,
        )
        failures = total = 0
        source, sink = _open_in(in_), _open_out(out)
        try:
            for record, ok in redact_lines(source, redactor, style=style, language=lang):
                total += 1
                failures += not ok
                sink.write(json.dumps(record, ensure_ascii=False) + "\n")
        finally:
            if in_:
                source.close()
            if out:
                sink.close()
    except ConfigurationError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    logger.info("redact: lines=%d failed=%d", total, failures)
    if failures:
        typer.echo(f"{failures} of {total} lines could not be redacted", err=True)
        raise typer.Exit(1)


redaction_app = typer.Typer(help="The redaction package's own commands.", no_args_is_help=True)


@redaction_app.command("train")
def train_command(
    out: Annotated[
        Path | None,
        typer.Option("--out", help="where to write the model (default: the shipped one)"),
    ] = None,
    check: Annotated[
        bool,
        typer.Option("--check", help="train into a temporary folder and compare with the "
                     "shipped model, byte for byte (exit 1 on a difference)"),
    ] = False,
) -> None:
    """Train the statistical name recognizer from the data in the repository, reproducibly."""
    from redaction.ner.train import main as train

    argv = (["--out", str(out)] if out else []) + (["--check"] if check else [])
    code = train(argv)
    if code:
        raise typer.Exit(code)


def standalone_app() -> typer.Typer:
    """``redact`` and ``redaction …`` alone: what ``mostrador`` runs for them, without the app."""
    app = typer.Typer(add_completion=False, no_args_is_help=True)
    app.command("redact")(redact_command)
    app.add_typer(redaction_app, name="redaction")
    return app
