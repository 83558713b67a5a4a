"""Realistic fake values of the same kind, format and country, with valid check digits.

Every generator takes the original value (to copy its shape: separators, case, country
code) and a seeded ``random.Random`` (so a session can reproduce its choices).
"""

from __future__ import annotations

import datetime as dt
import random
import re
from collections.abc import Callable
from functools import lru_cache
from typing import TYPE_CHECKING

import phonenumbers
from stdnum import iban, luhn
from stdnum.ar import cbu, cuit
from stdnum.cl import rut
from stdnum.es import ccc, dni, nie
from stdnum.mx import curp, rfc
from stdnum.pe import ruc

from redaction.normalize import digits
from redaction.recognizers.mx.mx_clabe import clabe_check_digit
from redaction.recognizers.uy.uy_ci import uy_ci_check_digit

if TYPE_CHECKING:
    from faker import Faker

Generator = Callable[[str, random.Random], str]
_LETTERS = "ABCDEFGHJKLMNPRSTUVWXYZ"
_CONSONANTS = "BCDFGHJKLMNPRSTVXZ"
_MONTHS = (
    "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre"
).split()
_ALIAS_WORDS = (
    "sol luna mar rio campo casa arbol nube perro gato mesa silla faro puente lago monte "
    "tigre puma flor hoja piedra cielo viento barco tren"
).split()
_FREE_MAIL = ("gmail.com", "hotmail.com", "yahoo.com", "outlook.com", "live.com")


@lru_cache(maxsize=8)
def _faker(locale: str) -> Faker:
    from faker import Faker  # only surrogate style needs it: `mostrador redact` starts faster

    return Faker(locale)


def _seeded_faker(locale: str, rng: random.Random) -> Faker:
    fake = _faker(locale)
    fake.seed_instance(rng.getrandbits(32))
    return fake


def reshape(value: str, rng: random.Random) -> str:
    """Same shape: each digit → random digit, each letter → random letter of the same case."""
    out = []
    for ch in value:
        if ch.isdigit():
            out.append(str(rng.randrange(10)))
        elif ch.isalpha():
            letter = rng.choice(_LETTERS)
            out.append(letter if ch.isupper() else letter.lower())
        else:
            out.append(ch)
    return "".join(out)


def _refill_digits(template: str, new_digits: str) -> str:
    """Put ``new_digits`` into the digit positions of ``template`` (keeps separators)."""
    it = iter(new_digits)
    return "".join(next(it, "0") if ch.isdigit() else ch for ch in template)


def _rand_digits(n: int, rng: random.Random, first_nonzero: bool = True) -> str:
    s = "".join(str(rng.randrange(10)) for _ in range(n))
    return (str(rng.randrange(1, 10)) + s[1:]) if first_nonzero and n else s


def _person(value: str, rng: random.Random) -> str:
    fake = _seeded_faker(rng.choice(("es_AR", "es_MX", "es_CO", "es_CL", "es_ES")), rng)
    n = len(value.split())
    parts = [fake.first_name().split()[0]]
    parts += [fake.last_name().split()[0] for _ in range(max(0, n - 1))]
    name = " ".join(parts[: max(1, n)])
    return name.lower() if value.islower() else name


def _email(value: str, rng: random.Random) -> str:
    fake = _seeded_faker("es_ES", rng)
    domain = value.rsplit("@", 1)[-1].lower()
    if domain not in _FREE_MAIL:
        domain = rng.choice(_FREE_MAIL)
    user = fake.user_name()
    return f"{user}{rng.randrange(10, 99)}@{domain}"


def _phone(value: str, rng: random.Random) -> str:
    original = digits(value)
    region = None
    if value.strip().startswith("+"):
        try:
            region = phonenumbers.region_code_for_number(phonenumbers.parse(value, None))
        except phonenumbers.NumberParseException:
            region = None
    keep = min(len(original) - 4, 4 if value.strip().startswith("+") else 2)
    for _ in range(30):
        candidate = _refill_digits(
            value, original[:keep] + _rand_digits(len(original) - keep, rng, False)
        )
        regions = (region,) if region else ("AR", "MX", "CL", "CO", "PE", "UY", "ES", "US", "BR")
        for reg in regions:
            try:
                if phonenumbers.is_valid_number(phonenumbers.parse(candidate, reg)):
                    return candidate
            except phonenumbers.NumberParseException:
                break
    return _refill_digits(value, original[:keep] + _rand_digits(len(original) - keep, rng, False))


def _ar_cuit(value: str, rng: random.Random) -> str:
    prefix = digits(value)[:2] or "20"
    while True:
        body = prefix + _rand_digits(8, rng)
        check = cuit.calc_check_digit(body)
        if len(check) == 1:
            return _refill_digits(value, body + check)


def _cl_rut(value: str, rng: random.Random) -> str:
    n_body = len(digits(value[:-1]))
    body = _rand_digits(n_body, rng)
    check = rut.calc_check_digit(body)
    return _refill_digits(value[:-1], body) + (check.lower() if value[-1].islower() else check)


def _uy_ci(value: str, rng: random.Random) -> str:
    body = _rand_digits(len(digits(value)) - 1, rng)
    return _refill_digits(value, body + uy_ci_check_digit(body))


def _mx_curp(value: str, rng: random.Random) -> str:
    birth = dt.date(1950, 1, 1) + dt.timedelta(days=rng.randrange(0, 365 * 55))
    sex = value[10].upper() if len(value) > 10 and value[10].upper() in "HM" else "H"
    state = rng.choice(("DF", "JC", "NL", "PL", "VZ", "MC", "GT", "YN"))
    letters = rng.choice(_CONSONANTS) + rng.choice("AEIOU") + rng.choice(_CONSONANTS) * 1
    letters += rng.choice(_CONSONANTS)
    body = (
        letters
        + birth.strftime("%y%m%d")
        + sex
        + state
        + "".join(rng.choice(_CONSONANTS) for _ in range(3))
        + ("0" if birth.year < 2000 else "A")
    )
    return body + curp.calc_check_digit(body)


def _mx_rfc(value: str, rng: random.Random) -> str:
    birth = dt.date(1950, 1, 1) + dt.timedelta(days=rng.randrange(0, 365 * 55))
    n_letters = 4 if len(digits(value)) and len(value.replace("-", "")) >= 13 else 3
    body = "".join(rng.choice(_CONSONANTS) for _ in range(n_letters)) + birth.strftime("%y%m%d")
    body += "".join(rng.choice(_CONSONANTS + "123456789") for _ in range(2))
    return body + rfc.calc_check_digit(body)


def _mx_clabe(value: str, rng: random.Random) -> str:
    body = digits(value)[:3] + _rand_digits(14, rng, False)
    return _refill_digits(value, body + clabe_check_digit(body))


def _ar_cbu(value: str, rng: random.Random) -> str:
    first = digits(value)[:3] + _rand_digits(4, rng, False)
    second = _rand_digits(13, rng, False)
    whole = first + cbu.calc_check_digit(first) + second + cbu.calc_check_digit(second)
    return _refill_digits(value, whole)


def _card(value: str, rng: random.Random) -> str:
    number = digits(value)
    body = number[:4] + _rand_digits(len(number) - 5, rng, False)
    return _refill_digits(value, body + luhn.calc_check_digit(body))


def _iban(value: str, rng: random.Random) -> str:
    compact = value.replace(" ", "").replace("-", "").upper()
    country = compact[:2]
    if country == "ES":
        bank = _rand_digits(8, rng, False)
        account = _rand_digits(10, rng, False)
        bban = bank + ccc.calc_check_digits(bank + "00" + account) + account
    else:
        bban = reshape(compact[4:], rng).upper()
    new = country + iban.calc_check_digits(country + "00" + bban) + bban
    return _refill_alnum(value, new)


def _refill_alnum(template: str, new: str) -> str:
    it = iter(new)
    return "".join(next(it, "0") if ch.isalnum() else ch for ch in template)


def _es_dni(value: str, rng: random.Random) -> str:
    body = _rand_digits(8, rng, False)
    return _refill_alnum(value, body + dni.calc_check_digit(body))


def _es_nie(value: str, rng: random.Random) -> str:
    letter = value.strip()[0].upper()
    body = _rand_digits(7, rng, False)
    return _refill_alnum(value, letter + body + nie.calc_check_digit(letter + body))


def _pe_ruc(value: str, rng: random.Random) -> str:
    body = (digits(value)[:2] or "10") + _rand_digits(8, rng)
    return body + ruc.calc_check_digit(body)


def _address(value: str, rng: random.Random) -> str:
    if "#" in value:
        locale = "es_CO"
    elif re.search(r"(?i)\bcol\.|c\.p\.", value):
        locale = "es_MX"
    elif re.search(r"(?i)\bc/|carrer|\b\d{5}\b", value):
        locale = "es_ES"
    else:
        locale = rng.choice(("es_AR", "es_CL"))
    fake = _seeded_faker(locale, rng)
    return f"{fake.street_name()} {rng.randrange(10, 4999)}"


def _date(value: str, rng: random.Random) -> str:
    day = dt.date(1950, 1, 1) + dt.timedelta(days=rng.randrange(0, 365 * 60))
    m = re.match(r"\s*(\d{1,2})([/.\-])(\d{1,2})\2(\d{2,4})", value)
    if m:
        sep = m.group(2)
        return f"{day.day:02d}{sep}{day.month:02d}{sep}{day.year}"
    if re.match(r"\d{4}-\d{2}-\d{2}", value):
        return day.isoformat()
    return f"{day.day} de {_MONTHS[day.month - 1]} de {day.year}"


def _ip(value: str, rng: random.Random) -> str:
    if ":" in value:
        return _seeded_faker("en_US", rng).ipv6()
    return _seeded_faker("en_US", rng).ipv4_public()


def _url(value: str, rng: random.Random) -> str:
    user = _seeded_faker("es_ES", rng).user_name().replace("_", ".")
    m = re.match(r"(?i)((?:https?://)?(?:[\w-]+\.)*[\w-]+\.[a-z]{2,})(/.*)?$", value)
    if m and m.group(2):
        prefix = m.group(2).split("/")[1] if m.group(2).startswith("/in/") else ""
        path = f"/{prefix}/{user}" if prefix else f"/{user}"
        return m.group(1) + path
    scheme = "https://" if value.lower().startswith("http") else ""
    www = "www." if "www." in value.lower() else ""
    return f"{scheme}{www}{user.replace('.', '')}.com"


def _alias(value: str, rng: random.Random) -> str:
    words = [rng.choice(_ALIAS_WORDS) for _ in range(max(2, value.count(".") + 1))]
    alias = ".".join(words)
    return alias.upper() if value.isupper() else alias


GENERATORS: dict[str, Generator] = {
    "PERSON": _person,
    "EMAIL_ADDRESS": _email,
    "PHONE_NUMBER": _phone,
    "AR_CUIT": _ar_cuit,
    "AR_CBU": _ar_cbu,
    "AR_ALIAS_CBU": _alias,
    "CL_RUT": _cl_rut,
    "UY_CI": _uy_ci,
    "MX_CURP": _mx_curp,
    "MX_RFC": _mx_rfc,
    "MX_CLABE": _mx_clabe,
    "PE_RUC": _pe_ruc,
    "ES_DNI": _es_dni,
    "ES_NIE": _es_nie,
    "CREDIT_CARD": _card,
    "IBAN_CODE": _iban,
    "LOCATION": _address,
    "DATE_OF_BIRTH": _date,
    "IP_ADDRESS": _ip,
    "URL": _url,
}


def make_surrogate(entity_type: str, value: str, rng: random.Random) -> str:
    """A fake value for ``value``; types without a generator keep their shape.

    A fake person never shares a word with the real one: "Sandra Milena Rojas" must not
    become "Lucía Rojas", which would leave the real surname in the text.
    """
    generator = GENERATORS.get(entity_type, reshape)
    real_words = _words(value) if entity_type == "PERSON" else set()
    for _ in range(20):
        fake = generator(value, rng)
        if fake != value and not (real_words & _words(fake)):
            return fake
    return reshape(value, rng)


def _words(name: str) -> set[str]:
    return {w for w in re.split(r"[\s.\-']+", name.casefold()) if w}
