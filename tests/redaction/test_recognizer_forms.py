"""Forms an independent evaluation found leaking or over-redacted, one table per class.

Each row: (text, expected [(label, value)] of the labels the table is about). Values are
synthetic; check digits are valid unless the comment says otherwise.
"""

from __future__ import annotations

import pytest

from redaction import Redactor, coarse_type
from redaction.recognizers import (
    PRIORITY_BY_NAME,
    RECOGNIZER_CLASSES,
    build_recognizers,
    recognizer_priority,
)
from redaction.recognizers.priority import CHECKSUM, CUE, FREE_TEXT, SHAPE

Spans = list[tuple[str, str]]


def spans(redactor: Redactor, text: str, labels: set[str]) -> Spans:
    """(coarse label, value) of the detected spans whose coarse label is in ``labels``."""
    found = [(coarse_type(r.entity_type), text[r.start : r.end]) for r in redactor.analyze(text)]
    return [(label, value) for label, value in found if label in labels]


ID = "NATIONAL_ID"
FIN = "FINANCIAL"
PER = "PERSON"
LOC = "LOCATION"
PHONE = "PHONE_NUMBER"
DOB = "DATE_OF_BIRTH"

FOREIGN_IDS = [
    # Venezuelan cédula: V (national) or E (foreign) prefix
    ("mi cédula es V-12.345.678", [(ID, "V-12.345.678")]),
    ("cedula V12345678 por favor", [(ID, "V12345678")]),
    ("soy extranjera, E-84.123.456", [(ID, "E-84.123.456")]),
    # Venezuelan RIF: check digit
    ("el RIF es V-12345678-1", [(ID, "V-12345678-1")]),
    ("el RIF es V-12345678-2", []),  # wrong check digit
    # Brazilian CPF / CNPJ: dotted forms alone, bare digits after their word
    ("meu CPF é 529.982.247-25", [(ID, "529.982.247-25")]),
    ("CPF 52998224725", [(ID, "52998224725")]),
    ("meu CPF é 529.982.247-24", []),  # wrong check digit
    ("CNPJ 11.222.333/0001-81", [(ID, "11.222.333/0001-81")]),
    ("cnpj: 11222333000181", [(ID, "11222333000181")]),
    # passports, with their word in es/en/pt
    ("pasaporte AB1234567", [(ID, "AB1234567")]),
    ("my passport is X12345678", [(ID, "X12345678")]),
    ("passaporte FZ123456", [(ID, "FZ123456")]),
    ("N° de pasaporte: AAA654321", [(ID, "AAA654321")]),
    # Peruvian carné de extranjería
    ("carné de extranjería 001234567", [(ID, "001234567")]),
    ("CE 001234567890", [(ID, "001234567890")]),
    # decoys
    ("el pasaporte vence en 2027", []),
    ("vine en el vuelo V1234 desde Caracas", []),
    ("ce 001234567 no es un cue en minúsculas", []),
    # Colombian NIT after its label, check digit validated; ten bare digits are not one
    ("el NIT de la empresa es 961.130.026-5 para la cuenta", [(ID, "961.130.026-5")]),
    ("el folio es 9611300265", []),
    # a nationality between the label and the passport number
    ("pasaporte venezolano 112233445 porque la cédula venció", [(ID, "112233445")]),
    # countries without a recognizer of their own: the label makes it one
    ("Cliente: Byron Ch. | CI: 0126468206 | Tel", [(ID, "0126468206")]),  # Ecuador
    ("CI 6543218 LP, fecha de nacimiento", [(ID, "6543218 LP")]),  # Bolivia, department
    ("factura con RUC 5281454-8 porfa", [(ID, "5281454-8")]),  # Paraguay
    ("RUC 0905662086001, Guayaquil", [(ID, "0905662086001")]),  # Ecuador
    ("CI N°: 4.981.397", [(ID, "4.981.397")]),
    # a check digit that fails every country's check: a decoy
    ("el documento 4.567.890-2 del trámite", []),
]

LABELLED_IDS = [
    # medical record, health plan, staff file, social security
    ("NHC: 45871236", [(ID, "45871236")]),
    ("N° de historia clínica 1234567", [(ID, "1234567")]),
    ("HC 4455667", [(ID, "4455667")]),
    ("N° de afiliado 12-34567890-01", [(ID, "12-34567890-01")]),
    ("afiliado 123456789012", [(ID, "123456789012")]),
    ("legajo 12345", [(ID, "12345")]),
    ("NASS: 28 19865453 56", [(ID, "28 19865453 56")]),
    ("matrícula profesional 123456", [(ID, "123456")]),
    ("expediente 2023-4567", [(ID, "2023-4567")]),
    ("credencial 0012345678", [(ID, "0012345678")]),
    # decoys: club members are not PII here, plates, prices, short numbers
    ("Mi número de socio es 45871", []),
    ("nro de socio 45871", []),
    ("La matrícula es 4821 KLM", []),
    ("la matrícula sale 150000 pesos", []),
    ("el legajo 123 está incompleto", []),
    # short staff and member numbers after their label
    ("legajo 4471, soy empleado de la muni", [(ID, "4471")]),
    # a clinic's record, a Colombian minor's ID card, an insurer between label and number
    ("ficha clínica 464685 del centro de salud", [(ID, "464685")]),
    ("tarjeta de identidad 21780641 de mi hijo", [(ID, "21780641")]),
    ("afiliado OSDE 61 443298 7 02, plan 210", [(ID, "61 443298 7 02")]),
    # letters around the number
    ("Historia clínica N° HC-0048213. Paciente", [(ID, "HC-0048213")]),
    ("expediente EXP-2291-B, alergia a AINES", [(ID, "EXP-2291-B")]),
]

GLUED_IDS = [
    ("cuit23283193357", [(ID, "23283193357")]),
    ("CUIL20345409670 gracias", [(ID, "20345409670")]),
    ("dni30111222", [(ID, "30111222")]),
    ("rut15866024-5", [(ID, "15866024-5")]),
    # wrong check digit
    ("cuit23283193358", []),
]

LIST_MARKERS = [
    (
        "3) Zapiola 2345, Núñez 4) 11 6543-2109",
        [(LOC, "Zapiola 2345, Núñez"), (PHONE, "11 6543-2109")],
    ),
    ("1) Ana 2) mi cel 11 6543-2109", [(PHONE, "11 6543-2109")]),
    # a list marker after a phone is not its last digit
    ("cel 11 6512-3498 5) efectivo", [(PHONE, "11 6512-3498")]),
    ("1) Ramiro Quiroga 2) Zapiola 2450, Núñez 3) 11 6512-3498 4) efectivo",
     [(LOC, "Zapiola 2450, Núñez"), (PHONE, "11 6512-3498")]),
]

GROUPED_NUMBERS = [
    # CBU in groups of four, CLABE in groups
    ("CBU 2850 5909 4009 0418 1352 01", [(FIN, "2850 5909 4009 0418 1352 01")]),
    ("CLABE 0021 8001 2345 6789 06", [(FIN, "0021 8001 2345 6789 06")]),
    ("CLABE 002 180 0123 4567 8906", [(FIN, "002 180 0123 4567 8906")]),
    ("CLABE 0021 8001 2345 6789 07", []),  # wrong check digit
    # DNI in unusual groupings, next to its word
    ("DNI 34 540 967", [(ID, "34 540 967")]),
    ("DNI 34-540-967", [(ID, "34-540-967")]),
    # decoys: grouped amounts
    ("son 34 540 967 pesos en total", []),
    # groups joined by underscores
    ("tarjeta 4360_5729_8089_6413 vto 11/27", [(FIN, "4360_5729_8089_6413")]),
    # an IBAN after its label even when its check fails (mistyped)
    ("IBAN beneficiario: ES97 0903 2226 9317 1626 0056", [(FIN, "ES97 0903 2226 9317 1626 0056")]),
    ("el código ES97 0903 2226 9317 1626 0056", []),
]

NAMES = [
    # misspelled cues, lowercase
    ("me yamo mercedes", [(PER, "mercedes")]),
    ("mi nonbre es carla gomez", [(PER, "carla gomez")]),
    ("soy la Mari", [(PER, "Mari")]),
    ("habla jorge", [(PER, "jorge")]),
    # names that are also words, after a cue or in apposition
    ("mi mujer es Amparo", [(PER, "Amparo")]),
    ("mi hija Mercedes viene mañana", [(PER, "Mercedes")]),
    ("la señora Dolores llamó", [(PER, "Dolores")]),
    ("le dicen el Tano", [(PER, "Tano")]),
    # a second name in the same message
    ("soy ana y el es bruno", [(PER, "ana"), (PER, "bruno")]),
    # handles and profile URLs
    ("seguime en @tomi.quiroga77", [(PER, "@tomi.quiroga77")]),
    ("facebook.com/perfil/PABLITO_GOMEZ", [("URL", "facebook.com/perfil/PABLITO_GOMEZ")]),
    # decoys: pronouns, particles, businesses, pets, streets, e-mails
    ("ella viene mañana", []),
    ("soy del 14/2/88", []),
    ("comimos en Don Pepe", []),
    ("pedimos en Lo de Mary", []),
    ("mi perro Toby está enfermo", []),
    ("mi hijo es celiaco.", []),
    ("queda por Gral. Paz", []),
    ("escribime a ana.gomez@gmail.com", []),
    # nicknames with their article, capitalized mid-sentence
    ("la Negra me dijo que le dejaste el vestido separado", [(PER, "Negra")]),
    ("¿Está el Tano? Le dejé unas zapatillas", [(PER, "Tano")]),
    ("decile a la Flaca que ya le transferí", [(PER, "Flaca")]),
    # a form label glued to the value
    ("Nombre y apellido:Julián Ocampo", [(PER, "Julián Ocampo")]),
    # Portuguese kin, who receives or is represented
    ("o telefone é da minha irmã Thaís", [(PER, "Thaís")]),
    ("es un kiosco, lo recibe Coco", [(PER, "Coco")]),
    ("apoderada de Tomás, para justificar la falta", [(PER, "Tomás")]),
    # an opening interjection is not part of the name
    ("Bueno Marce, te confirmo para las 9", [(PER, "Marce")]),
    # an abbreviated title before the name is not part of it
    ("agendada con el Klgo. Felipe Araya, traiga la orden", [(PER, "Felipe Araya")]),
    # English or Portuguese in a Spanish chat, a misspelled "soy"
    ("Hi! I'm Emily, I'd like to take Spanish lessons", [(PER, "Emily")]),
    # delivery and school roles as titles; a first name with its article
    ("Conductor Yeison, placa ZTN 48F", [(PER, "Yeison")]),
    ("Seño Vero, Joaco no va a ir mañana", [(PER, "Vero"), (PER, "Joaco")]),
    ("va el Nacho y el Santi, yo llevo la guitarra", [(PER, "Nacho"), (PER, "Santi")]),
]

ADDRESSES = [
    # no street type
    ("Juncal 1985 9 A", [(LOC, "Juncal 1985 9 A")]),
    ("Gral. Paz 1234", [(LOC, "Gral. Paz 1234")]),
    # between streets, comma before the number
    (
        "La dirección es Calle 7 n° 1234 entre 57 y 58, La Plata",
        [(LOC, "Calle 7 n° 1234 entre 57 y 58, La Plata")],
    ),
    ("vivo en Calle Mayor, 12", [(LOC, "Calle Mayor, 12")]),
    ("Avenida Paulista, 1000", [(LOC, "Avenida Paulista, 1000")]),
    ("Rua das Flores 123", [(LOC, "Rua das Flores 123")]),
    # Colombian forms
    ("Cra 7 # 45-12", [(LOC, "Cra 7 # 45-12")]),
    ("Carrera 15 No. 93-60", [(LOC, "Carrera 15 No. 93-60")]),
    ("Cl 80 Sur # 20-15, Bogotá", [(LOC, "Cl 80 Sur # 20-15, Bogotá")]),
    ("Calle 26 Sur No. 3-45", [(LOC, "Calle 26 Sur No. 3-45")]),
    ("Av. Calle 26 # 68-91", [(LOC, "Av. Calle 26 # 68-91")]),
    # rural forms
    ("Ruta 5 km 123", [(LOC, "Ruta 5 km 123")]),
    ("Lote 14 Manzana B", [(LOC, "Lote 14 Manzana B")]),
    ("Mz B Lt 14", [(LOC, "Mz B Lt 14")]),
    ("Chacra 32", [(LOC, "Chacra 32")]),
    # decoys: street names without a number, products, cards, months
    ("vivo en la calle Corrientes", []),
    ("El Gol Trend 2018, es de mi papá", []),
    ("Visa 4509, Mastercard 5491", []),
    ("Marzo 2024, Buenos Aires", []),
    ("Tengo Windows 10, Office 2019", []),
    # Quito's sector numbering
    ("Av. Amazonas N34-120 y Av. Colón, Quito", [(LOC, "Av. Amazonas N34-120")]),
    ("vivo en García Moreno N2-45 y Sucre", [(LOC, "García Moreno N2-45")]),
]

DATES_OF_BIRTH = [
    ("nací el 1ro de abril del 79", [(DOB, "1ro de abril del 79")]),
    ("nací el primero de abril de 1979", [(DOB, "primero de abril de 1979")]),
    ("nací el 22 de julio de 1990", [(DOB, "22 de julio de 1990")]),
    ("soy del 14/2/88", [(DOB, "14/2/88")]),
    # decoys: a year alone, an appointment
    ("nacido en el 88", []),
    ("el turno es el 1ro de abril", []),
    # a month abbreviation between dashes
    ("fecha de nacimiento 12-ene-1985, tipo de sangre O+", [(DOB, "12-ene-1985")]),
    # read aloud
    ("nací el veintidós de julio de 1990", [(DOB, "veintidós de julio de 1990")]),
    ("mi fecha de nacimiento es nueve del nueve del noventa y nueve",
     [(DOB, "nueve del nueve del noventa y nueve")]),
]

FALSE_ALARMS = [
    ("comprobante 00012345", []),
    ("comprobante nro 00012345678", []),
    ("pedido #558812", []),
    ("factura 0001-00012345", []),
    ("ticket 4471", []),
    ("recibo 4471-2233", []),
    ("versión 10.2.3.4", []),
    ("v1.2.3.4", []),
    ("sale $ 15 300 000", []),
    # still found
    ("mi ip es 10.2.3.4", [("IP_ADDRESS", "10.2.3.4")]),
    # an acronym, a company, a pet named first, a place after "vivo en", a shop "de Don X"
    ("Buenas, NHC: 5467980, soy paciente de la clínica", [(ID, "5467980")]),
    ("a nombre de Inversiones Kallpa SAC por favor", []),
    ("venden el alimento para Kira mi perrita?", []),
    ("soy argentina pero vivo en Santiago hace años", []),
    ("pregunté en la tienda de Don Pepe y nada", []),
    # a procedure number is not a phone
    ("número de trámite 00512345678 del DNI nuevo", []),
    # pets named in a list, a make of car, a workshop "de Don X", a form abbreviation
    ("turno de baño para Toby y Luna, son dos caniches", []),
    ("el perro que perdí, es Toby", []),
    ("la camioneta es una Mercedes Sprinter", []),
    ("la llevo al taller de Don Pepe", []),
    # a pet's owner, a pet described further on, streets "entre X e Y"
    ("soy la dueña de Toby (el caniche blanco)", []),
    ("Bruno anda con vómitos desde ayer, es un labrador de 6 años", []),
    ("depto 4, entre Bolívar e Isabel la Católica", []),
    # a brand after its product, English greetings after a speaker label, cities with
    # their article, tracking and policy numbers, an amount in guaraníes
    ("vendo heladera Patrick 2 puertas", []),
    ("[15:10] Cliente: hello, do you ship?", []),
    ("vamos a la Plata el sábado", []),
    ("n° de seguimiento 9087723451, llega en 3 días", []),
    ("su póliza 0457-22981 fue pagada", []),
    ("transferencia Gs. 1.250.000 recibida", []),
    # a subject after "tutor de" is not a person
    ("el tutor de matemática viene el lunes", []),
    ("la tutora de Lengua dijo que bien", []),
]

ALL_LABELS = {ID, FIN, PER, LOC, PHONE, DOB, "URL", "IP_ADDRESS", "EMAIL_ADDRESS"}


@pytest.mark.parametrize(("text", "expected"), FOREIGN_IDS)
def test_foreign_ids(redactor: Redactor, text: str, expected: Spans) -> None:
    assert spans(redactor, text, {ID}) == expected


@pytest.mark.parametrize(("text", "expected"), LABELLED_IDS)
def test_label_then_number_labels_the_number_only(
    redactor: Redactor, text: str, expected: Spans
) -> None:
    assert spans(redactor, text, {ID, PHONE}) == expected


@pytest.mark.parametrize(("text", "expected"), GLUED_IDS)
def test_id_glued_to_its_word(redactor: Redactor, text: str, expected: Spans) -> None:
    assert spans(redactor, text, {ID}) == expected


@pytest.mark.parametrize(("text", "expected"), LIST_MARKERS)
def test_list_marker_is_not_eaten_into_the_value(
    redactor: Redactor, text: str, expected: Spans
) -> None:
    assert spans(redactor, text, {LOC, PHONE}) == expected


@pytest.mark.parametrize(("text", "expected"), GROUPED_NUMBERS)
def test_numbers_in_groups(redactor: Redactor, text: str, expected: Spans) -> None:
    assert spans(redactor, text, {ID, FIN, PHONE}) == expected


@pytest.mark.parametrize(("text", "expected"), NAMES)
def test_names(redactor: Redactor, text: str, expected: Spans) -> None:
    assert spans(redactor, text, {PER, "URL"}) == expected


@pytest.mark.parametrize(("text", "expected"), ADDRESSES)
def test_addresses(redactor: Redactor, text: str, expected: Spans) -> None:
    assert spans(redactor, text, {LOC}) == expected


@pytest.mark.parametrize(("text", "expected"), DATES_OF_BIRTH)
def test_dates_of_birth(redactor: Redactor, text: str, expected: Spans) -> None:
    assert spans(redactor, text, {DOB}) == expected


@pytest.mark.parametrize(("text", "expected"), FALSE_ALARMS)
def test_receipts_versions_and_prices_are_not_pii(
    redactor: Redactor, text: str, expected: Spans
) -> None:
    assert spans(redactor, text, ALL_LABELS) == expected


# -- priority and country filter -----------------------------------------------------------


def test_every_recognizer_has_a_priority_tier() -> None:
    assert set(PRIORITY_BY_NAME) == {cls.__name__ for cls in RECOGNIZER_CLASSES}
    assert set(PRIORITY_BY_NAME.values()) <= {CHECKSUM, CUE, SHAPE, FREE_TEXT}


@pytest.mark.parametrize(
    ("name", "tier"),
    [
        ("ArCuitRecognizer", CHECKSUM),
        ("BrCpfRecognizer", CHECKSUM),
        ("PassportRecognizer", CUE),
        ("LabelledIdRecognizer", CUE),
        ("LatamPhoneRecognizer", SHAPE),
        ("PersonRecognizer", FREE_TEXT),
        ("AddressRecognizer", FREE_TEXT),
        ("NoSuchRecognizer", FREE_TEXT),
    ],
)
def test_recognizer_priority_orders_checksum_cue_shape_free_text(name: str, tier: int) -> None:
    assert recognizer_priority(name) == tier
    assert CHECKSUM > CUE > SHAPE > FREE_TEXT


def test_country_filter_keeps_common_and_the_given_countries() -> None:
    names = {r.name for r in build_recognizers("es", countries=["ar"])}
    assert {"ArCuitRecognizer", "PersonRecognizer", "PassportRecognizer"} <= names
    assert not names & {"MxCurpRecognizer", "BrCpfRecognizer", "VeCedulaRecognizer"}
    assert len(build_recognizers("es")) == len(RECOGNIZER_CLASSES)
