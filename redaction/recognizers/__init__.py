"""All Mostrador recognizers, one per entity and country.

Each class states its overlap priority (``PRIORITY``, a tier of
:mod:`redaction.recognizers.priority`) and the countries it is for (``COUNTRIES``, empty for
every country). :func:`build_recognizers` picks the classes for a set of countries;
:func:`recognizer_priority` maps a recognizer's ``name`` to its tier.
"""

from __future__ import annotations

from collections.abc import Iterable

from presidio_analyzer import EntityRecognizer

from redaction.recognizers.ar.ar_alias_cbu import ArAliasCbuRecognizer
from redaction.recognizers.ar.ar_cbu import ArCbuRecognizer
from redaction.recognizers.ar.ar_cuit import ArCuitRecognizer
from redaction.recognizers.ar.ar_dni import ArDniRecognizer
from redaction.recognizers.br.br_cnpj import BrCnpjRecognizer
from redaction.recognizers.br.br_cpf import BrCpfRecognizer
from redaction.recognizers.cl.cl_rut import ClRutRecognizer
from redaction.recognizers.co.co_cedula import CoCedulaRecognizer
from redaction.recognizers.co.co_nit import CoNitRecognizer
from redaction.recognizers.common.address import AddressRecognizer
from redaction.recognizers.common.bank_account import BankAccountRecognizer
from redaction.recognizers.common.credit_card import PaymentCardRecognizer
from redaction.recognizers.common.date_of_birth import DateOfBirthRecognizer
from redaction.recognizers.common.document_number import DocumentNumberRecognizer
from redaction.recognizers.common.email import EmailAddressRecognizer
from redaction.recognizers.common.iban import IbanCodeRecognizer
from redaction.recognizers.common.ip import IpAddressRecognizer
from redaction.recognizers.common.labelled_id import LabelledIdRecognizer
from redaction.recognizers.common.license_plate import LicensePlateRecognizer
from redaction.recognizers.common.passport import PassportRecognizer
from redaction.recognizers.common.person import PersonRecognizer
from redaction.recognizers.common.phone import LatamPhoneRecognizer
from redaction.recognizers.common.social_handle import SocialHandleRecognizer
from redaction.recognizers.common.url import PersonalUrlRecognizer
from redaction.recognizers.es.es_dni import EsDniRecognizer
from redaction.recognizers.es.es_nie import EsNieIdRecognizer
from redaction.recognizers.mx.mx_clabe import MxClabeRecognizer
from redaction.recognizers.mx.mx_curp import MxCurpRecognizer
from redaction.recognizers.mx.mx_rfc import MxRfcRecognizer
from redaction.recognizers.pe.pe_carne_extranjeria import PeCarneExtranjeriaRecognizer
from redaction.recognizers.pe.pe_dni import PeDniRecognizer
from redaction.recognizers.pe.pe_ruc import PeRucRecognizer
from redaction.recognizers.priority import FREE_TEXT
from redaction.recognizers.uy.uy_ci import UyCiRecognizer
from redaction.recognizers.ve.ve_cedula import VeCedulaRecognizer
from redaction.recognizers.ve.ve_rif import VeRifRecognizer

RECOGNIZER_CLASSES: tuple[type[EntityRecognizer], ...] = (
    # Checksum-validated identifiers (priority tier CHECKSUM).
    ArCuitRecognizer,
    ArCbuRecognizer,
    ClRutRecognizer,
    UyCiRecognizer,
    MxCurpRecognizer,
    MxRfcRecognizer,
    MxClabeRecognizer,
    PeRucRecognizer,
    CoNitRecognizer,
    EsDniRecognizer,
    EsNieIdRecognizer,
    BrCpfRecognizer,
    BrCnpjRecognizer,
    VeRifRecognizer,
    IbanCodeRecognizer,
    PaymentCardRecognizer,
    # Shapes and cue-labelled values.
    EmailAddressRecognizer,
    IpAddressRecognizer,
    PersonalUrlRecognizer,
    SocialHandleRecognizer,
    DateOfBirthRecognizer,
    LatamPhoneRecognizer,
    ArDniRecognizer,
    PeDniRecognizer,
    PeCarneExtranjeriaRecognizer,
    CoCedulaRecognizer,
    VeCedulaRecognizer,
    PassportRecognizer,
    LabelledIdRecognizer,
    DocumentNumberRecognizer,
    BankAccountRecognizer,
    ArAliasCbuRecognizer,
    LicensePlateRecognizer,
    # Free text.
    AddressRecognizer,
    PersonRecognizer,
)

PRIORITY_BY_NAME: dict[str, int] = {
    cls.__name__: int(getattr(cls, "PRIORITY", FREE_TEXT)) for cls in RECOGNIZER_CLASSES
}


def recognizer_priority(name: str) -> int:
    """The priority tier of the recognizer called ``name`` (lowest tier if unknown)."""
    return PRIORITY_BY_NAME.get(name, FREE_TEXT)


def build_recognizers(
    language: str, countries: Iterable[str] | None = None
) -> list[EntityRecognizer]:
    """Fresh instances of the recognizers for ``language``.

    ``countries`` (ISO codes such as ``"AR"``) keeps the common recognizers and those of
    the given countries; ``None`` loads every country.
    """
    wanted = None if countries is None else frozenset(c.upper() for c in countries)
    return [
        cls(supported_language=language)  # type: ignore[call-arg]
        for cls in RECOGNIZER_CLASSES
        if wanted is None or not getattr(cls, "COUNTRIES", None) or cls.COUNTRIES & wanted  # type: ignore[attr-defined]
    ]
