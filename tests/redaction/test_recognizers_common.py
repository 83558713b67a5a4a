"""Tables for the country-independent recognizers: valid, separators, decoys."""

from __future__ import annotations

import pytest

from redaction import Redactor
from tests.redaction.conftest import found

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
    # an id word further back does not veto a phone cue next to the number
    ("Soy Ana Pérez, DNI 34.540.967, cel 11 5832-1190", ["11 5832-1190"]),
    ("mi cuit 20-34540967-0 y mi tel 11 4567-8901", ["11 4567-8901"]),
    # decoys: prices, order numbers, times, dates, ids
    ("está $25.000 con 20% de descuento", []),
    ("el turno es el 2026-11-24 a las 10", []),  # ISO dates (tool arguments)
    ('{"day": "2026/11/24", "time": "10:00"}', []),
    ("cel: pedido 1155832119", []),  # the negative word is the closer one
    ("me confirman el pedido nro 49287121?", []),  # "nro" is no phone word
    ("El número de pedido es 10023456", []),
    ("el folio es 2045887190", []),
    ("el jueves a las 17:30 y nací el 15/08/1981", []),
    ("Guía 700123456789", []),
    # dots, country codes without '+', "00" international prefix
    ("mi numero 987.654.321 es claro", ["987.654.321"]),
    ("cel 11.4567.8901 llamame", ["11.4567.8901"]),
    ("wsp 0034 622 118 904 gracias", ["0034 622 118 904"]),
    ("numero 57 312 448 9021 llamen", ["57 312 448 9021"]),
    # decoys with dots: prices and ids without a phone word
    ("sale 1.250.000 en efectivo", []),
    # MX dotted 2-4-4 after a call or chat word
    ("te llamo al 33.1234.5678 mañana", ["33.1234.5678"]),
    ("marcame al 55.1234.5678 porfa", ["55.1234.5678"]),
    ("mi whats es 81.2345.6789", ["81.2345.6789"]),
    ("tel: 33.1234.5678", ["33.1234.5678"]),
    ("¿te marco o me marcas al 55.1234.5678?", ["55.1234.5678"]),
    # MX old mobile prefixes 044 / 045, kept in the span
    ("044 55 1234 5678 es mi cel", ["044 55 1234 5678"]),
    ("marcame al 045 33 1234 5678", ["045 33 1234 5678"]),
    ("whats 044-81-2345-6789", ["044-81-2345-6789"]),
    ("cel 0453312345678", ["0453312345678"]),
    # decoys: the same shapes as order numbers and amounts
    ("el pedido 33.1234.5678 llegó", []),
    ("me llamo Ana y el folio es 55.1234.5678", []),
    ("el total fue 12.345.678 pesos", []),
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
    # lowercase, unaccented, compound names with particles
    ("hola soy ana lucia de los rios queria saber", ["ana lucia de los rios"]),
    ("me llamo jose maria del valle", ["jose maria del valle"]),
    ("mi nombre es tomas brizzolara y necesito", ["tomas brizzolara"]),
    ("a nombre de ines cabrera-ledesma", ["ines cabrera-ledesma"]),
    # titles outside, surname in lowercase, particles and hyphens kept
    ("turno con la dra. ferreira el lunes", ["ferreira"]),
    ("el dr sato atiende hoy?", ["sato"]),
    ("la sra. dos santos llamo", ["dos santos"]),
    ("el ing. perez-iturbe no contesta", ["perez-iturbe"]),
    # foreign-origin and indigenous surnames after a known first name or a cue
    ("titular kenji nakamura", ["kenji nakamura"]),
    ("de parte de lucia quispe mamani", ["lucia quispe mamani"]),
    ("se llama mauricio colipan", ["mauricio colipan"]),
    # kin, greetings, sign-offs, signature initials, self-introductions
    ("mi hija milagros tiene fiebre", ["milagros"]),
    ("mi pololo matias pasa a buscarlo", ["matias"]),
    ("hola amparo, ya te pague", ["amparo"]),
    ("che facundo te paso el dato", ["facundo"]),
    ("saludos, nacho r.", ["nacho r."]),
    ("saludos cordiales, lic. ana beltran", ["ana beltran"]),
    ("Valentina acá, confirmame el turno", ["Valentina"]),
    ("mi hermana zeynep va a retirar", ["zeynep"]),
    # decoys: words that are names, cues followed by ordinary words, pets, places
    ("una rosa roja y paz y amor", []),
    ("hay luz en el local? la cruz roja recibe ropa", []),
    ("busco amparo legal, cuanto cobran?", []),
    ("con los dolores de espalda no puedo", []),
    ("soy nuevo, soy de rosario y soy alergica", []),
    ("mi hijo menor tiene 8 años", []),
    ("la señora de la limpieza viene el lunes", []),
    ("habla español? gracias amor!", []),
    ("mi perro se llama toby", []),
    ("¿Cuánto tarda el envío a Mar del Plata?", []),
    ("saludos cordiales y gracias", []),
    # nicknames with an article after "soy"
    ("hola soy el benja, quería consultar", ["benja"]),
    ("soy la cami del turno de las 5", ["cami"]),
    ("Buenas, soy el tincho", ["tincho"]),
    ("soy la Coni, la de ayer", ["Coni"]),
    # kin with an article or possessive, foreign-origin first names
    ("el abuelo washington viene mañana", ["washington"]),
    ("la abuela rosa no puede ir", ["rosa"]),
    ("mi tío wilson retira el pedido", ["wilson"]),
    ("la tía Elvis paga en efectivo", ["Elvis"]),
    ("mi primo jefferson lo busca", ["jefferson"]),
    ("el padrino walter trae la torta", ["walter"]),
    ("la madrina ainhoa confirma", ["ainhoa"]),
    # "X al habla", "habla X", "te habla la X"
    ("benja al habla, tienen turno?", ["benja"]),
    ("Nelson al habla", ["Nelson"]),
    ("te habla la cami", ["cami"]),
    ("habla koldo, buenas", ["koldo"]),
    # agent offering a slot: time + "con" + first name (Basque, Catalan, Galician too)
    ("a las 17:00 con begoña", ["begoña"]),
    ("te queda a las 18:30 con iker?", ["iker"]),
    ("mañana a las 10 con la cami", ["cami"]),
    ("a las 9hs con el tincho", ["tincho"]),
    ("a las 11:00 con unai o con nerea", ["unai", "nerea"]),
    ("el lunes a las 12 con Oriol o con Xoan", ["Oriol", "Xoan"]),
    ("a las 5 con rosa, te parece?", ["rosa"]),
    # names that are words after a relayed greeting or errand
    ("un saludo a paz", ["paz"]),
    ("saludos a luz y gracias", ["luz"]),
    ("dale mis saludos a rosa", ["rosa"]),
    ("decile a sol que la espero", ["sol"]),
    ("preguntale a amparo si hay lugar", ["amparo"]),
    ("preguntá por mercedes en recepción", ["mercedes"]),
    ("avisale a pilar que llegué", ["pilar"]),
    # sign-offs with typos and abbreviations, names with a middle initial
    ("saludes, andres f. ortiz", ["andres f. ortiz"]),
    ("slds, Ma. José R.", ["Ma. José R."]),
    ("gracias por todo. saludos!! Pedro", ["Pedro"]),
    ("atte. juan c. perez", ["juan c. perez"]),
    ("Quedo atento.\nAtentamente,\nLaura Gómez", ["Laura Gómez"]),
    ("cordialmente. Fco. Javier Soto", ["Fco. Javier Soto"]),
    ("bendiciones, ana", ["ana"]),
    ("abrazo,\nMaría Fernanda", ["María Fernanda"]),
    # decoys for the cues above
    ("soy el dueño del local", []),
    ("soy la nueva encargada", []),
    ("el abuelo de mi amigo viene", []),
    ("la tía que vino ayer", []),
    ("habla español?", []),
    ("con la promo te sale menos", []),
    ("a las 17 con la promo del mes", []),
    ("a las 10 con luz natural", []),
    ("paz y amor", []),
    ("un saludo a todos", []),
    ("dile a tu mamá que pase", []),
    ("pregunta por el precio", []),
    ("decile a la vecina", []),
    ("bendiciones para todos", []),
    ("un abrazo fuerte", []),
    ("Saludos!! quería saber el precio", []),
    ("gracias, excelente servicio", []),
    ("les mando la foto de mi INE", []),
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
    # lowercase, unaccented, any street type
    (
        "mandalo a calle los aromos 456, villa urquiza porfa",
        ["calle los aromos 456, villa urquiza"],
    ),
    (
        "vivo en av. de mayo 1200 piso 4 dto c, monserrat",
        ["av. de mayo 1200 piso 4 dto c, monserrat"],
    ),
    (
        "dejalo en psje el molino 77, cerro navia que no hay nadie",
        ["psje el molino 77, cerro navia"],
    ),
    (
        "cll 80 # 45-12 apto 301, barrio la floresta, medellin",
        ["cll 80 # 45-12 apto 301, barrio la floresta, medellin"],
    ),
    ("la direccion es jr. ayacucho 315, cercado de lima", ["jr. ayacucho 315, cercado de lima"]),
    (
        "envialo a c/ de la paz 14 3º izq, 46003 valencia gracias",
        ["c/ de la paz 14 3º izq, 46003 valencia"],
    ),
    # without a street type, after an address cue; ordinals and "bis"
    ("vivo en rivera 3344 2do a, cordon y trabajo de noche", ["rivera 3344 2do a, cordon"]),
    ("el delivery es a soler 5120 bis, palermo", ["soler 5120 bis, palermo"]),
    # rural and informal: lots, routes with km
    (
        "la direccion es manzana 12 lote 3, barrio las palmas",
        ["manzana 12 lote 3, barrio las palmas"],
    ),
    (
        "vivo en mz. c lt. 15, aa.hh. los jazmines, comas",
        ["mz. c lt. 15, aa.hh. los jazmines, comas"],
    ),
    ("estamos en ruta 40 km 12.5, chilecito", ["ruta 40 km 12.5, chilecito"]),
    (
        "vivo en camino a Melipilla km 25, parcela 14, Padre Hurtado",
        ["camino a Melipilla km 25, parcela 14, Padre Hurtado"],
    ),
    (
        "es camino a los andes km 12, parcela 3, calle larga",
        ["camino a los andes km 12, parcela 3, calle larga"],
    ),
    ("queda en ruta 5 sur km 1024, Puerto Montt", ["ruta 5 sur km 1024, Puerto Montt"]),
    ("entregar en carretera federal km 33, San Pedro", ["carretera federal km 33, San Pedro"]),
    (
        "mandalo a carretera federal México-Pachuca km 42",
        ["carretera federal México-Pachuca km 42"],
    ),
    ("camino a Farellones km 18 porfa", ["camino a Farellones km 18"]),
    ("parcela 8, sector Los Maitenes, Colina", ["parcela 8, sector Los Maitenes, Colina"]),
    ("lote 3, fundo El Roble, Los Ángeles", ["lote 3, fundo El Roble, Los Ángeles"]),
    (
        "estamos en la parcela 22, camino El Alba, Pirque",
        ["parcela 22, camino El Alba, Pirque"],
    ),
    # decoys: a street without number, a city, quantities after a street-like word
    ("la publicación del monoambiente en Av. Santa Fe, ¿sigue?", []),
    ("¿Hacen envíos a Córdoba? Son 3 remeras", []),
    ("el local sigue en av santa fe? o se mudaron?", []),
    ("camino 3 cuadras y llego", []),
    ("la calle de mi casa tiene 3 pozos", []),
    ("estoy en la sucursal 3 esperando", []),
    ("la ruta del vino es linda", []),
    ("fueron km 5 de caminata", []),
    ("hicimos 10 km por el camino viejo", []),
    ("el lote 3 de camisetas llega mañana", []),
    ("camino a casa compro pan", []),
    ("la parcela 8 tiene 5000 m2, cuanto sale?", []),
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
    # two-digit years and year-less birthdays need a birth word right before
    ("fecha de nac 07/09/84", ["07/09/84"]),
    ("naci el 3 de marzo del 95", ["3 de marzo del 95"]),
    ("mi cumple es el 14 de julio", ["14 de julio"]),
    ("f. nac. 1/2/1979", ["1/2/1979"]),
    ("la cita es el 3 de marzo a las 10", []),
    ("el cumple de mi hija es el sábado 12/04/2025, reservo?", []),
    ("vence el 12/05/27", []),
]
LICENSE_PLATE = [
    ("patente AD 452 KT, es un Gol", ["AD 452 KT"]),
    ("la placa del carro es PRT-458-A", ["PRT-458-A"]),
    ("La patente del auto es HJSL-28", ["HJSL-28"]),
    ("La matrícula es 4821 KLM", ["4821 KLM"]),
    ("código TN-2210, talle M", []),
    ("es la ref 4410-N", []),
    # lowercase plates with a plate or vehicle word, every country
    ("la patente es ac 512 fd", ["ac 512 fd"]),
    ("patente vieja hgt 442 del auto", ["hgt 442"]),
    ("la moto a123bcd", ["a123bcd"]),
    ("placas mtr-412-b de la camioneta", ["mtr-412-b"]),
    ("placas nlz-44-21", ["nlz-44-21"]),
    ("patente gkrt-52", ["gkrt-52"]),
    ("el carro placa kdm431 y la moto trk54f", ["kdm431", "trk54f"]),
    ("placa d4k-218", ["d4k-218"]),
    ("matricula sbc 4421", ["sbc 4421"]),
    ("matrícula 5521-hkl", ["5521-hkl"]),
    # decoys: lowercase shapes without a plate word, ordinary words before digits
    ("el auto son 150 mil", []),
    ("el modelo abc123 viene en azul", []),
    ("pedido abc 123 todavia no llego", []),
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


@pytest.mark.parametrize(
    ("text", "url"),
    [
        # a first name among the parts of a path segment: a person's folder or page
        ("la subí acá: https://drive.google.com/drive/folders/ximena.choque.disenos",
         "https://drive.google.com/drive/folders/ximena.choque.disenos"),
        ("para agendar: https://calendly.com/kine-javiera-soto/sesion",
         "https://calendly.com/kine-javiera-soto/sesion"),
        ("cv: drive.google.com/file/d/1aB9xQ/view?usp=sharing&owner=lucas.ferrero",
         "drive.google.com/file/d/1aB9xQ/view?usp=sharing&owner=lucas.ferrero"),
    ],
)
def test_urls_with_a_name_in_the_path_or_query(redactor: Redactor, text: str, url: str) -> None:
    assert found(redactor, text, "URL") == [url]


@pytest.mark.parametrize(
    "text",
    ["mirá https://www.example.com/productos/zapatillas-running-negras",
     "ofertas en https://tienda.com/ofertas/mayo-2026"],
)
def test_product_urls_stay(redactor: Redactor, text: str) -> None:
    assert found(redactor, text, "URL") == []


@pytest.mark.parametrize(
    ("text", "plate"),
    [("Matrícula del vehículo: AAEB 482", "AAEB 482"),  # Paraguay
     ("PLACA: 3472 KDN", "3472 KDN")],  # Bolivia
)
def test_plates_of_paraguay_and_bolivia(redactor: Redactor, text: str, plate: str) -> None:
    assert found(redactor, text, "LICENSE_PLATE") == [plate]
