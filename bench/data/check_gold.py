"""Sanity checks for a PII gold-set JSONL (needs python-stdnum).

Usage: python bench/data/check_gold.py bench/data/pii_heldout.jsonl

Checks that every span's value equals text[start:end], spans do not overlap, spans have no
surrounding whitespace/punctuation, PERSON spans do not start with a title, and that every
NATIONAL_ID / FINANCIAL value that carries a check digit is valid for its format.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable
from pathlib import Path

from stdnum import iban, luhn
from stdnum.ar import cbu, cuit
from stdnum.ar import dni as ar_dni
from stdnum.cl import rut
from stdnum.es import dni as es_dni
from stdnum.es import nie
from stdnum.mx import curp, rfc
from stdnum.pe import ruc

TITLES = re.compile(r"^(sr|sra|srta|dr|dra|lic|ing|don|doña|prof)\b\.?\s", re.IGNORECASE)


def clabe_ok(d: str) -> bool:
    w = [3, 7, 1] * 6
    s = sum(int(c) * w[i] % 10 for i, c in enumerate(d[:17]))
    return (10 - s % 10) % 10 == int(d[17])


def uy_ci_ok(d: str) -> bool:
    d = d.zfill(8)
    s = sum(int(c) * w for c, w in zip(d[:7], [2, 9, 8, 7, 6, 3, 4], strict=True))
    return (10 - s % 10) % 10 == int(d[7])


def pe_cci_ok(d: str) -> bool:
    def part(ds: str) -> int:
        s = 0
        for i, c in enumerate(ds):
            p = int(c) * (1 if i % 2 == 0 else 2)
            s += p // 10 + p % 10
        return (10 - s % 10) % 10

    return part(d[:6]) == int(d[18]) and part(d[6:18]) == int(d[19])


def rfc_ok(v: str) -> bool:
    try:
        rfc.validate(v, validate_check_digits=True)
        return True
    except Exception:
        return False


def check_id(country: str, value: str) -> str | None:
    """Return the name of the scheme that validated ``value``, or None/'-' (no check digit)."""
    raw = value.upper()
    d = re.sub(r"\D", "", raw)
    alnum = re.sub(r"[^0-9A-ZÑ&]", "", raw)
    cands: list[tuple[str, Callable[[], bool]]] = []
    if country in ("AR", "XX"):
        cands += [
            ("cuit", lambda: len(d) == 11 and cuit.is_valid(d)),
            ("ar_dni", lambda: len(d) in (7, 8) and d == alnum and ar_dni.is_valid(d)),
        ]
    if country in ("CL", "XX"):
        cands += [("rut", lambda: rut.is_valid(raw))]
    if country in ("MX", "XX"):
        cands += [
            ("curp", lambda: len(alnum) == 18 and curp.is_valid(alnum)),
            ("rfc", lambda: len(alnum) in (12, 13) and rfc_ok(alnum)),
        ]
    if country in ("PE", "XX"):
        cands += [
            ("ruc", lambda: len(d) == 11 and ruc.is_valid(d)),
            ("pe_dni", lambda: len(d) == 8 and d == alnum),
        ]
    if country in ("UY", "XX"):
        cands += [("uy_ci", lambda: len(d) in (7, 8) and d == alnum and uy_ci_ok(d))]
    if country in ("ES", "XX"):
        cands += [("es_dni", lambda: es_dni.is_valid(alnum)), ("nie", lambda: nie.is_valid(alnum))]
    if country in ("CO", "XX"):
        cands += [("co_cc", lambda: 6 <= len(d) <= 10 and d == alnum)]  # no check digit
    for name, ok in cands:
        if ok():
            return name
    return None


def check_fin(value: str) -> str | None:
    raw = value.upper()
    d = re.sub(r"\D", "", raw)
    if raw.startswith("ES"):
        return "iban" if iban.is_valid(raw) else None
    if re.search(r"[A-Z]", raw):
        return "alias"  # alias CBU, no check digit
    if len(d) == 22:
        return "cbu" if cbu.is_valid(d) else None
    if len(d) == 18 and re.fullmatch(r"[\d ]+", raw):
        return "clabe" if clabe_ok(d) else None
    if len(d) in (15, 16) and d[0] in "2345" and "-" not in raw:
        return "luhn" if luhn.is_valid(d) else None
    if len(d) == 20:
        return "cci" if pe_cci_ok(d) else None
    return "account"  # plain bank account number, no check digit


def main(path: str) -> int:
    errors: list[str] = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        r = json.loads(line)
        text: str = r["text"]
        prev_end = -1
        for s in sorted(r["spans"], key=lambda s: s["start"]):
            where = f"{r['id']} {s['label']} {s['value']!r}"
            v = s["value"]
            if text[s["start"] : s["end"]] != v:
                errors.append(f"{where}: value != text[start:end]")
            if s["start"] < prev_end:
                errors.append(f"{where}: overlaps previous span")
            prev_end = s["end"]
            if v != v.strip() or re.search(r"[,;:!?¿¡]$|^[,;:.!?¿¡]", v):
                errors.append(f"{where}: surrounding whitespace/punctuation")
            if s["label"] == "PERSON" and TITLES.search(v):
                errors.append(f"{where}: title inside PERSON span")
            if s["label"] == "NATIONAL_ID" and check_id(r["country"], v) is None:
                errors.append(f"{where}: invalid national id for {r['country']}")
            if s["label"] == "FINANCIAL" and check_fin(v) is None:
                errors.append(f"{where}: invalid check digit")
    for e in errors:
        print(e)
    print(f"{len(errors)} problem(s)", file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1] if len(sys.argv) > 1 else "bench/data/pii_heldout.jsonl"))
