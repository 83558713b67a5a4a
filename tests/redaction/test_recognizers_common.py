"""Tables for the country-independent recognizers: valid, separators, decoys."""

from __future__ import annotations

import pytest

from redaction import Redactor

PHONE_NUMBER = [
    # valid, per country
    ("Mi celular es 11 5832-1190, escribime", ["11 5832-1190"]),  # AR
    ("llamar al +54 9 11 4567-8901", ["+54 9 11 4567-8901"]),  # AR mobile with 9
    ("Pueden llamarme al 0351 15-678-4412", ["0351 15-678-4412"]),  # AR mobile with 15
    ("mi número es 55 4821 3390", ["55 4821 3390"]),  # MX
    ("Mi número es +56 9 6123 4587", ["+56 9 6123 4587"]),  # CL
    ("celular 3004567821", ["3004567821"]),  # CO
    ("Mi celular: 944128730", ["944128730"]),  # PE
    ("celu 091234567", ["091234567"]),  # UY
    ("móvil 634 21 87 90", ["634 21 87 90"]),  # ES
    ("call me at +1 415 555 2671", ["+1 415 555 2671"]),  # US
    ("zap +55 11 91234-5678", ["+55 11 91234-5678"]),  # BR
    # separators
    ("Fijo de la oficina (604) 444 1820 ext. 112", ["(604) 444 1820"]),
    ("Número fijo (01) 445-7823", ["(01) 445-7823"]),
    # decoys: prices, order numbers, times, dates, ids
    ("está $25.000 con 20% de descuento", []),
    ("El número de pedido es 10023456", []),
    ("el folio es 2045887190", []),
    ("el jueves a las 17:30 y nací el 15/08/1981", []),
    ("Guía 700123456789", []),
]
PERSON = [
    # cues
    ("Buenas tardes! Me llamo Martina Gómez y quiero un turno", ["Martina Gómez"]),
    ("Hola, soy Federico Álvarez, mi DNI es", ["Federico Álvarez"]),
    ("a nombre de Ahmed Benali", ["Ahmed Benali"]),
    ("te confirmo con la Dra. Paula Medina", ["Paula Medina"]),
    ("Preguntar por la señora Marta", ["Marta"]),
    # lowercase
    ("soy ana, la del turno", ["ana"]),
    ("de ximena aguilar, mi cel es", ["ximena aguilar"]),
    # names that are words need a cue or a surname
    ("Mi nombre es Rosa María Quispe", ["Rosa María Quispe"]),
    ("a nombre de Sol Benítez", ["Sol Benítez"]),
    ("Soy Luz", ["Luz"]),
    ("Quiero rosa y azul, hay paz en el barrio", []),
    ("Victoria es una ciudad linda", []),
    # no cue: first name + surname
    ("Sandra Milena Rojas, 1.032.456.781", ["Sandra Milena Rojas"]),
    # decoys: greetings, places, brands
    ("Hola, quería saber el precio", []),
    ("Dale, gracias! Buenas noches", []),
    ("¿Hacen delivery a San Juan de Lurigancho?", []),
    ("Ya pagué con Mercado Pago", []),
    ("su mail es lucia.ferreyra82@gmail.com", []),
]
LOCATION = [
    (
        "El envío va a Av. Rivadavia 4975 piso 3 B, Almagro, el timbre no anda",
        ["Av. Rivadavia 4975 piso 3 B, Almagro"],
    ),
    (
        "La dirección es Calle 45 # 12-34, Chapinero, Bogotá.",
        ["Calle 45 # 12-34, Chapinero, Bogotá"],
    ),
    (
        "Envío a Insurgentes Sur 1602, Col. Crédito Constructor, CDMX",
        ["Insurgentes Sur 1602, Col. Crédito Constructor, CDMX"],
    ),
    ("Vivo en Belgrano 1540, San Isidro, ¿llega?", ["Belgrano 1540, San Isidro"]),
    ("Vivo en C/ Alcalá 145, 3º izq., 28009 Madrid.", ["C/ Alcalá 145, 3º izq., 28009 Madrid"]),
    # decoys: a street without number, a city
    ("la publicación del monoambiente en Av. Santa Fe, ¿sigue?", []),
    ("¿Hacen envíos a Córdoba? Son 3 remeras", []),
]
EMAIL_ADDRESS = [
    ("Mi mail es lucia.ferreyra82@gmail.com, ahí", ["lucia.ferreyra82@gmail.com"]),
    ("correo sandra.rojas_m@yahoo.com", ["sandra.rojas_m@yahoo.com"]),
    ("escribí a @lucia en insta", []),
]
IP_ADDRESS = [
    ("Mi IP es 201.141.33.90, bloqueada", ["201.141.33.90"]),
    ("ip 2001:db8::1", ["2001:db8::1"]),
    ("versión 1.2.3 del sistema a las 10:30", []),
    ("ip 999.1.1.1", []),
]
URL = [
    (
        "Mi cuenta es https://www.instagram.com/caro.sosa.ok, mirá",
        ["https://www.instagram.com/caro.sosa.ok"],
    ),
    ("perfil: instagram.com/mafe.orozco.makeup", ["instagram.com/mafe.orozco.makeup"]),
    ("Web personal: www.elenavidalfoto.com", ["www.elenavidalfoto.com"]),
    ("los precios están en https://www.tienda.com/ofertas", []),
]
DATE_OF_BIRTH = [
    ("nací el 15/08/1981", ["15/08/1981"]),
    ("Fecha de nacimiento: 04-07-1988", ["04-07-1988"]),
    ("nació el 30 de agosto de 2012", ["30 de agosto de 2012"]),
    ("Tienen turno para el martes 12 a las 10?", []),
    ("la reserva es del 15 al 18 de febrero", []),
    ("la factura del 03/02/2026", []),
]
LICENSE_PLATE = [
    ("patente AD 452 KT, es un Gol", ["AD 452 KT"]),
    ("la placa del carro es PRT-458-A", ["PRT-458-A"]),
    ("La patente del auto es HJSL-28", ["HJSL-28"]),
    ("La matrícula es 4821 KLM", ["4821 KLM"]),
    ("código TN-2210, talle M", []),
    ("es la ref 4410-N", []),
]

TABLES = {
    "PHONE_NUMBER": PHONE_NUMBER,
    "PERSON": PERSON,
    "LOCATION": LOCATION,
    "EMAIL_ADDRESS": EMAIL_ADDRESS,
    "IP_ADDRESS": IP_ADDRESS,
    "URL": URL,
    "DATE_OF_BIRTH": DATE_OF_BIRTH,
    "LICENSE_PLATE": LICENSE_PLATE,
}
CASES = [(etype, text, expected) for etype, rows in TABLES.items() for text, expected in rows]


@pytest.mark.parametrize(("entity_type", "text", "expected"), CASES)
def test_common_recognizer_table(
    redactor: Redactor, entity_type: str, text: str, expected: list[str]
) -> None:
    got = [text[r.start : r.end] for r in redactor.analyze(text) if r.entity_type == entity_type]
    assert got == expected
