"""Entity types emitted by the recognizers and their coarse categories.

Fine types (``AR_DNI``, ``CL_RUT``...) name what was found; the coarse category
(``NATIONAL_ID``, ``FINANCIAL``...) is what the gold set and reports use.
"""

from __future__ import annotations

PERSON = "PERSON"
LOCATION = "LOCATION"
PHONE_NUMBER = "PHONE_NUMBER"
EMAIL_ADDRESS = "EMAIL_ADDRESS"
IP_ADDRESS = "IP_ADDRESS"
URL = "URL"
DATE_OF_BIRTH = "DATE_OF_BIRTH"
LICENSE_PLATE = "LICENSE_PLATE"
CREDIT_CARD = "CREDIT_CARD"
IBAN_CODE = "IBAN_CODE"
BANK_ACCOUNT = "BANK_ACCOUNT"

NATIONAL_ID_TYPES = frozenset(
    {
        "AR_DNI",
        "AR_CUIT",
        "CL_RUT",
        "MX_CURP",
        "MX_RFC",
        "CO_CEDULA",
        "CO_NIT",
        "PE_DNI",
        "PE_RUC",
        "UY_CI",
        "ES_DNI",
        "ES_NIE",
        "VE_CEDULA",
        "VE_RIF",
        "BR_CPF",
        "BR_CNPJ",
        "PE_CE",
        "PASSPORT",
        "NATIONAL_ID",
    }
)
FINANCIAL_TYPES = frozenset(
    {"AR_CBU", "AR_ALIAS_CBU", "MX_CLABE", CREDIT_CARD, IBAN_CODE, BANK_ACCOUNT}
)


def coarse_type(entity_type: str) -> str:
    """Map a fine entity type to the gold-set category (identity for the others)."""
    if entity_type in NATIONAL_ID_TYPES:
        return "NATIONAL_ID"
    if entity_type in FINANCIAL_TYPES:
        return "FINANCIAL"
    return entity_type
