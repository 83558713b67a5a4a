"""Generate synthetic LatAm/ES chat messages with gold PII spans.

Written independently of the development gold set (other phrasings, other names: a
third of the people come from non-Spanish Faker locales so the gazetteer is not simply
reading back its own lists). Output rows have the gold-set shape:
``{"id", "country", "text", "spans": [{"start", "end", "label", "value"}]}``.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

import phonenumbers
from faker import Faker

from redaction.surrogates import GENERATORS, reshape

_COUNTRY_LOCALE = {
    "AR": "es_AR",
    "MX": "es_MX",
    "CL": "es_CL",
    "CO": "es_CO",
    "ES": "es_ES",
    "PE": "es_MX",
    "UY": "es_AR",
}
_FOREIGN = ("pt_BR", "it_IT", "en_US", "fr_FR", "de_DE")
_PHONE_SHAPES = {
    "AR": ["11 {4}-{4}", "+54 9 11 {4} {4}", "011 15-{4}-{4}", "351 {3}-{4}", "+54 9 341 {3} {4}"],
    "MX": ["55 {4} {4}", "+52 55 {4} {4}", "33-{4}-{4}", "(81) {4} {4}"],
    "CL": ["+56 9 {4} {4}", "9 {4} {4}", "+56 2 2{3} {4}"],
    "CO": ["3{2} {3} {4}", "+57 3{2} {3} {4}", "(601) {3} {4}"],
    "PE": ["9{2} {3} {3}", "+51 9{2} {3} {3}", "(01) {3}-{4}"],
    "UY": ["09{1} {3} {3}", "+598 9{1} {3} {3}", "2{3} {4}"],
    "ES": ["6{2} {2} {2} {2}", "+34 6{2} {3} {3}", "91 {3} {2} {2}"],
}
_VALID_PREFIX = {"AR": "AR", "MX": "MX", "CL": "CL", "CO": "CO", "PE": "PE", "UY": "UY", "ES": "ES"}
_IDS = {
    "AR": [("DNI", "AR_DNI"), ("CUIL", "AR_CUIT")],
    "MX": [("CURP", "MX_CURP"), ("RFC", "MX_RFC")],
    "CL": [("RUT", "CL_RUT")],
    "CO": [("cédula", "CO_CEDULA")],
    "PE": [("DNI", "PE_DNI"), ("RUC", "PE_RUC")],
    "UY": [("CI", "UY_CI")],
    "ES": [("DNI", "ES_DNI"), ("NIE", "ES_NIE")],
}
_ID_TEMPLATES = {
    "AR_DNI": "30.123.456",
    "AR_CUIT": "27-30123456-1",
    "MX_CURP": "",
    "MX_RFC": "ABCD800101AB1",
    "CL_RUT": "16.123.456-0",
    "CO_CEDULA": "1.015.234.567",
    "PE_DNI": "40123456",
    "PE_RUC": "10401234567",
    "UY_CI": "3.123.456-1",
    "ES_DNI": "12345678Z",
    "ES_NIE": "X1234567L",
}
_FIN = {
    "AR": [("CBU", "AR_CBU", "2850590940090418135201"), ("alias", "AR_ALIAS_CBU", "nube.rio.faro")],
    "MX": [("CLABE", "MX_CLABE", "032180000118359719")],
    "ES": [("IBAN", "IBAN_CODE", "ES91 2100 0418 4502 0005 1332")],
}
_CARDS = ["4539 1488 0343 6467", "2223 0031 2200 3222", "5425 2334 3010 9903", "3714 496353 98431"]
_STREETS = {
    "AR": "Av. {street} {n}, {city}",
    "MX": "{street} {n}, Col. {col}, {city}",
    "CL": "Pasaje {street} {n}, {city}",
    "CO": "Carrera {a} # {b}-{c}, {city}",
    "PE": "Jr. {street} {n}, {city}",
    "UY": "Bv. {street} {n} apto {a}",
    "ES": "C/ {street} {n}, 2º B, {cp} {city}",
}
Piece = str | tuple[str, str]


def _phone(country: str, rng: random.Random) -> str:
    """A number in one of the country's usual shapes, valid for ``phonenumbers``."""
    for _ in range(50):
        candidate = _phone_once(country, rng)
        try:
            if phonenumbers.is_valid_number(phonenumbers.parse(candidate, country)):
                return candidate
        except phonenumbers.NumberParseException:
            continue
    return candidate


def _phone_once(country: str, rng: random.Random) -> str:
    shape = rng.choice(_PHONE_SHAPES[country])
    out, i = [], 0
    while i < len(shape):
        if shape[i] == "{":
            n = int(shape[i + 1])
            out.append("".join(str(rng.randrange(2, 10)) for _ in range(n)))
            i += 3
        else:
            out.append(shape[i])
            i += 1
    return "".join(out)


def _name(rng: random.Random, country: str, fakers: dict[str, Faker]) -> str:
    locale = rng.choice(_FOREIGN) if rng.random() < 0.33 else _COUNTRY_LOCALE[country]
    fake = fakers[locale]
    parts = [fake.first_name().split()[0]] + [
        fake.last_name().split()[-1] for _ in range(rng.choice((0, 1, 1, 2)))
    ]
    name = " ".join(parts)
    return name.lower() if rng.random() < 0.12 else name


def _templates() -> list[Callable[[Any], list[Piece]]]:
    return [
        lambda v: [
            "buenas, les habla ",
            ("PERSON", v.name),
            ", quería saber si tienen stock del 42",
        ],
        lambda v: [
            "el titular de la cuenta es ",
            ("PERSON", v.name),
            " y el ",
            v.id_label,
            " ",
            ("NATIONAL_ID", v.id_value),
        ],
        lambda v: ["te paso mi número: ", ("PHONE_NUMBER", v.phone), " (de 9 a 18)"],
        lambda v: ["mandame todo a ", ("EMAIL_ADDRESS", v.email), " porfa, gracias!"],
        lambda v: ["Para entregar: ", ("LOCATION", v.address), ". Timbre roto, avisar por wsp"],
        lambda v: ["Saludos cordiales, ", ("PERSON", v.name), "\nTel. ", ("PHONE_NUMBER", v.phone)],
        lambda v: [
            "el ",
            v.id_label,
            " de mi viejo es ",
            ("NATIONAL_ID", v.id_value),
            ", se llama ",
            ("PERSON", v.name),
        ],
        lambda v: ["les pago con la ", ("FINANCIAL", v.card), " ok? son $", v.price],
        lambda v: [
            "Reembolso por favor al ",
            v.fin_label,
            " ",
            ("FINANCIAL", v.fin_value),
            " gracias",
        ],
        lambda v: ["Fecha de nacimiento ", ("DATE_OF_BIRTH", v.dob), " para la ficha del club"],
        lambda v: ["el vehiculo es patente ", ("LICENSE_PLATE", v.plate), " y necesito turno"],
        lambda v: ["me pueden confirmar el pedido nro ", v.order, "? lo pagué $", v.price],
        lambda v: ["tienen lugar el ", v.weekday, " ", v.day, " a las ", v.hour, "? somos ", v.qty],
        lambda v: ["cuánto sale la caja de ", v.qty, " unidades? el código es ", v.code],
        lambda v: ["Hola ", ("PERSON", v.first), "! Tu pedido ", v.order, " sale mañana"],
        lambda v: [
            "acá va la dirección ",
            ("LOCATION", v.address),
            " y mi cel ",
            ("PHONE_NUMBER", v.phone),
        ],
        lambda v: [
            "mis datos: ",
            ("PERSON", v.name),
            " / ",
            ("EMAIL_ADDRESS", v.email),
            " / ",
            ("PHONE_NUMBER", v.phone),
        ],
        lambda v: ["la ip que me marca es ", ("IP_ADDRESS", v.ip), " y no me deja entrar"],
        lambda v: ["sigan mi cuenta ", ("URL", v.url), " ahí subo los trabajos"],
        lambda v: ["Gracias por todo, nos vemos el ", v.weekday, "!"],
        lambda v: ["tengo ", v.qty, " años y quiero empezar el plan de $", v.price, " por mes"],
        lambda v: [
            "la reserva quedó a mi nombre, ",
            ("PERSON", v.name),
            ", para ",
            v.qty,
            " personas",
        ],
    ]


class _Values:
    def __init__(self, country: str, rng: random.Random, fakers: dict[str, Faker]) -> None:
        fake = fakers[_COUNTRY_LOCALE[country]]
        self.name = _name(rng, country, fakers)
        self.first = _name(rng, country, fakers).split()[0].capitalize()
        self.phone = _phone(country, rng)
        user = fake.user_name()
        domain = rng.choice(["gmail.com", "hotmail.com", "yahoo.com.ar", "outlook.es"])
        self.email = f"{user}{rng.randrange(1, 99)}@{domain}"
        self.id_label, id_type = rng.choice(_IDS[country])
        template = _ID_TEMPLATES[id_type]
        self.id_value = (
            GENERATORS.get(id_type, reshape)(template or "GAMA010715HPLRRLA6", rng)
            if id_type != "MX_CURP"
            else GENERATORS["MX_CURP"]("XXXX000000H", rng)
        )
        if id_type in ("AR_DNI", "CO_CEDULA", "PE_DNI"):
            self.id_value = template[0] + reshape(template[1:], rng)
        fin = _FIN.get(country, [("cuenta", "BANK_ACCOUNT", "191-45873621-0-54")])
        self.fin_label, fin_type, fin_template = rng.choice(fin)
        self.fin_value = GENERATORS.get(fin_type, reshape)(fin_template, rng)
        self.card = GENERATORS["CREDIT_CARD"](rng.choice(_CARDS), rng)
        self.address = _STREETS[country].format(
            street=fake.last_name(),
            n=rng.randrange(10, 5000),
            city=fake.city(),
            col=fake.last_name(),
            a=rng.randrange(1, 120),
            b=rng.randrange(1, 99),
            c=rng.randrange(1, 99),
            cp=rng.randrange(10000, 52999),
        )
        self.dob = GENERATORS["DATE_OF_BIRTH"](
            rng.choice(["01/01/1990", "1 de enero de 1990"]), rng
        )
        self.plate = reshape(
            rng.choice(["AB 123 CD", "ABC 123", "ABCD-12", "ABC-12-34"]), rng
        ).upper()
        self.ip = GENERATORS["IP_ADDRESS"]("1.1.1.1", rng)
        self.url = f"https://www.instagram.com/{user.replace('_', '.')}"
        self.price = f"{rng.randrange(1, 99)}.{rng.randrange(0, 999):03d}"
        self.order = str(rng.randrange(10_000_000, 99_999_999))
        self.weekday = rng.choice(["lunes", "martes", "miércoles", "jueves", "viernes", "sábado"])
        self.day = str(rng.randrange(1, 29))
        self.hour = f"{rng.randrange(8, 21)}:{rng.choice(['00', '30'])}"
        self.qty = str(rng.randrange(2, 60))
        self.code = reshape(rng.choice(["AB-1234", "XK-22", "REF 4410"]), rng).upper()


def generate(n: int = 500, *, seed: int = 7) -> list[dict[str, Any]]:
    """``n`` synthetic messages with gold spans; deterministic for a given seed."""
    rng = random.Random(seed)
    fakers = {loc: Faker(loc) for loc in sorted({*_COUNTRY_LOCALE.values(), *_FOREIGN})}
    for i, fake in enumerate(fakers.values()):
        fake.seed_instance(seed + i)
    templates = _templates()
    rows = []
    for i in range(n):
        country = rng.choice(list(_COUNTRY_LOCALE))
        values = _Values(country, rng, fakers)
        pieces = rng.choice(templates)(values)
        text, spans = "", []
        for piece in pieces:
            if isinstance(piece, tuple):
                label, value = piece
                spans.append(
                    {
                        "start": len(text),
                        "end": len(text) + len(value),
                        "label": label,
                        "value": value,
                    }
                )
                text += value
            else:
                text += piece
        rows.append({"id": f"synth-{i + 1:04d}", "country": country, "text": text, "spans": spans})
    return rows
