"""Convert a PII gold-set .md (inline ``[text](LABEL)`` markup) into JSONL.

Usage: python bench/data/md_to_jsonl.py IN.md OUT.jsonl [--prefix ho]

Format of the .md (see the header of any gold-set file):
  * '#' lines and blank lines are ignored;
  * ``CC| text`` starts a message (CC = AR MX CL CO PE UY ES XX);
  * a line whose first non-blank char is '|' continues the previous message after a newline.
Each output line is ``{"id", "country", "text", "spans": [{"start", "end", "label", "value"}]}``,
offsets being Python ``str`` indices into ``text``. Stdlib only.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import TypedDict

LABELS: frozenset[str] = frozenset(
    {
        "PERSON",
        "EMAIL_ADDRESS",
        "PHONE_NUMBER",
        "LOCATION",
        "NATIONAL_ID",
        "FINANCIAL",
        "IP_ADDRESS",
        "URL",
        "DATE_OF_BIRTH",
        "LICENSE_PLATE",
    }
)
COUNTRIES: frozenset[str] = frozenset({"AR", "MX", "CL", "CO", "PE", "UY", "ES", "XX"})

_START = re.compile(r"^([A-Z]{2})\|\s?(.*)$")
_CONT = re.compile(r"^\s*\|\s?(.*)$")
_MARK = re.compile(r"\[([^\[\]]+)\]\(([A-Z_]+)\)")


class Span(TypedDict):
    start: int
    end: int
    label: str
    value: str


class Record(TypedDict):
    id: str
    country: str
    text: str
    spans: list[Span]


def parse_marked(marked: str, where: str) -> tuple[str, list[Span]]:
    """Strip the markup from one message, returning plain text and its spans."""
    out: list[str] = []
    spans: list[Span] = []
    pos = 0
    length = 0
    for m in _MARK.finditer(marked):
        before = marked[pos : m.start()]
        out.append(before)
        length += len(before)
        value, label = m.group(1), m.group(2)
        if label not in LABELS:
            raise ValueError(f"{where}: unknown label {label!r}")
        spans.append({"start": length, "end": length + len(value), "label": label, "value": value})
        out.append(value)
        length += len(value)
        pos = m.end()
    out.append(marked[pos:])
    text = "".join(out)
    if re.search(r"\]\([A-Z_]+\)|\[[^\]]*\]\(", text):
        raise ValueError(f"{where}: malformed markup left in text: {text!r}")
    for s in spans:
        if text[s["start"] : s["end"]] != s["value"]:
            raise ValueError(f"{where}: span/value mismatch {s}")
        if s["value"] != s["value"].strip():
            raise ValueError(f"{where}: span has surrounding whitespace {s}")
    return text, spans


def parse_md(src: str, prefix: str) -> list[Record]:
    """Parse a whole gold-set .md into records with ids ``{prefix}-0001`` ..."""
    messages: list[tuple[str, list[str], int]] = []
    for lineno, raw in enumerate(src.splitlines(), 1):
        line = raw.rstrip()
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        start = _START.match(line)
        if start:
            country = start.group(1)
            if country not in COUNTRIES:
                raise ValueError(f"line {lineno}: unknown country {country!r}")
            messages.append((country, [start.group(2)], lineno))
            continue
        cont = _CONT.match(line)
        if cont and messages:
            messages[-1][1].append(cont.group(1))
            continue
        raise ValueError(f"line {lineno}: cannot parse {raw!r}")
    records: list[Record] = []
    for n, (country, lines, lineno) in enumerate(messages, 1):
        text, spans = parse_marked("\n".join(lines), f"line {lineno}")
        rid = f"{prefix}-{n:04d}"
        records.append({"id": rid, "country": country, "text": text, "spans": spans})
    return records


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("src", type=Path)
    ap.add_argument("dst", type=Path)
    ap.add_argument("--prefix", default="ho", help="id prefix (default: ho)")
    args = ap.parse_args(argv)
    records = parse_md(args.src.read_text(encoding="utf-8"), args.prefix)
    with args.dst.open("w", encoding="utf-8") as fh:
        for r in records:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    n_spans = sum(len(r["spans"]) for r in records)
    print(f"{len(records)} messages, {n_spans} spans -> {args.dst}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
