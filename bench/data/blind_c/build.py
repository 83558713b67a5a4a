#!/usr/bin/env python3
"""Build blind_c.jsonl from src/blind_c.md (see README.md for the markup)."""
import json, re, sys, collections, os
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import gen_ids as G

LABELS = {"PERSON", "EMAIL_ADDRESS", "PHONE_NUMBER", "LOCATION", "NATIONAL_ID", "FINANCIAL",
          "IP_ADDRESS", "URL", "DATE_OF_BIRTH", "LICENSE_PLATE"}
COUNTRIES = set("AR MX CL CO PE UY VE BR EC BO PY ES XX".split())
SPAN = re.compile(r"\[([^\[\]]+)\]\(([A-Z_]+)\)")

def parse_markup(raw):
    text, spans, pos = [], [], 0
    out_len = 0
    for m in SPAN.finditer(raw):
        pre = raw[pos:m.start()]
        text.append(pre); out_len += len(pre)
        vis, lab = m.group(1), m.group(2)
        assert lab in LABELS, f"bad label {lab!r} in {raw!r}"
        spans.append({"start": out_len, "end": out_len + len(vis), "label": lab, "value": vis})
        text.append(vis); out_len += len(vis)
        pos = m.end()
    text.append(raw[pos:])
    return "".join(text), spans

def main():
    src = open(os.path.join(HERE, "src", "blind_c.md"), encoding="utf-8").read().splitlines()
    msgs, conv, turn = [], None, 0
    for ln, line in enumerate(src, 1):
        s = line.strip()
        if not s or s.startswith("#"):
            continue
        if s.startswith("== conv "):
            assert conv is None, f"line {ln}: nested conv"
            conv, turn = s[8:].strip(), 0
            continue
        if s == "== end":
            assert conv is not None, f"line {ln}: end without conv"
            conv = None
            continue
        if s.startswith("|"):
            assert msgs, f"line {ln}: continuation without message"
            body = s[1:]
            msgs[-1]["raw"] += "\n" + (body[1:] if body.startswith(" ") else body)
            continue
        m = re.match(r"^([A-Z]{2})\|\s?(.*)$", s)
        assert m, f"line {ln}: cannot parse {line!r}"
        assert m.group(1) in COUNTRIES, f"line {ln}: bad country"
        msgs.append({"country": m.group(1), "raw": m.group(2), "conv": conv, "turn": turn if conv else 0, "line": ln})
        if conv: turn += 1
    assert conv is None, "unterminated conv"

    out, cnt, nopii = [], collections.Counter(), 0
    for i, mm in enumerate(msgs, 1):
        text, spans = parse_markup(mm["raw"].rstrip())
        for sp in spans:
            assert text[sp["start"]:sp["end"]] == sp["value"]
            assert sp["value"] == sp["value"].strip(), f"line {mm['line']}: untrimmed span {sp['value']!r}"
            cnt[sp["label"]] += 1
        for a, b in zip(spans, spans[1:]):
            assert a["end"] <= b["start"], f"line {mm['line']}: overlap"
        assert not re.search(r"\]\([A-Z_]+\)|\[|\]", text), f"line {mm['line']}: leftover markup {text!r}"
        if not spans: nopii += 1
        out.append({"id": f"blindc-{i:04d}", "country": mm["country"], "text": text, "spans": spans,
                    "conv": mm["conv"], "turn": mm["turn"]})
    # check-digit validation for recognisable formats (written digits only)
    checked, bad = collections.Counter(), []
    for o in out:
        for sp in o["spans"]:
            v, lab = sp["value"], sp["label"]
            d = re.sub(r"[\s.\-/]", "", v)
            kind = ok = None
            if lab == "NATIONAL_ID":
                if re.fullmatch(r"\d{2}-\d{8}-\d", v): kind, ok = "CUIT", G.cuit_ok(d)
                elif re.fullmatch(r"\d\.\d{3}\.\d{3}-\d", v) and o["country"] == "UY": kind, ok = "UY_CI", G.uy_ci_ok(d)
                elif re.fullmatch(r"\d{1,2}\.\d{3}\.\d{3}-[\dkK]", v): kind, ok = "RUT", G.rut_ok(d)
                elif re.fullmatch(r"\d{3}\.\d{3}\.\d{3}-\d{2}", v): kind, ok = "CPF", G.cpf_ok(d)
                elif re.fullmatch(r"\d{2}\.\d{3}\.\d{3}/\d{4}-\d{2}", v): kind, ok = "CNPJ", G.cnpj_ok(d)
                elif re.fullmatch(r"\d{8}[A-Z]", v): kind, ok = "ES_DNI", G.es_dni_ok(v)
                elif re.fullmatch(r"[XYZ]\d{7}[A-Z]", v): kind, ok = "ES_NIE", G.es_dni_ok(v)
                elif re.fullmatch(r"[A-Z]{4}\d{6}[HM][A-Z]{5}[0-9A-Z]\d", v): kind, ok = "CURP", G.curp_ok(v)
                elif re.fullmatch(r"[A-Z&Ñ]{3,4}\d{6}[A-Z0-9]{3}", v): kind, ok = "RFC", G.rfc_ok(v)
                elif re.fullmatch(r"\d{9}-\d", v) and o["country"] == "CO": kind, ok = "NIT", G.nit_ok(d)
                elif re.fullmatch(r"\d{10}", v) and o["country"] == "EC": kind, ok = "EC_CED", G.ec_ced_ok(v)
                elif re.fullmatch(r"\d{10}001", v) and o["country"] == "EC": kind, ok = "EC_RUC", G.ec_ced_ok(v[:10])
                elif re.fullmatch(r"(10|20)\d{9}", v) and o["country"] == "PE": kind, ok = "PE_RUC", G.pe_ruc_ok(v)
                elif re.fullmatch(r"\d{6,7}-\d", v) and o["country"] == "PY": kind, ok = "PY_RUC", G.py_ruc_dv(v[:-2]) == v[-1]
            elif lab == "FINANCIAL" and d.isdigit():
                if len(d) == 22: kind, ok = "CBU", G.cbu_ok(d)
                elif len(d) == 18: kind, ok = "CLABE", G.clabe_ok(d)
                elif 15 <= len(d) <= 16: kind, ok = "CARD", G.luhn_ok(d)
            elif lab == "FINANCIAL" and re.fullmatch(r"[A-Z]{2}\d{2}[0-9A-Z]+", d): kind, ok = "IBAN", G.iban_ok(d)
            if kind:
                checked[kind] += 1
                if not ok: bad.append((o["id"], kind, v))
    assert not bad, f"invalid check digits: {bad}"

    with open(os.path.join(HERE, "blind_c.jsonl"), "w", encoding="utf-8") as f:
        for o in out:
            f.write(json.dumps(o, ensure_ascii=False) + "\n")
    convs = {o["conv"] for o in out if o["conv"]}
    print(f"messages={len(out)} spans={sum(cnt.values())} no_pii={nopii} ({100*nopii/len(out):.1f}%) "
          f"conversations={len(convs)} conv_messages={sum(1 for o in out if o['conv'])}")
    for k in sorted(LABELS): print(f"  {k:15s} {cnt[k]}")
    print("  countries:", dict(collections.Counter(o['country'] for o in out)))
    print("  check-digit validated:", dict(checked))

if __name__ == "__main__":
    main()
