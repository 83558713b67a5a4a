"""All Mostrador recognizers, one per entity and country."""

from __future__ import annotations

from presidio_analyzer import EntityRecognizer

from redaction.recognizers.ar.ar_alias_cbu import ArAliasCbuRecognizer
from redaction.recognizers.ar.ar_cbu import ArCbuRecognizer
from redaction.recognizers.ar.ar_cuit import ArCuitRecognizer
from redaction.recognizers.ar.ar_dni import ArDniRecognizer
from redaction.recognizers.cl.cl_rut import ClRutRecognizer
from redaction.recognizers.co.co_cedula import CoCedulaRecognizer
from redaction.recognizers.common.address import AddressRecognizer
from redaction.recognizers.common.bank_account import BankAccountRecognizer
from redaction.recognizers.common.credit_card import PaymentCardRecognizer
from redaction.recognizers.common.date_of_birth import DateOfBirthRecognizer
from redaction.recognizers.common.email import EmailAddressRecognizer
from redaction.recognizers.common.iban import IbanCodeRecognizer
from redaction.recognizers.common.ip import IpAddressRecognizer
from redaction.recognizers.common.license_plate import LicensePlateRecognizer
from redaction.recognizers.common.person import PersonRecognizer
from redaction.recognizers.common.phone import LatamPhoneRecognizer
from redaction.recognizers.common.url import PersonalUrlRecognizer
from redaction.recognizers.es.es_dni import EsDniRecognizer
from redaction.recognizers.es.es_nie import EsNieIdRecognizer
from redaction.recognizers.mx.mx_clabe import MxClabeRecognizer
from redaction.recognizers.mx.mx_curp import MxCurpRecognizer
from redaction.recognizers.mx.mx_rfc import MxRfcRecognizer
from redaction.recognizers.pe.pe_dni import PeDniRecognizer
from redaction.recognizers.pe.pe_ruc import PeRucRecognizer
from redaction.recognizers.uy.uy_ci import UyCiRecognizer

RECOGNIZER_CLASSES: tuple[type[EntityRecognizer], ...] = (
    # Checksum-validated identifiers first: on equal spans the first one wins.
    ArCuitRecognizer,
    ArCbuRecognizer,
    ClRutRecognizer,
    UyCiRecognizer,
    MxCurpRecognizer,
    MxRfcRecognizer,
    MxClabeRecognizer,
    PeRucRecognizer,
    EsDniRecognizer,
    EsNieIdRecognizer,
    IbanCodeRecognizer,
    PaymentCardRecognizer,
    EmailAddressRecognizer,
    IpAddressRecognizer,
    PersonalUrlRecognizer,
    DateOfBirthRecognizer,
    LatamPhoneRecognizer,
    ArDniRecognizer,
    PeDniRecognizer,
    CoCedulaRecognizer,
    BankAccountRecognizer,
    ArAliasCbuRecognizer,
    LicensePlateRecognizer,
    AddressRecognizer,
    PersonRecognizer,
)


def build_recognizers(language: str) -> list[EntityRecognizer]:
    """Fresh instances of every recognizer for ``language``."""
    return [cls(supported_language=language) for cls in RECOGNIZER_CLASSES]  # type: ignore[call-arg]
