"""Training rows for the PERSON tagger, built only from what the repository holds.

Sources, in a fixed order so a clone rebuilds the same list:

* :func:`redaction.synth.generate` and :func:`redaction.synth.generate_chat` (names after
  cues, chat spelling, decoys), with seeds other than the benchmark's (20260, 4242);
* :func:`cueless_rows`: names with no cue at all ("{name} pasame el precio") and hard
  negatives (greetings, brands and places at the start of a line), written here;
* :func:`word_salad_rows`: runs of the package's ordinary-word lists (:mod:`lexicon`,
  :mod:`vocab`) and Faker city names, half of them with a name dropped in: the templates
  above use few words, and a tagger that has seen few words calls every new one a name;
* ``tests/data/redaction/pii_dev_subset.jsonl`` (40 dev-set messages, project data).

Rows have the gold-set shape ``{"id", "text", "spans": [{"start", "end", "label", ...}]}``;
only PERSON spans are learned, everything else is "not a name".

The generators draw on modules that keep changing (surrogates, word lists), so the rows
the model was trained on are frozen in :data:`SNAPSHOT` (gzip JSONL, PERSON spans only,
written byte-reproducibly). Training reads the snapshot; ``--rebuild-data`` regenerates it.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import random
from pathlib import Path
from typing import Any

from faker import Faker

from redaction.normalize import strip_accents
from redaction.recognizers.common.lexicon import AMBIGUOUS_NAMES, COMMON_WORDS
from redaction.recognizers.common.vocab import COMMON_VOCAB
from redaction.synth import generate, generate_chat

REPO_ROOT = Path(__file__).resolve().parents[2]
DEV_SUBSET = REPO_ROOT / "tests" / "data" / "redaction" / "pii_dev_subset.jsonl"
SNAPSHOT = Path(__file__).resolve().parent / "train_rows.jsonl.gz"

SYNTH_N, SYNTH_SEED = 3000, 101
CHAT_N, CHAT_SEED = 3000, 202
CUELESS_N, CUELESS_SEED = 1500, 303
NEGATIVE_N = 1500
SALAD_N, SALAD_SEED = 2000, 404

_LOCALES = ("es_AR", "es_MX", "es_CL", "es_CO", "es_ES", "pt_BR", "it_IT", "en_US", "fr_FR")

# "{N}" is a full name, "{F}" a first name; no word before a name is a naming cue.
_CUELESS = (
    "{N} pasame el precio del envio",
    "{F} dice que no le llego el mail",
    "mañana va {F} a retirar el pedido",
    "lo retira {N} el viernes a la tarde",
    "es para {N}, cumple 30 el sabado",
    "confirmado {F}, te espero a las 10",
    "ok {F} gracias!!",
    "la factura va a nombre de la empresa, la firma {N}",
    "{N}\nhay stock del talle m?",
    "cuando llega lo de {F}?",
    "{F} y {F2} van a ir juntos al turno",
    "Buenas tardes! {N} queria saber si hacen envios",
    "ya le avise a {F} que pasa a buscarlo",
    "{N} 3er piso, el timbre no anda",
    "te confirmo que {N} ya pago la seña",
    "perdon {F}, me equivoque de chat",
    "{F} me dijo que ustedes tenian la pieza",
    "anotame para el jueves, {N}",
    "el paquete lo recibe {F} en la porteria",
    "{N} - cliente de hace años, consulta",
)
_GREETINGS = (
    "Hola",
    "Buenas",
    "Buen dia",
    "Buenos dias",
    "Buenas tardes",
    "Dale",
    "Gracias",
    "Perfecto",
    "Genial",
    "Listo",
    "Ok",
    "Hola hola",
    "Holaa",
    "Che",
    "Disculpa",
    "Oye",
    "Bueno",
)
_BRANDS = (
    "Mercado Pago",
    "Mercado Libre",
    "Rappi",
    "PedidosYa",
    "Visa",
    "Mastercard",
    "Netflix",
    "Samsung",
    "Apple",
    "Nike",
    "Adidas",
    "Coca Cola",
    "Naranja X",
    "Uala",
    "Nequi",
    "Yape",
    "Google Pay",
    "Banco Galicia",
    "Santander",
    "BBVA",
    "Correo Argentino",
    "Andreani",
    "OCA",
    # banks
    "Banco Macro",
    "Macro",
    "Banco Nacion",
    "Itau",
    "Bancolombia",
    "Davivienda",
    "Banorte",
    "BCP",
    "Interbank",
    "BROU",
    # cars and appliances
    "Toyota Corolla",
    "Yaris",
    "Hilux",
    "Fiat Cronos",
    "Kia Morning",
    "Chevrolet Onix",
    "Renault Sandero",
    "Gol Trend",
    "Nissan Versa",
    "Whirlpool",
    "Drean",
    "Mabe",
    "Motorola",
    "Xiaomi",
    "iPhone",
    "PlayStation",
    # shops, apps, health plans
    "Oxxo",
    "Falabella",
    "Ripley",
    "Coppel",
    "Walmart",
    "Carrefour",
    "Zara",
    "Shein",
    "Spotify",
    "Instagram",
    "WhatsApp",
    "Uber",
    "DiDi",
    "Cabify",
    "Osde",
    "Swiss Medical",
    "Sanitas",
)
_PLACES = (
    "Palermo",
    "Cordoba",
    "Monterrey",
    "Guadalajara",
    "Medellin",
    "Bogota",
    "Lima",
    "Montevideo",
    "Madrid",
    "Valencia",
    "San Isidro",
    "Buenos Aires",
    "Quilmes",
    "Puebla",
    "Valparaiso",
    "Cali",
    "Barcelona",
    "Mar del Plata",
    "La Plata",
    "Nuñez",
    "Recoleta",
    "Barranquilla",
    "Cartagena",
    "Coyoacan",
    "Polanco",
    "Tlalpan",
    "Zapopan",
    "Cusco",
    "Arequipa",
    "Miraflores",
    "Providencia",
    "Las Condes",
    "Ñuñoa",
    "Tucuman",
    "Salta",
    "Neuquen",
    "Punta del Este",
    "Sevilla",
    "Malaga",
    "Bilbao",
    "Caballito",
    "Almagro",
)
# Imperatives with clitics: capitalized at the start of a message, in no word list.
_IMPERATIVES = (
    "Envienlo",
    "Mandenlo",
    "Avisenme",
    "Pasame",
    "Confirmame",
    "Agendame",
    "Reservame",
    "Cobrame",
    "Fijate",
    "Llamame",
    "Escribime",
    "Mandame",
    "Decime",
    "Contame",
    "Pasenme",
    "Traeme",
    "Guardame",
    "Separame",
    "Anotame",
    "Cambiame",
)
_NEGATIVE = (
    "{G}! hay stock del modelo negro?",
    "{G}, cuanto sale el envio a {P}?",
    "{g} ya pague con {B}, te mando el comprobante",
    "lo vi en {B} mas barato",
    "aceptan {B}?",
    "{G} {G2}, tienen turno para el lunes?",
    "envian a {P}? o solo retiro",
    "estoy en {P} hasta el viernes",
    "{G}. Quedo atento.",
    "dale, {g}",
    "Te pago por {B} o {B2}?",
    "{G}! El pedido llego perfecto, mil gracias",
    "tengo un {B} del 2015, hacen service?",
    "{B} no me deja pagar, que hago?",
    "{P} o {P2}, donde les queda mejor?",
    "me paso por la sucursal de {P}",
    "{V} a {P} porfa",
    "{V} cuando puedan, gracias",
    "{V} el precio con {B}",
)


def _name(fake: Faker, rng: random.Random, full: bool) -> str:
    first = str(fake.first_name()).split()[0]
    if not full:
        return first
    lasts = [str(fake.last_name()).split()[-1] for _ in range(rng.choice((1, 1, 2)))]
    return " ".join([first, *lasts])


def _fill(template: str, values: dict[str, str]) -> tuple[str, list[dict[str, Any]]]:
    """Substitute ``{X}`` slots left to right, recording spans for the name slots."""
    text, spans, i = "", [], 0
    while i < len(template):
        if template[i] == "{":
            j = template.index("}", i)
            key = template[i + 1 : j]
            value = values[key]
            if key in ("N", "F", "F2"):
                spans.append({"start": len(text), "end": len(text) + len(value), "label": "PERSON"})
            text += value
            i = j + 1
        else:
            text += template[i]
            i += 1
    return text, spans


def cueless_rows(n: int, negatives: int, *, seed: int) -> list[dict[str, Any]]:
    """``n`` messages with cue-less names and ``negatives`` with capitalized non-names."""
    rng = random.Random(seed)
    fakers = {loc: Faker(loc) for loc in _LOCALES}
    for i, fake in enumerate(fakers.values()):
        fake.seed_instance(seed + i)
    rows: list[dict[str, Any]] = []
    for i in range(n + negatives):
        positive = i < n
        fake = fakers[rng.choice(_LOCALES)]
        values = {
            "N": _name(fake, rng, full=True),
            "F": _name(fake, rng, full=False),
            "F2": _name(fakers[rng.choice(_LOCALES)], rng, full=False),
            "G": rng.choice(_GREETINGS),
            "G2": rng.choice(_GREETINGS).lower(),
            "g": rng.choice(_GREETINGS).lower(),
            "B": rng.choice(_BRANDS),
            "B2": rng.choice(_BRANDS),
            "P": rng.choice(_PLACES),
            "P2": rng.choice(_PLACES),
            "V": rng.choice(_IMPERATIVES),
        }
        template = rng.choice(_CUELESS if positive else _NEGATIVE)
        # Chat spelling: a share of messages lowercase and without accents, names included.
        if rng.random() < 0.4:
            values = {k: v.lower() for k, v in values.items()}
        if rng.random() < 0.4:
            values = {k: strip_accents(v) for k, v in values.items()}
        text, spans = _fill(template, values)
        rows.append({"id": f"cueless-{i + 1:04d}", "text": text, "spans": spans})
    return rows


def word_salad_rows(n: int, *, seed: int) -> list[dict[str, Any]]:
    """``n`` runs of ordinary words (and city names); every other one holds a name."""
    rng = random.Random(seed)
    words = sorted((COMMON_VOCAB | COMMON_WORDS) - AMBIGUOUS_NAMES)
    fakers = {loc: Faker(loc) for loc in _LOCALES}
    for i, fake in enumerate(fakers.values()):
        fake.seed_instance(seed + i)
    rows: list[dict[str, Any]] = []
    for i in range(n):
        fake = fakers[rng.choice(_LOCALES)]
        pieces = [rng.choice(words) for _ in range(rng.randrange(3, 12))]
        if rng.random() < 0.15:
            pieces.insert(rng.randrange(len(pieces) + 1), str(fake.city()))
        if rng.random() < 0.5:
            pieces[0] = pieces[0].capitalize()
        name_at = rng.randrange(len(pieces) + 1) if i % 2 else -1
        name = _name(fake, rng, full=rng.random() < 0.5)
        if rng.random() < 0.3:
            name = name.lower()
        text, spans = "", []
        for j in range(len(pieces) + 1):
            if j == name_at:
                spans.append({"start": len(text), "end": len(text) + len(name), "label": "PERSON"})
                text += name + " "
            if j < len(pieces):
                text += pieces[j] + rng.choice((" ", " ", " ", ", "))
        text = text.rstrip(" ,") + rng.choice(("", "?", "!", "."))
        rows.append({"id": f"salad-{i + 1:04d}", "text": text, "spans": spans})
    return rows


def dev_subset_rows(path: Path = DEV_SUBSET) -> list[dict[str, Any]]:
    """The 40 dev-set messages copied into the repository's test data."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def training_rows() -> list[dict[str, Any]]:
    """Every training row, in a fixed order (the trainer shuffles with its own seed)."""
    return [
        *generate(SYNTH_N, seed=SYNTH_SEED),
        *generate_chat(CHAT_N, seed=CHAT_SEED),
        *cueless_rows(CUELESS_N, NEGATIVE_N, seed=CUELESS_SEED),
        *word_salad_rows(SALAD_N, seed=SALAD_SEED),
        *dev_subset_rows(),
    ]


def _canonical(rows: list[dict[str, Any]]) -> bytes:
    """One compact JSON line per row, PERSON spans only (the learned part)."""
    out = io.StringIO()
    for row in rows:
        spans = [
            {"start": sp["start"], "end": sp["end"], "label": sp["label"]}
            for sp in row["spans"]
            if sp["label"] == "PERSON"
        ]
        line = {"id": row["id"], "text": row["text"], "spans": spans}
        out.write(json.dumps(line, ensure_ascii=False, sort_keys=True) + "\n")
    return out.getvalue().encode("utf-8")


def data_digest(rows: list[dict[str, Any]]) -> str:
    """sha256 of the rows as the snapshot stores them."""
    return hashlib.sha256(_canonical(rows)).hexdigest()


def write_snapshot(rows: list[dict[str, Any]], path: Path = SNAPSHOT) -> None:
    """Write ``rows`` to ``path``; the same rows give the same bytes (no gzip timestamp)."""
    buffer = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buffer, mtime=0, compresslevel=9) as gz:
        gz.write(_canonical(rows))
    path.write_bytes(buffer.getvalue())


def read_snapshot(path: Path = SNAPSHOT) -> list[dict[str, Any]]:
    """The frozen training rows."""
    text = gzip.decompress(path.read_bytes()).decode("utf-8")
    return [json.loads(line) for line in text.splitlines() if line]
