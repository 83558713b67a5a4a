"""Check-digit algorithms implemented from scratch for the blind_d set.

All values produced here are invented (random bodies, computed check digits).
Run `python3 gen_ids.py` to print a deterministic sample to pick from.
`validate(kind, value)` is used by build.py to re-check the values in the source.
"""
import random
import re

# ---------------------------------------------------------------- AR CUIT/CUIL
def cuit_dv(first10):
    w = [5, 4, 3, 2, 7, 6, 5, 4, 3, 2]
    s = sum(int(d) * x for d, x in zip(first10, w))
    r = 11 - s % 11
    if r == 11:
        return 0
    if r == 10:
        return None
    return r

def cuit_ok(v):
    d = re.sub(r"\D", "", v)
    return len(d) == 11 and cuit_dv(d[:10]) == int(d[10])

# ---------------------------------------------------------------- CL RUT
def rut_dv(body):
    s, m = 0, 2
    for d in reversed(body):
        s += int(d) * m
        m = 2 if m == 7 else m + 1
    r = 11 - s % 11
    return "0" if r == 11 else "K" if r == 10 else str(r)

def rut_ok(v):
    v = re.sub(r"[.\s]", "", v).upper()
    m = re.fullmatch(r"(\d{7,8})-?([0-9K])", v)
    return bool(m) and rut_dv(m.group(1)) == m.group(2)

# ---------------------------------------------------------------- BR CPF
def cpf_dvs(nine):
    ds = [int(c) for c in nine]
    s = sum(d * (10 - i) for i, d in enumerate(ds))
    d1 = (s * 10) % 11 % 10
    ds.append(d1)
    s = sum(d * (11 - i) for i, d in enumerate(ds))
    d2 = (s * 10) % 11 % 10
    return f"{d1}{d2}"

def cpf_ok(v):
    d = re.sub(r"\D", "", v)
    return len(d) == 11 and len(set(d)) > 1 and cpf_dvs(d[:9]) == d[9:]

# ---------------------------------------------------------------- AR CBU
def _cbu_check(digits, weights):
    s = sum(int(d) * w for d, w in zip(digits, weights))
    return (10 - s % 10) % 10

def cbu_make(bank3, branch4, acct13):
    b1 = bank3 + branch4
    b1 += str(_cbu_check(b1, [7, 1, 3, 9, 7, 1, 3]))
    b2 = acct13 + str(_cbu_check(acct13, [3, 9, 7, 1, 3, 9, 7, 1, 3, 9, 7, 1, 3]))
    return b1 + b2

def cbu_ok(v):
    d = re.sub(r"\D", "", v)
    return len(d) == 22 and cbu_make(d[:3], d[3:7], d[8:21]) == d

# ---------------------------------------------------------------- MX CLABE
def clabe_dv(first17):
    w = [3, 7, 1] * 6
    s = sum((int(d) * x) % 10 for d, x in zip(first17, w))
    return (10 - s % 10) % 10

def clabe_ok(v):
    d = re.sub(r"\D", "", v)
    return len(d) == 18 and clabe_dv(d[:17]) == int(d[17])

# ---------------------------------------------------------------- Luhn (cards)
def luhn_dv(body):
    s = 0
    for i, c in enumerate(reversed(body)):
        d = int(c)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        s += d
    return (10 - s % 10) % 10

def luhn_ok(v):
    d = re.sub(r"\D", "", v)
    return len(d) >= 12 and luhn_dv(d[:-1]) == int(d[-1])

# ---------------------------------------------------------------- CO NIT (DIAN)
NIT_W = [3, 7, 13, 17, 19, 23, 29, 37, 41, 43, 47, 53, 59, 67, 71]

def nit_dv(body):
    s = sum(int(d) * w for d, w in zip(reversed(body), NIT_W))
    r = s % 11
    return r if r in (0, 1) else 11 - r

def nit_ok(v):
    v = re.sub(r"[.\s]", "", v)
    m = re.fullmatch(r"(\d{6,15})-(\d)", v)
    return bool(m) and nit_dv(m.group(1)) == int(m.group(2))

# ---------------------------------------------------------------- ES DNI / NIE
DNI_LETTERS = "TRWAGMYFPDXBNJZSQVHLCKE"

def dni_letter(num):
    return DNI_LETTERS[int(num) % 23]

def es_dni_ok(v):
    v = re.sub(r"[\s.-]", "", v).upper()
    if v[:1] in "XYZ":
        v = str("XYZ".index(v[0])) + v[1:]
    m = re.fullmatch(r"(\d{8})([A-Z])", v)
    return bool(m) and dni_letter(m.group(1)) == m.group(2)

# ---------------------------------------------------------------- IBAN mod 97
def _iban_num(s):
    return int("".join(str(int(c, 36)) for c in s))

def iban_make(cc, bban):
    chk = 98 - _iban_num(bban + cc + "00") % 97
    return f"{cc}{chk:02d}{bban}"

def iban_ok(v):
    v = re.sub(r"\s", "", v).upper()
    return len(v) > 15 and _iban_num(v[4:] + v[:4]) % 97 == 1

# ---------------------------------------------------------------- extras
def pe_ruc_dv(first10):
    w = [5, 4, 3, 2, 7, 6, 5, 4, 3, 2]
    s = sum(int(d) * x for d, x in zip(first10, w))
    r = 11 - s % 11
    return {10: 0, 11: 1}.get(r, r)

def pe_ruc_ok(v):
    d = re.sub(r"\D", "", v)
    return len(d) == 11 and pe_ruc_dv(d[:10]) == int(d[10])

def uy_ci_dv(seven):
    w = [2, 9, 8, 7, 6, 3, 4]
    s = sum(int(d) * x for d, x in zip(seven.zfill(7), w))
    return (10 - s % 10) % 10

def uy_ci_ok(v):
    d = re.sub(r"\D", "", v)
    return len(d) in (7, 8) and uy_ci_dv(d[:-1]) == int(d[-1])

def ec_ced_dv(nine):
    s = 0
    for i, c in enumerate(nine):
        p = int(c) * (2 if i % 2 == 0 else 1)
        s += p - 9 if p > 9 else p
    return (10 - s % 10) % 10

def ec_ced_ok(v):
    d = re.sub(r"\D", "", v)
    return (len(d) == 10 and 1 <= int(d[:2]) <= 24 and int(d[2]) < 6
            and ec_ced_dv(d[:9]) == int(d[9]))

CURP_CHARS = "0123456789ABCDEFGHIJKLMNÑOPQRSTUVWXYZ"

def curp_dv(first17):
    s = sum(CURP_CHARS.index(c) * (18 - i) for i, c in enumerate(first17))
    return (10 - s % 10) % 10

def curp_ok(v):
    v = v.upper()
    return len(v) == 18 and curp_dv(v[:17]) == int(v[17])

VALIDATORS = {
    "cuit": cuit_ok, "rut": rut_ok, "cpf": cpf_ok, "cbu": cbu_ok,
    "clabe": clabe_ok, "luhn": luhn_ok, "nit": nit_ok, "esdni": es_dni_ok,
    "iban": iban_ok, "ruc": pe_ruc_ok, "uyci": uy_ci_ok, "ecced": ec_ced_ok,
    "curp": curp_ok,
}

def validate(kind, value):
    return VALIDATORS[kind](value)

# ---------------------------------------------------------------- sample
def _digits(r, n):
    return "".join(str(r.randint(0, 9)) for _ in range(n))

def main():
    r = random.Random(20261207)
    out = []
    for _ in range(6):
        while True:
            f = r.choice(["20", "27", "23", "30"]) + _digits(r, 8)
            dv = cuit_dv(f)
            if dv is not None:
                break
        out.append(("cuit", f"{f[:2]}-{f[2:]}-{dv}"))
    for _ in range(8):
        b = str(r.randint(8_000_000, 26_000_000))
        out.append(("rut", f"{int(b):,}".replace(",", ".") + "-" + rut_dv(b)))
    for _ in range(6):
        n = _digits(r, 9)
        c = n + cpf_dvs(n)
        out.append(("cpf", f"{c[:3]}.{c[3:6]}.{c[6:9]}-{c[9:]}"))
    for _ in range(5):
        out.append(("cbu", cbu_make(r.choice(["007", "011", "017", "072", "285"]), _digits(r, 4), _digits(r, 13))))
    for _ in range(5):
        f = r.choice(["002", "012", "014", "072", "127"]) + _digits(r, 14)
        out.append(("clabe", f + str(clabe_dv(f))))
    for pre, n in [("4", 16), ("5", 16), ("4", 16), ("37", 15), ("5", 16), ("4", 16)]:
        body = pre + _digits(r, n - len(pre) - 1)
        out.append(("luhn", body + str(luhn_dv(body))))
    for _ in range(4):
        b = str(r.randint(800_000_000, 901_999_999))
        out.append(("nit", f"{int(b):,}".replace(",", ".") + "-" + str(nit_dv(b))))
    for _ in range(4):
        n = _digits(r, 8)
        out.append(("esdni", n + dni_letter(n)))
    nie = "Y" + _digits(r, 7)
    out.append(("esnie", nie + dni_letter("1" + nie[1:])))
    for _ in range(3):
        out.append(("iban", iban_make("ES", _digits(r, 20))))
    for _ in range(3):
        f = r.choice(["10", "20"]) + _digits(r, 8)
        out.append(("ruc", f + str(pe_ruc_dv(f))))
    for _ in range(4):
        s = str(r.randint(1_000_000, 6_999_999))
        out.append(("uyci", f"{s[0]}.{s[1:4]}.{s[4:]}-{uy_ci_dv(s)}"))
    for _ in range(4):
        n = f"{r.randint(1, 24):02d}" + str(r.randint(0, 5)) + _digits(r, 6)
        out.append(("ecced", n + str(ec_ced_dv(n))))
    for base in ["GARL850312HDFRMS0", "MOPA010927MJCRRN0", "HEVC770105HNLRLR0"]:
        out.append(("curp", base + str(curp_dv(base))))
    for k, v in out:
        assert validate(k if k != "esnie" else "esdni", v), (k, v)
        print(k, v)

if __name__ == "__main__":
    main()


# ---------------------------------------------------------------- MX RFC / PY RUC (added)
RFC_CHARS = "0123456789ABCDEFGHIJKLMN&OPQRSTUVWXYZ Ñ"

def rfc_dv(first12):
    s = sum(RFC_CHARS.index(c) * (13 - i) for i, c in enumerate(first12))
    r = 11 - s % 11
    return "0" if r == 11 else "A" if r == 10 else str(r)

def rfc_ok(v):
    v = v.upper()
    return len(v) == 13 and rfc_dv(v[:12]) == v[12]

def py_ruc_dv(body):
    s, k = 0, 2
    for c in reversed(body):
        s += int(c) * k
        k = 2 if k == 11 else k + 1
    r = s % 11
    return 11 - r if r > 1 else 0

def py_ruc_ok(v):
    m = re.fullmatch(r"(\d{5,8})-(\d)", v)
    return bool(m) and py_ruc_dv(m.group(1)) == int(m.group(2))

VALIDATORS.update({"rfc": rfc_ok, "pyruc": py_ruc_ok})

# ---------------------------------------------------------------- PE CCI (added)
def _cci_dv(s):
    t = 0
    for i, c in enumerate(s):
        p = int(c) * (1 if i % 2 == 0 else 2)
        t += p // 10 + p % 10
    return (10 - t % 10) % 10

def pe_cci_ok(v):
    d = re.sub(r"\D", "", v)
    return len(d) == 20 and d[18:] == f"{_cci_dv(d[:6])}{_cci_dv(d[6:18])}"

VALIDATORS["cci"] = pe_cci_ok
