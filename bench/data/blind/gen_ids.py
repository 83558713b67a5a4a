#!/usr/bin/env python3
"""Generators for synthetic but check-digit-valid identifiers, plus a template filler.

Usage:
    python3 gen_ids.py fill src/blind_tpl.md src/blind.md   # expand {{TYPE#key[a:b]~fmt}} placeholders
    python3 gen_ids.py selftest

All values are random inventions (seeded), not real people's data.
"""
import random
import re
import sys

R = random.Random(20261207)


def digits(n, first_nonzero=True):
    s = str(R.randint(1, 9)) if first_nonzero else str(R.randint(0, 9))
    return s + ''.join(str(R.randint(0, 9)) for _ in range(n - 1))


# ---------------- Argentina ----------------
def cuit_check(base10):
    w = [5, 4, 3, 2, 7, 6, 5, 4, 3, 2]
    s = sum(int(d) * x for d, x in zip(base10, w))
    c = 11 - s % 11
    if c == 11:
        return 0
    if c == 10:
        return None
    return c


def gen_cuit(prefixes=('20', '23', '27', '30', '33', '24')):
    while True:
        base = R.choice(prefixes) + digits(8)
        c = cuit_check(base)
        if c is not None:
            return base + str(c)


def gen_cuil():
    return gen_cuit(('20', '27', '23'))


def gen_dniar():
    return str(R.randint(14_000_000, 46_999_999))


def cbu_block_check(ds, w):
    s = sum(int(d) * x for d, x in zip(ds, w))
    return str((10 - s % 10) % 10)


def gen_cbu():
    b1 = R.choice(['007', '011', '014', '017', '072', '285', '191', '034', '150']) + digits(4, False)
    b1 += cbu_block_check(b1, [7, 1, 3, 9, 7, 1, 3])
    b2 = '0' + digits(12, False)
    b2 += cbu_block_check(b2, [3, 9, 7, 1, 3, 9, 7, 1, 3, 9, 7, 1, 3])
    return b1 + b2


def gen_cvu():
    b1 = '0000003' + '100'[:0] + ''
    b1 = '0000003'
    b1 += cbu_block_check(b1, [7, 1, 3, 9, 7, 1, 3])
    b2 = '0' + digits(12, False)
    b2 += cbu_block_check(b2, [3, 9, 7, 1, 3, 9, 7, 1, 3, 9, 7, 1, 3])
    return b1 + b2


def valid_cbu(c):
    return (len(c) == 22 and c[7] == cbu_block_check(c[:7], [7, 1, 3, 9, 7, 1, 3])
            and c[21] == cbu_block_check(c[8:21], [3, 9, 7, 1, 3, 9, 7, 1, 3, 9, 7, 1, 3]))


# ---------------- Mexico ----------------
def clabe_check(d17):
    w = [3, 7, 1] * 6
    s = sum((int(d) * x) % 10 for d, x in zip(d17, w))
    return str((10 - s % 10) % 10)


def gen_clabe():
    base = R.choice(['002', '012', '014', '021', '072', '127', '137']) + R.choice(['180', '320', '650', '010']) + digits(11, False)
    return base + clabe_check(base)


CURP_AL = '0123456789ABCDEFGHIJKLMNÑOPQRSTUVWXYZ'


def curp_check(c17):
    s = sum(CURP_AL.index(ch) * (18 - i) for i, ch in enumerate(c17))
    return str((10 - s % 10) % 10)


VOW = 'AEIOU'
CONS = 'BCDFGHJKLMNPRSTVZ'
STATES = ['AS', 'BC', 'CH', 'DF', 'GT', 'JC', 'MC', 'MN', 'NL', 'OC', 'PL', 'QT', 'SL', 'SR', 'TS', 'VZ', 'YN']


def _mx_name_letters():
    return R.choice(CONS) + R.choice(VOW) + R.choice(CONS) + R.choice(CONS + VOW)


def _mx_date():
    y = R.randint(60, 99)
    m = R.randint(1, 12)
    d = R.randint(1, 28)
    return f'{y:02d}{m:02d}{d:02d}'


def gen_curp():
    while True:
        c = _mx_name_letters() + _mx_date() + R.choice('HM') + R.choice(STATES) + R.choice(CONS) + R.choice(CONS) + R.choice(CONS) + str(R.randint(0, 9))
        if any(bad in c[:4] for bad in ('PUT', 'CUL', 'CAC', 'MEA', 'PEN', 'CAG', 'KAK', 'MAM')):
            continue
        return c + curp_check(c)


RFC_AL = '0123456789ABCDEFGHIJKLMN&OPQRSTUVWXYZ Ñ'


def rfc_check(first12):
    n = ('   ' + first12)[-12:]
    s = sum(RFC_AL.index(ch) * (13 - i) for i, ch in enumerate(n))
    return RFC_AL[(11 - s) % 11]


def gen_rfc():
    al = 'ABCDEFGHJKLMNPRSTUVWXYZ123456789'
    b = _mx_name_letters() + _mx_date() + R.choice(al) + R.choice(al)
    return b + rfc_check(b)


# ---------------- Chile ----------------
def rut_dv(body):
    s, m = 0, 2
    for d in reversed(body):
        s += int(d) * m
        m = 2 if m == 7 else m + 1
    r = 11 - s % 11
    return {11: '0', 10: 'K'}.get(r, str(r))


def gen_rut():
    body = str(R.randint(6_000_000, 26_999_999))
    return body + rut_dv(body)


def gen_rutk():
    while True:
        r = gen_rut()
        if r.endswith('K'):
            return r


# ---------------- Brazil ----------------
def cpf_dvs(d9):
    s = sum(int(d) * w for d, w in zip(d9, range(10, 1, -1)))
    d1 = (s * 10 % 11) % 10
    d10 = d9 + str(d1)
    s = sum(int(d) * w for d, w in zip(d10, range(11, 1, -1)))
    d2 = (s * 10 % 11) % 10
    return str(d1) + str(d2)


def gen_cpf():
    while True:
        b = digits(9, False)
        if len(set(b)) > 1:
            return b + cpf_dvs(b)


def cnpj_dvs(d12):
    w1 = [5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2]
    s = sum(int(d) * w for d, w in zip(d12, w1))
    d1 = 11 - s % 11
    d1 = 0 if d1 >= 10 else d1
    w2 = [6] + w1
    d13 = d12 + str(d1)
    s = sum(int(d) * w for d, w in zip(d13, w2))
    d2 = 11 - s % 11
    d2 = 0 if d2 >= 10 else d2
    return str(d1) + str(d2)


def gen_cnpj():
    b = digits(8) + '0001'
    return b + cnpj_dvs(b)


# ---------------- Venezuela ----------------
def gen_ve():
    return str(R.randint(6_000_000, 29_999_999))


def gen_rif():
    body = f'{R.randint(6_000_000, 29_999_999):08d}'
    w = [4, 3, 2, 7, 6, 5, 4, 3, 2]
    s = sum(int(d) * x for d, x in zip('1' + body, w))
    return 'V' + body + '00987654321'[s % 11]


# ---------------- Spain ----------------
DNI_L = 'TRWAGMYFPDXBNJZSQVHLCKE'


def gen_dnies():
    n = R.randint(10_000_000, 79_999_999)
    return f'{n:08d}' + DNI_L[n % 23]


def gen_nie():
    p = R.choice('XYZ')
    n = R.randint(1_000_000, 9_999_999)
    full = int('XYZ'.index(p).__str__() + f'{n:07d}')
    return p + f'{n:07d}' + DNI_L[full % 23]


def _ccc_dc(ds):
    w = [1, 2, 4, 8, 5, 10, 9, 7, 3, 6]
    s = sum(int(d) * x for d, x in zip(ds.rjust(10, '0'), w))
    r = 11 - s % 11
    return {11: '0', 10: '1'}.get(r, str(r))


def iban_check(cc, bban):
    s = bban + cc + '00'
    num = ''.join(str(int(ch, 36)) for ch in s)
    return f'{98 - int(num) % 97:02d}'


def gen_ibanes():
    bank = R.choice(['2100', '0049', '0182', '2085', '0081', '1465'])
    branch = digits(4, False)
    acct = digits(10, False)
    dc = _ccc_dc('00' + bank + branch) + _ccc_dc(acct)
    bban = bank + branch + dc + acct
    return 'ES' + iban_check('ES', bban) + bban


def valid_iban(iban):
    s = iban[4:] + iban[:4]
    return int(''.join(str(int(ch, 36)) for ch in s)) % 97 == 1


# ---------------- Uruguay / Peru / Colombia ----------------
def gen_ciuy():
    b = f'{R.randint(1_000_000, 6_999_999):07d}'
    w = [2, 9, 8, 7, 6, 3, 4]
    s = sum(int(d) * x for d, x in zip(b, w))
    return b + str((10 - s % 10) % 10)


def gen_ruc():
    while True:
        b = R.choice(['10', '20']) + digits(8)
        w = [5, 4, 3, 2, 7, 6, 5, 4, 3, 2]
        s = sum(int(d) * x for d, x in zip(b, w))
        c = 11 - s % 11
        c = {10: 0, 11: 1}.get(c, c)
        return b + str(c)


def gen_nit():
    b = '9' + digits(8, False)
    w = [3, 7, 13, 17, 19, 23, 29, 37, 41, 43, 47, 53, 59, 67, 71]
    s = sum(int(d) * x for d, x in zip(reversed(b), w))
    r = s % 11
    return b + str(r if r in (0, 1) else 11 - r)


def gen_ccco():
    return str(R.choice([R.randint(10_000_000, 99_999_999), R.randint(1_000_000_000, 1_199_999_999)]))


def gen_dnipe():
    return f'{R.randint(10_000_000, 79_999_999):08d}'


def gen_cepe():
    return f'{R.randint(1_000_000, 2_999_999):09d}'


# ---------------- cards ----------------
def luhn_ok(n):
    t = 0
    for i, d in enumerate(reversed(n)):
        d = int(d)
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        t += d
    return t % 10 == 0


def luhn_complete(prefix, length):
    b = prefix + ''.join(str(R.randint(0, 9)) for _ in range(length - len(prefix) - 1))
    for c in '0123456789':
        if luhn_ok(b + c):
            return b + c


def gen_visa():
    return luhn_complete('4' + R.choice(['509', '517', '551', '766', '915', '026']), 16)


def gen_mc():
    return luhn_complete(str(R.randint(51, 55)) + digits(2, False), 16)


def gen_mc2():
    return luhn_complete(str(R.randint(2221, 2720)), 16)


def gen_amex():
    return luhn_complete(R.choice(['34', '37']) + digits(2, False), 15)


def gen_nss():
    return luhn_complete(digits(2), 11)


GEN = {
    'NSS': gen_nss,
    'CUIT': gen_cuit, 'CUIL': gen_cuil, 'DNIAR': gen_dniar, 'CBU': gen_cbu, 'CVU': gen_cvu,
    'CLABE': gen_clabe, 'CURP': gen_curp, 'RFC': gen_rfc, 'RUT': gen_rut, 'RUTK': gen_rutk,
    'CPF': gen_cpf, 'CNPJ': gen_cnpj, 'VE': gen_ve, 'RIF': gen_rif, 'DNIES': gen_dnies,
    'NIE': gen_nie, 'IBANES': gen_ibanes, 'CIUY': gen_ciuy, 'RUC': gen_ruc, 'NIT': gen_nit,
    'CCCO': gen_ccco, 'DNIPE': gen_dnipe, 'CEPE': gen_cepe, 'VISA': gen_visa, 'MC': gen_mc,
    'MC2': gen_mc2, 'AMEX': gen_amex,
}


def fmt(typ, v):
    if typ in ('CUIT', 'CUIL'):
        return f'{v[:2]}-{v[2:10]}-{v[10]}'
    if typ == 'DNIAR':
        return f'{v[:-6]}.{v[-6:-3]}.{v[-3:]}'
    if typ in ('RUT', 'RUTK'):
        b = v[:-1]
        return f'{int(b):,}'.replace(',', '.') + '-' + v[-1]
    if typ == 'CPF':
        return f'{v[:3]}.{v[3:6]}.{v[6:9]}-{v[9:]}'
    if typ == 'CNPJ':
        return f'{v[:2]}.{v[2:5]}.{v[5:8]}/{v[8:12]}-{v[12:]}'
    if typ == 'RIF':
        return f'{v[0]}-{v[1:9]}-{v[9]}'
    if typ == 'CIUY':
        return f'{v[0]}.{v[1:4]}.{v[4:7]}-{v[7]}'
    if typ == 'NIT':
        return f'{v[:3]}.{v[3:6]}.{v[6:9]}-{v[9]}'
    if typ == 'CCCO':
        return f'{int(v):,}'.replace(',', '.')
    if typ == 'AMEX':
        return f'{v[:4]} {v[4:10]} {v[10:]}'
    return group(v, 4, ' ')


def group(v, n, sep):
    return sep.join(v[i:i + n] for i in range(0, len(v), n))


KEYCAP = {str(d): f'{d}\ufe0f\u20e3' for d in range(10)}


def transform(typ, v, how):
    if not how:
        return v
    if how == 'fmt':
        return fmt(typ, v)
    if how == 'g4':
        return group(v, 4, ' ')
    if how == 'd4':
        return group(v, 4, '-')
    if how == 'dash':  # RUT/CPF-ish body-dv
        return v[:-1] + '-' + v[-1]
    if how == 'dots':
        return '.'.join(v)
    if how == 'dotsend':
        return ''.join(c + '.' for c in v)
    if how == 'sp':
        return ' '.join(v)
    if how == 'keycap':
        return ''.join(KEYCAP.get(c, c) for c in v)
    if how == 'IO':
        return v.replace('1', 'I').replace('0', 'O')
    if how == 'lower':
        return v.lower()
    if how == 'cbu8':  # CBU as 8 + 14
        return v[:8] + ' ' + v[8:]
    raise ValueError(how)


PH = re.compile(r'\{\{([A-Z0-9]+)(?:#(\w+))?(?:\[(-?\d*):(-?\d*)\])?(?:~(\w+))?\}\}')


def fill(text):
    store = {}

    def rep(m):
        typ, key, a, b, how = m.groups()
        if key is None:
            v = GEN[typ]()
        else:
            k = (typ, key)
            if k not in store:
                store[k] = GEN[typ]()
            v = store[k]
        if a is not None or b is not None:
            v = v[int(a) if a else None:int(b) if b else None]
        return transform(typ, v, how)

    return PH.sub(rep, text)


def selftest():
    for _ in range(200):
        c = gen_cbu(); assert valid_cbu(c), c
        assert valid_cbu(gen_cvu())
        assert luhn_ok(gen_visa()) and luhn_ok(gen_mc()) and luhn_ok(gen_mc2()) and luhn_ok(gen_amex())
        i = gen_ibanes(); assert valid_iban(i) and len(i) == 24, i
        cu = gen_cuit(); assert cuit_check(cu[:10]) == int(cu[10])
        r = gen_rut(); assert rut_dv(r[:-1]) == r[-1]
        cl = gen_clabe(); assert len(cl) == 18 and clabe_check(cl[:17]) == cl[17]
        cp = gen_cpf(); assert cpf_dvs(cp[:9]) == cp[9:]
        cn = gen_cnpj(); assert cnpj_dvs(cn[:12]) == cn[12:]
        cc = gen_curp(); assert len(cc) == 18 and curp_check(cc[:17]) == cc[17]
        rf = gen_rfc(); assert len(rf) == 13 and rfc_check(rf[:12]) == rf[12]
    # known-answer checks
    assert rut_dv('12345678') == '5'
    assert cpf_dvs('111444777') == '35'
    assert cnpj_dvs('112223330001') == '81'
    assert valid_cbu('2850590940090418135201')
    assert clabe_check('03218000011835971') == '9'
    assert valid_iban('ES9121000418450200051332')
    assert luhn_ok('4111111111111111')
    assert rfc_check('GODE561231GR') == '8'
    print('selftest ok')


if __name__ == '__main__':
    if sys.argv[1:2] == ['fill']:
        src = open(sys.argv[2], encoding='utf-8').read()
        open(sys.argv[3], 'w', encoding='utf-8').write(fill(src))
        left = re.findall(r'\{\{[^}]*\}\}', open(sys.argv[3], encoding='utf-8').read())
        assert not left, left
        print('filled', sys.argv[3])
    else:
        selftest()
