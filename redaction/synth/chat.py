"""Chat-style synthetic messages: lowercase, unaccented, typos, run-ons, multi-line chats.

A second generator, written to stress what the template generator does not: names of
every origin (Faker's foreign locales, indigenous surnames, compound names with particles,
nicknames with a signature initial), names after cues in lowercase, informal and rural
addresses, plates of every country in any case, phones with dots/spaces/"00" prefixes,
birth dates in several forms, and decoys (prices, appointment times, quantities, order
codes, words that are also names: "rosa", "paz", "luz", "cruz"). Gold spans follow the
gold-set conventions (titles outside PERSON, comma-joined address parts inside LOCATION).
"""

from __future__ import annotations

import random
import unicodedata
from collections.abc import Callable
from typing import Any

from faker import Faker

from redaction.recognizers.common.gazetteer import INDIGENOUS_SURNAMES
from redaction.surrogates import GENERATORS
from redaction.synth.generator import _phone

_LOCALES = ("es_AR", "es_MX", "es_CL", "es_CO", "es_ES")
_FOREIGN = ("pt_BR", "it_IT", "de_DE", "fr_FR", "en_US", "pl_PL", "tr_TR", "nl_NL")
_JP = ("ja_JP",)
_COUNTRIES = ("AR", "MX", "CL", "CO", "PE", "UY", "ES")
_TITLES = ("dr.", "dra.", "sr.", "sra.", "lic.", "ing.", "don", "doña", "la dra", "el dr")
_KIN = ("mi hijo", "mi hija", "mi esposo", "mi esposa", "mi mamá", "mi hermana", "mi sobrino")
_PARTICLES = ("de la", "del", "de los", "de")
_NICK = ("fede", "nacho", "lupita", "pepe", "santi", "caro", "juli", "maxi", "pao", "memo")
_STREET_TYPES = ("calle", "av.", "avenida", "pasaje", "psje", "bv.", "diagonal", "jr.", "cll")
_PLACES = {
    "AR": ("villa crespo", "san isidro", "lanus oeste", "barrio norte", "quilmes"),
    "MX": ("col. roma norte", "col. del carmen, coyoacan", "col. centro, puebla", "zapopan"),
    "CL": ("ñuñoa", "puente alto", "la reina", "viña del mar", "maipu"),
    "CO": ("barrio san fernando, cali", "chapinero, bogota", "envigado", "barrio el prado"),
    "PE": ("urb. santa patricia, la molina", "san miguel", "los olivos", "cercado"),
    "UY": ("pocitos", "cordon", "malvin norte", "la blanqueada"),
    "ES": ("28012 madrid", "46001 valencia", "08012 barcelona", "29002 malaga"),
}
_PLATES = {
    "AR": ("AB 123 CD", "ABC 123", "A123BCD"),
    "MX": ("ABC-123-A", "ABC-12-34"),
    "CL": ("BBBB-12", "BB-BB-12", "BB-1234"),
    "CO": ("ABC123", "ABC12D"),
    "PE": ("ABC-123", "A1B-123"),
    "UY": ("ABC 1234", "SBA 1234"),
    "ES": ("1234 BCD", "1234-BCD"),
}
_PLATE_LETTERS = "BCDFGHJKLMNPRSTVWXYZ"
_MONTHS = (
    "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre"
).split()
Piece = str | tuple[str, str]


def _strip(text: str) -> str:
    return "".join(
        ch for ch in unicodedata.normalize("NFD", text) if not unicodedata.combining(ch)
    ).replace("\u0303", "")


class _V:
    """Random values for one message."""

    def __init__(self, rng: random.Random, fakers: dict[str, Faker], country: str) -> None:
        self.rng = rng
        self.fakers = fakers
        self.country = country

    def first(self) -> str:
        r = self.rng.random()
        if r < 0.65:
            loc = self.rng.choice(_LOCALES)
        elif r < 0.9:
            loc = self.rng.choice(_FOREIGN)
        else:
            return str(self.fakers["ja_JP"].first_romanized_name())
        return str(self.fakers[loc].first_name()).split()[0]

    def last(self) -> str:
        r = self.rng.random()
        if r < 0.5:
            loc = self.rng.choice(_LOCALES)
        elif r < 0.75:
            loc = self.rng.choice(_FOREIGN)
        elif r < 0.85:
            return str(self.fakers["ja_JP"].last_romanized_name())
        else:
            return self.rng.choice(sorted(INDIGENOUS_SURNAMES)).capitalize()
        return str(self.fakers[loc].last_name()).split()[-1]

    def full(self) -> str:
        r = self.rng.random()
        if r < 0.15:
            return f"{self.first()} {self.first()} {self.rng.choice(_PARTICLES)} {self.last()}"
        if r < 0.3:
            return f"{self.first()} {self.last()} {self.last()}"
        if r < 0.4:
            return f"{self.first()} {self.last()}-{self.last()}"
        return f"{self.first()} {self.last()}"

    def phone(self) -> str:
        p = _phone(self.country, self.rng)
        r = self.rng.random()
        if r < 0.15 and not p.startswith(("+", "(")):
            return p.replace(" ", ".").replace("-", ".")
        if r < 0.25 and p.startswith("+"):
            return "00" + p[1:]
        return p

    def address(self) -> str:
        rng = self.rng
        street = self.last() if rng.random() < 0.6 else f"{self.first()} {self.last()}"
        n = rng.randrange(10, 4999)
        place = rng.choice(_PLACES[self.country])
        r = rng.random()
        if self.country == "CO":
            street_type = rng.choice(("calle", "carrera", "cra", "cll", "diagonal"))
            core = f"{street_type} {rng.randrange(1, 150)}"
            core += f" # {rng.randrange(1, 99)}-{rng.randrange(1, 99)}"
        elif r < 0.15:
            return (
                f"manzana {rng.randrange(1, 40)} lote {rng.randrange(1, 30)}, barrio {self.last()}"
            )
        elif r < 0.25:
            return f"ruta {rng.randrange(1, 40)} km {rng.randrange(1, 90)}, {place}"
        else:
            core = f"{rng.choice(_STREET_TYPES)} {street} {n}"
        unit = rng.choice(("", "", " piso 3 dto b", " depto 12", " apto 402", " casa 4", " 2º b"))
        return f"{core}{unit}, {place}"

    def plate(self) -> str:
        shape = self.rng.choice(_PLATES[self.country])
        out = "".join(
            self.rng.choice(_PLATE_LETTERS)
            if c.isalpha()
            else str(self.rng.randrange(10))
            if c.isdigit()
            else c
            for c in shape
        )
        return out.lower() if self.rng.random() < 0.5 else out

    def dob(self) -> str:
        rng = self.rng
        d, m, y = rng.randrange(1, 29), rng.randrange(1, 13), rng.randrange(1950, 2008)
        return rng.choice(
            (
                f"{d:02d}/{m:02d}/{y}",
                f"{d}/{m}/{y}",
                f"{d}-{m:02d}-{y}",
                f"{d} de {_MONTHS[m - 1]} de {y}",
                f"{d} de {_MONTHS[m - 1]} del {y % 100:02d}",
                f"{d:02d}/{m:02d}/{y % 100:02d}",
            )
        )

    def id_value(self) -> tuple[str, str]:
        rng = self.rng
        options = {
            "AR": [
                (
                    "dni",
                    f"{rng.randrange(20, 45)}.{rng.randrange(100, 999)}.{rng.randrange(100, 999)}",
                )
            ],
            "CL": [("rut", GENERATORS["CL_RUT"]("16.123.456-0", rng))],
            "MX": [("curp", GENERATORS["MX_CURP"]("XXXX000000H", rng))],
            "PE": [("dni", str(rng.randrange(40_000_000, 79_999_999)))],
            "UY": [("ci", GENERATORS["UY_CI"]("3.123.456-1", rng))],
            "CO": [
                (
                    "cedula",
                    f"1.0{rng.randrange(10, 99)}.{rng.randrange(100, 999)}"
                    f".{rng.randrange(100, 999)}",
                )
            ],
            "ES": [("dni", GENERATORS["ES_DNI"]("12345678Z", rng))],
        }
        return rng.choice(options[self.country])

    def price(self) -> str:
        return self.rng.choice(
            (
                f"${self.rng.randrange(2, 99)}.{self.rng.randrange(0, 999):03d}",
                f"{self.rng.randrange(2, 60)} lucas",
                f"{self.rng.randrange(100, 900)} mil",
                f"{self.rng.randrange(10, 99)},90 €",
            )
        )

    def when(self) -> str:
        d = self.rng.choice(("lunes", "martes", "miercoles", "jueves", "viernes", "sabado"))
        return self.rng.choice(
            (
                f"el {d} {self.rng.randrange(1, 29)} a las {self.rng.randrange(8, 20)}",
                f"mañana {self.rng.randrange(8, 12)}hs",
                f"el {d} a las {self.rng.randrange(8, 20)}:30",
                f"el {self.rng.randrange(1, 28)}/{self.rng.randrange(1, 12)} a las 10",
            )
        )

    def code(self) -> str:
        rng = self.rng
        return rng.choice(
            (
                f"#{rng.randrange(10000, 999999)}",
                f"SKU-{rng.randrange(1000, 9999)}",
                f"FE-{rng.randrange(100, 9999)}",
                f"{rng.randrange(10_000, 99_999_999)}",
            )
        )


def _id_and_name(v: _V) -> list[Piece]:
    label, value = v.id_value()
    return [label, " ", ("NATIONAL_ID", value), " soy ", ("PERSON", v.full())]


def _templates() -> list[Callable[[_V], list[Piece]]]:
    return [
        lambda v: ["hola soy ", ("PERSON", v.full()), " queria consultar por un turno"],
        lambda v: ["buenas me llamo ", ("PERSON", v.full()), " y necesito factura"],
        lambda v: ["a nombre de ", ("PERSON", v.full()), " porfa, pago en efectivo"],
        lambda v: ["el titular es ", ("PERSON", v.full())],
        lambda v: ["turno con ", v.rng.choice(_TITLES), " ", ("PERSON", v.last()), " ", v.when()],
        lambda v: [
            v.rng.choice(_TITLES).capitalize(),
            " ",
            ("PERSON", v.last()),
            " atiende los sabados?",
        ],
        lambda v: [
            v.rng.choice(_KIN),
            " ",
            ("PERSON", v.first()),
            " va a retirar el pedido ",
            v.code(),
        ],
        lambda v: ["saludos, ", ("PERSON", f"{v.rng.choice(_NICK)} {v.rng.choice('abcdfgmr')}.")],
        lambda v: ["gracias! saludos cordiales, ", ("PERSON", v.full())],
        lambda v: ["te escribo de parte de ", ("PERSON", v.full()), ", ella me paso tu numero"],
        lambda v: ["les habla ", ("PERSON", v.full()), ", tengo una consulta"],
        lambda v: ["hola ", ("PERSON", v.first()), ", ya te transferi, avisame"],
        lambda v: [("PERSON", v.first()), " aca, confirmame ", v.when(), " porfa"],
        lambda v: ["cel ", ("PHONE_NUMBER", v.phone()), " llamame despues de las 6"],
        lambda v: ["mi numero es ", ("PHONE_NUMBER", v.phone()), " es wsp tambien"],
        lambda v: ["vivo en ", ("LOCATION", v.address()), " cerca de la plaza"],
        lambda v: ["la direccion es ", ("LOCATION", v.address())],
        lambda v: ["mandalo a ", ("LOCATION", v.address()), " que no hay portero"],
        lambda v: ["envialo a ", ("LOCATION", v.address()), " porfa"],
        lambda v: ["la patente es ", ("LICENSE_PLATE", v.plate()), " es un fiat"],
        lambda v: ["placa ", ("LICENSE_PLATE", v.plate()), " para la revision"],
        lambda v: ["la moto tiene matricula ", ("LICENSE_PLATE", v.plate())],
        lambda v: ["naci el ", ("DATE_OF_BIRTH", v.dob()), " por si lo necesitan"],
        lambda v: ["fecha de nac ", ("DATE_OF_BIRTH", v.dob())],
        lambda v: _id_and_name(v),
        lambda v: [
            "Cliente: hola quiero reservar\nAgente: hola! a nombre de quien?\nCliente: ",
            ("PERSON", v.full()),
            ", mi cel ",
            ("PHONE_NUMBER", v.phone()),
            "\nAgente: listo, ",
            v.when(),
        ],
        lambda v: [
            "oye mira que ya fui y no estaba el pedido, me dijeron que lo mandaron a ",
            ("LOCATION", v.address()),
            " pero yo no vivo ahi, me llamo ",
            ("PERSON", v.full()),
            " y mi numero es ",
            ("PHONE_NUMBER", v.phone()),
        ],
        # decoys
        lambda v: ["cuanto sale? vi que estaba ", v.price(), " en efectivo"],
        lambda v: ["quedamos ", v.when(), " en la sucursal"],
        lambda v: [
            "el pedido ",
            v.code(),
            " no me llego, son ",
            str(v.rng.randrange(2, 12)),
            " unidades",
        ],
        lambda v: [
            "tengo ",
            str(v.rng.randrange(18, 70)),
            " años y trabajo desde ",
            str(v.rng.randrange(1995, 2024)),
        ],
        lambda v: ["quiero un ramo con una rosa roja y flores blancas, cuanto sale?"],
        lambda v: ["hay luz en el local? paso ", v.when()],
        lambda v: ["paz y amor, ya pague ", v.price()],
        lambda v: ["la cruz roja recibe donaciones? tengo ", str(v.rng.randrange(2, 20)), " cajas"],
        lambda v: ["el local sigue en av santa fe? o se mudaron?"],
        lambda v: ["me mandas el link? codigo ", v.code(), " talle m"],
        lambda v: ["la garantia es de 12 meses, serie ", v.code()],
        lambda v: ["somos ", str(v.rng.randrange(2, 15)), " para el sabado, precio por persona?"],
        lambda v: ["que alegria que llego! y la victoria del domingo tambien jaja"],
        lambda v: ["envian a mar del plata? cuanto demora"],
    ]


def _typo(word: str, rng: random.Random) -> str:
    if len(word) < 5 or not word.isalpha():
        return word
    i = rng.randrange(1, len(word) - 1)
    return rng.choice((word[:i] + word[i + 1 :], word[:i] + word[i + 1] + word[i] + word[i + 2 :]))


def _style(piece: str, rng: random.Random, lower: bool, plain: bool, typos: bool) -> str:
    if lower:
        piece = piece.lower()
    if plain:
        piece = _strip(piece)
    if typos:
        piece = " ".join(_typo(w, rng) if rng.random() < 0.12 else w for w in piece.split(" "))
    return piece


def generate_chat(n: int = 600, *, seed: int = 11) -> list[dict[str, Any]]:
    """``n`` chat-style messages with gold spans; deterministic for a given seed."""
    rng = random.Random(seed)
    fakers = {loc: Faker(loc) for loc in (*_LOCALES, *_FOREIGN, *_JP)}
    for i, fake in enumerate(fakers.values()):
        fake.seed_instance(seed + i)
    templates = _templates()
    rows = []
    for i in range(n):
        country = rng.choice(_COUNTRIES)
        values = _V(rng, fakers, country)
        pieces = rng.choice(templates)(values)
        lower = rng.random() < 0.6
        plain = rng.random() < 0.6
        typos = rng.random() < 0.3
        text, spans = "", []
        for piece in pieces:
            if isinstance(piece, tuple):
                label, value = piece
                # PII keeps its own case rules: plates and ids as typed; names/places styled.
                if label in ("PERSON", "LOCATION"):
                    value = _style(value, rng, lower, plain, typos=False)
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
                text += _style(piece, rng, lower, plain, typos)
        rows.append({"id": f"chat-{i + 1:04d}", "country": country, "text": text, "spans": spans})
    return rows
