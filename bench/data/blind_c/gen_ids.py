"""Check-digit algorithms (implemented from scratch) + deterministic generator of
invented identifiers for the blind_c evaluation set. All values are synthetic."""
import random, re

def luhn_dv(body):
    s = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9: d -= 9
        s += d
    return str((10 - s % 10) % 10)
def luhn_ok(n): return n[:-1] and luhn_dv(n[:-1]) == n[-1]

def cuit_dv(body10):
    w = [5,4,3,2,7,6,5,4,3,2]
    r = 11 - sum(int(a)*b for a, b in zip(body10, w)) % 11
    return None if r == 10 else str(0 if r == 11 else r)
def cuit_ok(n): return len(n) == 11 and cuit_dv(n[:10]) == n[10]

def rut_dv(body):
    s, m = 0, 2
    for ch in reversed(body):
        s += int(ch)*m; m = 2 if m == 7 else m+1
    r = 11 - s % 11
    return '0' if r == 11 else 'K' if r == 10 else str(r)
def rut_ok(n): n = n.upper(); return rut_dv(n[:-1]) == n[-1]

def cpf_dvs(b9):
    d = [int(c) for c in b9]
    for k in (10, 11):
        r = sum(x*w for x, w in zip(d, range(k, 1, -1))) % 11
        d.append(0 if r < 2 else 11 - r)
    return ''.join(map(str, d[9:]))
def cpf_ok(n): return len(n) == 11 and len(set(n)) > 1 and cpf_dvs(n[:9]) == n[9:]

def cnpj_dvs(b12):
    d = [int(c) for c in b12]
    for w in ([5,4,3,2,9,8,7,6,5,4,3,2], [6,5,4,3,2,9,8,7,6,5,4,3,2]):
        r = sum(x*y for x, y in zip(d, w)) % 11
        d.append(0 if r < 2 else 11 - r)
    return ''.join(map(str, d[12:]))
def cnpj_ok(n): return len(n) == 14 and cnpj_dvs(n[:12]) == n[12:]

def _w10(digits, w): return str((10 - sum(int(a)*b for a, b in zip(digits, w)) % 10) % 10)
def cbu_make(bank7, acct13):
    return bank7 + _w10(bank7, [7,1,3,9,7,1,3]) + acct13 + _w10(acct13, [3,9,7,1,3,9,7,1,3,9,7,1,3])
def cbu_ok(n): return len(n) == 22 and cbu_make(n[:7], n[8:21]) == n

def clabe_dv(b17):
    w = [3,7,1]*6
    return str((10 - sum((int(a)*w[i]) % 10 for i, a in enumerate(b17)) % 10) % 10)
def clabe_ok(n): return len(n) == 18 and clabe_dv(n[:17]) == n[17]

NIT_W = [3,7,13,17,19,23,29,37,41,43,47,53,59,67,71]
def nit_dv(body):
    r = sum(int(c)*w for c, w in zip(reversed(body), NIT_W)) % 11
    return str(r if r < 2 else 11 - r)
def nit_ok(n): return nit_dv(n[:-1]) == n[-1]

DNI_L = "TRWAGMYFPDXBNJZSQVHLCKE"
def es_dni_letter(num): return DNI_L[int(num) % 23]
def es_dni_ok(s):
    s = s.upper()
    if s[0] in 'XYZ': s = str('XYZ'.index(s[0])) + s[1:]
    return es_dni_letter(s[:-1]) == s[-1]

def _iban_num(s): return int(''.join(str(int(c, 36)) for c in s))
def iban_make(cc, bban):
    return cc + '%02d' % (98 - _iban_num(bban + cc + '00') % 97) + bban
def iban_ok(s):
    s = s.replace(' ', '').upper(); return _iban_num(s[4:] + s[:4]) % 97 == 1
def es_ccc(bank, branch, acct):
    w = [1,2,4,8,5,10,9,7,3,6]
    def dc(ten):
        r = 11 - sum(int(a)*b for a, b in zip(ten, w)) % 11
        return {11: '0', 10: '1'}.get(r, str(r))
    return bank + branch + dc('00' + bank + branch) + dc(acct) + acct

CURP_D = "0123456789ABCDEFGHIJKLMNÑOPQRSTUVWXYZ"
def curp_dv(b17):
    s = sum(CURP_D.index(c)*(18-i) for i, c in enumerate(b17))
    return str((10 - s % 10) % 10)
def curp_ok(s): return len(s) == 18 and curp_dv(s[:17]) == s[17]
RFC_D = "0123456789ABCDEFGHIJKLMN&OPQRSTUVWXYZ Ñ"
def rfc_dv(b12):
    b = b12.rjust(12)
    s = sum(RFC_D.index(c)*(13-i) for i, c in enumerate(b))
    r = s % 11
    return '0' if r == 0 else ('A' if 11 - r == 10 else str(11 - r))
def rfc_ok(s): return rfc_dv(s[:-1]) == s[-1]

def uy_ci_dv(b):
    b = b.rjust(7, '0'); return _w10(b, [2,9,8,7,6,3,4])
def uy_ci_ok(n): return uy_ci_dv(n[:-1]) == n[-1]

def ec_ced_dv(b9):
    s = 0
    for i, c in enumerate(b9):
        p = int(c) * (2 if i % 2 == 0 else 1)
        s += p - 9 if p > 9 else p
    return str((10 - s % 10) % 10)
def ec_ced_ok(n): return len(n) == 10 and 1 <= int(n[:2]) <= 24 and int(n[2]) < 6 and ec_ced_dv(n[:9]) == n[9]

def pe_ruc_dv(b10):
    r = 11 - sum(int(a)*b for a, b in zip(b10, [5,4,3,2,7,6,5,4,3,2])) % 11
    return str(r % 10)   # 10->0, 11->1
def pe_ruc_ok(n): return len(n) == 11 and pe_ruc_dv(n[:10]) == n[10]

def py_ruc_dv(body):  # base max 11
    s, k = 0, 2
    for c in reversed(body):
        s += int(c)*k; k = 2 if k == 11 else k+1
    r = s % 11
    return str(11 - r if r > 1 else 0)

if __name__ == '__main__':
    R = random.Random(20261207)
    D = lambda n: ''.join(R.choice('0123456789') for _ in range(n))
    out = []
    for p in ['20','27','23','30','20','27']:
        while True:
            b = p + D(8); dv = cuit_dv(b)
            if dv: out.append(('CUIT', f'{b[:2]}-{b[2:]}-{dv}')); break
    for _ in range(5):
        b = str(R.randint(8_000_000, 24_999_999)); out.append(('RUT', f'{int(b):,}'.replace(',', '.') + '-' + rut_dv(b)))
    for _ in range(4):
        b = D(9); d = cpf_dvs(b); out.append(('CPF', f'{b[:3]}.{b[3:6]}.{b[6:9]}-{d}'))
    for _ in range(2):
        b = D(8) + '0001'; d = cnpj_dvs(b); out.append(('CNPJ', f'{b[:2]}.{b[2:5]}.{b[5:8]}/{b[8:12]}-{d}'))
    for bank in ['0170', '0720', '0140', '0110']:
        out.append(('CBU', cbu_make(bank + D(3), D(13))))
    for bank in ['002', '012', '014', '072']:
        b = bank + D(14); out.append(('CLABE', b + clabe_dv(b)))
    for pre in ['4', '5', '4', '37', '5', '4']:
        ln = 15 if pre == '37' else 16
        b = pre + D(ln - len(pre) - 1); out.append(('CARD', b + luhn_dv(b)))
    for _ in range(4):
        b = '9' + D(8); out.append(('NIT', f'{b}-{nit_dv(b)}'))
    for _ in range(3):
        n = D(8); out.append(('ESDNI', n + es_dni_letter(n)))
    n = D(7); out.append(('NIE', 'Y' + n + es_dni_letter('1' + n)))
    for _ in range(3):
        out.append(('IBAN_ES', iban_make('ES', es_ccc('2100', D(4), D(10)))))
    for base in ['GOMR850312MDFNRS0', 'HEPL920705HJCRRN0', 'TOVA011130MNLRLR0']:
        out.append(('CURP', base + curp_dv(base)))
    for base in ['GOMR850312K4', 'SAFE790221QJ']:
        out.append(('RFC', base + rfc_dv(base)))
    for _ in range(3):
        b = str(R.randint(1_000_000, 5_999_999)); out.append(('UYCI', f'{b[0]}.{b[1:4]}.{b[4:]}-{uy_ci_dv(b)}'))
    for prov in ['17', '09', '01']:
        b = prov + str(R.randint(0, 5)) + D(6); out.append(('ECCED', b + ec_ced_dv(b)))
    for p in ['10', '20']:
        b = p + D(8); out.append(('PERUC', b + pe_ruc_dv(b)))
    for _ in range(2):
        b = str(R.randint(1_000_000, 6_999_999)); out.append(('PYRUC', f'{b}-{py_ruc_dv(b)}'))
    for k, v in out: print(k, v)
