"""One table per national-id / financial recognizer: valid, separators, bad check digit, decoys.

Each row: (text, expected detected substrings of the recognizer's entity type).
"""

from __future__ import annotations

import pytest

from redaction import Redactor
from tests.redaction.conftest import found

AR_DNI = [
    # valid
    ("mi DNI es 34.540.967", ["34.540.967"]),
    ("DNI 31987654, gracias", ["31987654"]),
    # separators
    ("documento: 7.430.558", ["7.430.558"]),
    # decoys
    ("El número de pedido es 10023456", []),
    ("cuesta 1.500.000 en efectivo", []),
    ("el pedido 34.540.967 no llegó", []),
]
AR_CUIT = [
    # valid
    ("Mi CUIT es 20-34540967-0", ["20-34540967-0"]),
    ("CUIL 27284561231", ["27284561231"]),
    # separators
    ("cuit 20 34540967 0", ["20 34540967 0"]),
    # wrong check digit
    ("Mi CUIT es 20-34540967-1", []),
    # decoys
    ("ref 20-10000000-00", []),
]
AR_CBU = [
    # valid CBU and CVU
    ("mi CBU es 2852471760181590830166", ["2852471760181590830166"]),
    ("CVU 0000003152601815908302", ["0000003152601815908302"]),
    # separators
    ("CBU 28524717 60181590830166", ["28524717 60181590830166"]),
    # wrong check digit
    ("mi CBU es 2852471760181590830167", []),
    # decoys
    ("código de barras 1234567890123456789012", []),
]
AR_ALIAS_CBU = [
    # valid
    ("mi alias es sol.marea.campo", ["sol.marea.campo"]),
    ("Alias: PERRO.MESA.NUBE", ["PERRO.MESA.NUBE"]),
    # decoys: no "alias" nearby, or a domain
    ("visitá peluqueria.centro.ok para más info", []),
    ("mi alias es tienda.com", []),
]
CL_RUT = [
    # valid (digit and K)
    ("RUT 15.866.024-5", ["15.866.024-5"]),
    ("rut 7.430.558-K", ["7.430.558-K"]),
    # separators
    ("RUT 15866024-5", ["15866024-5"]),
    # no dots, no hyphen: check digit glued on, after "rut"/"run"
    ("el rut 123456785", ["123456785"]),
    ("RUT: 16543210K por favor", ["16543210K"]),
    ("mi run es 8765432k", ["8765432k"]),
    ("Rol Único Tributario 213456784", ["213456784"]),
    # wrong check digit
    ("RUT 15.866.024-6", []),
    ("rut 123456784", []),
    ("mi run es 16543210-1", []),
    # decoys: glued digits without a RUT word (orders, amounts)
    ("la mantención de 10.000 km", []),
    ("pedido 123456785", []),
    ("el pedido 16543210K llegó", []),
    ("mi orden es 12345678, el rut te lo paso después", []),
]
UY_CI = [
    # valid
    ("cédula 4.567.890-5", ["4.567.890-5"]),
    ("CI 1.943.275-1", ["1.943.275-1"]),
    # separators
    ("ci 4567890-5", ["4567890-5"]),
    # wrong check digit
    ("cédula 4.567.890-4", []),
]
MX_CURP = [
    # valid
    ("Mi CURP es LOHM900512MDFPRR03", ["LOHM900512MDFPRR03"]),
    ("curp raoj851103hjcmrs04", ["raoj851103hjcmrs04"]),
    # wrong check digit
    ("Mi CURP es LOHM900512MDFPRR04", []),
    # decoys
    ("modelo ABCD123456XYZABC12", []),
]
MX_RFC = [
    # valid
    ("RFC LOHM900512K37", ["LOHM900512K37"]),
    ("mi RFC es MEGS870621UZ2", ["MEGS870621UZ2"]),
    # a mistyped homoclave (wrong check digit, real date): an RFC after its label only
    ("RFC LOHM900512K38", ["LOHM900512K38"]),
    ("el código LOHM900512K38", []),
    # lowercase, as people type it
    ("factura con RFC lohm900512k37", ["lohm900512k37"]),
    # decoys
    ("código TN-2210", []),
]
MX_CLABE = [
    # valid
    ("CLABE 127970260181590839", ["127970260181590839"]),
    # separators
    ("clabe 012 584 48219935181 5", ["012 584 48219935181 5"]),
    # wrong check digit
    ("CLABE 127970260181590838", []),
]
CO_CEDULA = [
    # valid
    ("cédula 1.020.745.318", ["1.020.745.318"]),
    ("tiene cédula 52.867.041", ["52.867.041"]),
    ("C.C. 79456120", ["79456120"]),
    # decoys: no "cédula" nearby
    ("Guía 700123456", []),
    ("son 52.867.041 pesos", []),
]
PE_DNI = [
    # valid
    ("DNI 45871236", ["45871236"]),
    # decoys: same digits, no DNI
    ("el pedido 45871236 llegó", []),
]
PE_RUC = [
    # valid
    ("mi RUC es 10701245895", ["10701245895"]),
    # wrong check digit
    ("mi RUC es 10701245896", []),
]
ES_DNI = [
    # valid
    ("mi DNI es 53464097E", ["53464097E"]),
    # separators
    ("DNI 53464097-E", ["53464097-E"]),
    # wrong letter
    ("mi DNI es 53464097F", []),
    # decoys
    ("talla 38 en azul", []),
]
ES_NIE = [
    # valid
    ("Mi NIE es Y2530829S", ["Y2530829S"]),
    # separators
    ("NIE X-8990608-T", ["X-8990608-T"]),
    # wrong letter
    ("Mi NIE es Y2530829T", []),
]
IBAN = [
    # valid
    ("IBAN ES62 2100 1408 9266 1318 6091, gracias", ["ES62 2100 1408 9266 1318 6091"]),
    ("al ES4001822471216018159083 por favor", ["ES4001822471216018159083"]),
    # wrong check digits: an IBAN only right after its label (a mistyped one is still an
    # account); without the label, a decoy
    ("IBAN ES63 2100 1408 9266 1318 6091", ["ES63 2100 1408 9266 1318 6091"]),
    ("referencia ES63 2100 1408 9266 1318 6091", []),
]
CREDIT_CARD = [
    # valid: Visa, Mastercard 2-series, Amex
    ("la Visa es 4509 3982 5979 1909", ["4509 3982 5979 1909"]),
    ("Mastercard 2223 0031 2200 3222", ["2223 0031 2200 3222"]),
    ("Amex 3782 589913 94410", ["3782 589913 94410"]),
    # separators
    ("tarjeta 5235-0273-4646-8696", ["5235-0273-4646-8696"]),
    # wrong Luhn
    ("la Visa es 4509 3982 5979 1908", []),
    # decoys: last 4 digits, expiry
    ("termina en 4432, vence 09/27", []),
]
BANK_ACCOUNT = [
    # valid (no public check digit: needs "cuenta")
    ("Cuenta BCP para el reembolso: 191-45873621-0-54", ["191-45873621-0-54"]),
    ("cuenta de ahorros 045-672398-11", ["045-672398-11"]),
    # decoys
    ("el folio es 2045887190", []),
]

TABLES = {
    "AR_DNI": AR_DNI,
    "AR_CUIT": AR_CUIT,
    "AR_CBU": AR_CBU,
    "AR_ALIAS_CBU": AR_ALIAS_CBU,
    "CL_RUT": CL_RUT,
    "UY_CI": UY_CI,
    "MX_CURP": MX_CURP,
    "MX_RFC": MX_RFC,
    "MX_CLABE": MX_CLABE,
    "CO_CEDULA": CO_CEDULA,
    "PE_DNI": PE_DNI,
    "PE_RUC": PE_RUC,
    "ES_DNI": ES_DNI,
    "ES_NIE": ES_NIE,
    "IBAN_CODE": IBAN,
    "CREDIT_CARD": CREDIT_CARD,
    "BANK_ACCOUNT": BANK_ACCOUNT,
}
# Where two recognizers share a shape (AR/PE DNI, CO cédula), either type is acceptable.
EQUIVALENT = {
    "AR_DNI": {"AR_DNI", "PE_DNI", "CO_CEDULA"},
    "PE_DNI": {"AR_DNI", "PE_DNI", "CO_CEDULA"},
    "CO_CEDULA": {"AR_DNI", "PE_DNI", "CO_CEDULA"},
    "UY_CI": {"UY_CI", "CL_RUT"},
}
CASES = [(etype, text, expected) for etype, rows in TABLES.items() for text, expected in rows]


@pytest.mark.parametrize(("entity_type", "text", "expected"), CASES)
def test_id_recognizer_table(
    redactor: Redactor, entity_type: str, text: str, expected: list[str]
) -> None:
    accepted = EQUIVALENT.get(entity_type, {entity_type})
    got = [text[r.start : r.end] for r in redactor.analyze(text) if r.entity_type in accepted]
    assert got == expected


@pytest.mark.parametrize("text", [row[0] for rows in TABLES.values() for row in rows if not row[1]])
def test_decoys_and_bad_check_digits_are_not_financial_or_ids(
    redactor: Redactor, text: str
) -> None:
    got = found(redactor, text)
    assert all(not any(ch.isdigit() for ch in span) or len(span) < 6 for span in got), got
