#!/usr/bin/env python3
"""Build blind_d.jsonl from src/blind_d.md (see README.md for the markup)."""
import json
import re
import sys
from collections import Counter
from pathlib import Path

import gen_ids

HERE = Path(__file__).resolve().parent
SRC = HERE / "src" / "blind_d.md"
OUT = HERE / "blind_d.jsonl"

LABELS = ["PERSON", "EMAIL_ADDRESS", "PHONE_NUMBER", "LOCATION", "NATIONAL_ID",
          "FINANCIAL", "IP_ADDRESS", "URL", "DATE_OF_BIRTH", "LICENSE_PLATE"]
COUNTRIES = "AR MX CL CO PE UY VE BR EC BO PY ES XX".split()
SPAN_RE = re.compile(r"\[([^\[\]\n]+)\]\((" + "|".join(LABELS) + r")\)")
MSG_RE = re.compile(r"^([A-Z]{2})\| ?(.*)$")
LEFTOVER_RE = re.compile(r"\]\((?:" + "|".join(LABELS) + r")\)|\[[^\[\]]*\]\([A-Z_]+\)")


def parse_markup(raw):
    text, spans, pos = [], [], 0
    out_len = 0
    for m in SPAN_RE.finditer(raw):
        pre = raw[pos:m.start()]
        text.append(pre)
        out_len += len(pre)
        val = m.group(1)
        spans.append({"start": out_len, "end": out_len + len(val),
                      "label": m.group(2), "value": val})
        text.append(val)
        out_len += len(val)
        pos = m.end()
    text.append(raw[pos:])
    return "".join(text), spans


def read_messages():
    msgs = []
    conv, turn = None, 0
    for ln, line in enumerate(SRC.read_text(encoding="utf-8").splitlines(), 1):
        s = line.strip()
        if not s or s.startswith("#"):
            continue
        if s.startswith("== conv "):
            conv, turn = s[len("== conv "):].strip(), 0
            continue
        if s == "== end":
            conv = None
            continue
        if s.startswith("|"):
            assert msgs, f"line {ln}: continuation without message"
            msgs[-1]["raw"] += "\n" + re.sub(r"^\| ?", "", s)
            continue
        m = MSG_RE.match(line)
        assert m, f"line {ln}: unparsable: {line!r}"
        assert m.group(1) in COUNTRIES, f"line {ln}: bad country {m.group(1)}"
        msgs.append({"country": m.group(1), "raw": m.group(2), "conv": conv,
                     "turn": turn if conv else 0, "line": ln})
        if conv:
            turn += 1
    return msgs


def id_checks(rec):
    """Re-check check digits of recognisable complete values."""
    problems = []
    for sp in rec["spans"]:
        v, lab, cc = sp["value"], sp["label"], rec["country"]
        d = re.sub(r"\D", "", v)
        kind = None
        if lab == "FINANCIAL":
            if re.fullmatch(r"[A-Z]{2}\d{2}[\d ]{10,}", v):
                kind = "iban"
            elif len(d) == 22 and cc in ("AR", "UY"):
                kind = "cbu"
            elif len(d) == 20 and cc == "PE":
                kind = "cci"
            elif len(d) == 18 and cc == "MX":
                kind = "clabe"
            elif 13 <= len(d) <= 19 and re.fullmatch(r"[\d _.-]+", v) and d[0] in "3456" and cc != "VE" and cc != "BO":
                kind = "luhn"
        elif lab == "NATIONAL_ID":
            if cc == "AR" and re.fullmatch(r"\d{2}-\d{8}-\d", v):
                kind = "cuit"
            elif cc == "CL" and re.fullmatch(r"[\d.]{9,10}-[\dK]", v):
                kind = "rut"
            elif cc == "BR" and re.fullmatch(r"\d{3}\.\d{3}\.\d{3}-\d{2}", v):
                kind = "cpf"
            elif cc == "CO" and re.fullmatch(r"[\d.]+-\d", v):
                kind = "nit"
            elif cc == "ES" and re.fullmatch(r"[XYZ\d]\d{7}[A-Z]", v):
                kind = "esdni"
            elif cc == "PE" and re.fullmatch(r"(10|20)\d{9}", v):
                kind = "ruc"
            elif cc == "UY" and re.fullmatch(r"\d\.\d{3}\.\d{3}-\d", v):
                kind = "uyci"
            elif cc == "EC" and re.fullmatch(r"\d{10}(001)?", v):
                v = v[:10]
                kind = "ecced"
            elif cc == "MX" and re.fullmatch(r"[A-Z]{4}\d{6}[HM][A-Z]{5}[0-9A-Z]\d", v):
                kind = "curp"
            elif cc == "MX" and re.fullmatch(r"[A-Z&Ñ]{4}\d{6}[A-Z0-9]{3}", v):
                kind = "rfc"
            elif cc == "PY" and re.fullmatch(r"\d{6,8}-\d", v):
                kind = "pyruc"
        if kind:
            rec.setdefault("_checked", []).append(kind)
            if not gen_ids.validate(kind, v):
                problems.append(f"{rec['id']}: {kind} check failed for {v!r}")
    return problems


def main():
    msgs = read_messages()
    records, problems = [], []
    for i, m in enumerate(msgs, 1):
        text, spans = parse_markup(m["raw"])
        rid = f"blindd-{i:04d}"
        assert not LEFTOVER_RE.search(text), f"{rid} (line {m['line']}): leftover markup: {text!r}"
        last_end = -1
        for sp in sorted(spans, key=lambda x: x["start"]):
            assert text[sp["start"]:sp["end"]] == sp["value"], rid
            assert sp["start"] >= last_end, f"{rid}: overlap"
            assert sp["value"] == sp["value"].strip(), f"{rid}: untrimmed span {sp['value']!r}"
            last_end = sp["end"]
        rec = {"id": rid, "country": m["country"], "text": text, "spans": spans,
               "conv": m["conv"], "turn": m["turn"]}
        problems += id_checks(rec)
        records.append(rec)
    checked = Counter(k for r in records for k in r.pop("_checked", []))
    assert not problems, "\n".join(problems)
    with OUT.open("w", encoding="utf-8") as f:
        for r in records:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    labels = Counter(sp["label"] for r in records for sp in r["spans"])
    n_empty = sum(1 for r in records if not r["spans"])
    print(f"messages: {len(records)}  spans: {sum(labels.values())}  "
          f"no-PII: {n_empty} ({100 * n_empty / len(records):.0f}%)  "
          f"conversations: {len({r['conv'] for r in records if r['conv']})}")
    for lab in LABELS:
        print(f"  {lab:14s} {labels[lab]}")
    print("countries:", dict(sorted(Counter(r["country"] for r in records).items())))
    print("check-digit validated:", dict(checked))
    low = [l for l in LABELS if labels[l] < 6]
    assert not low, f"labels below 6: {low}"


if __name__ == "__main__":
    sys.exit(main())
