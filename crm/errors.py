"""CRM errors, grouped by who must act.

    CrmError
    ├── NotFound                  the caller named something that is not there (API: 404)
    ├── AlreadyExists             a unique thing that is already there (API: 409)
    ├── SecretUnavailable         the operator: no configured key opens a stored secret
    ├── InvalidScopes             a token asked for scopes its user's role does not have (422)
    ├── Conflict                  the request clashes with the data as it is (409)
    ├── InvalidInput              a value that is not valid; says which and why (422)
    ├── WeakPassword              a password that does not meet the rules (422)
    ├── InvalidInvitation         an invitation link unknown, used or expired (410)
    ├── WindowClosed              a free-text reply outside WhatsApp's 24-hour window (409)
    └── ToolArgumentError         a request the model (or user) can correct; carries a code
        ├── UnknownService
        ├── PastDate
        ├── OutsideBusinessHours  (also closed days)
        ├── SlotTaken
        ├── MissingContactData
        ├── InvalidPhone
        ├── InvalidEmail
        ├── NoAppointment
        └── VerificationFailed    one-time codes (crm.services.verification)
            ├── VerificationUnavailable, TooManyCodes, NothingToVerify
            └── NoCode, WrongCode, CodeExpired, TooManyAttempts

Messages are in Spanish, addressed to the agent, and carry no personal data.
"""

from __future__ import annotations


class CrmError(Exception):
    """Base of every CRM error."""


class NotFound(CrmError):
    pass


class AlreadyExists(CrmError):
    pass


class SecretUnavailable(CrmError):
    """Says which settings to fix; never carries the secret or the ciphertext."""


class InvalidScopes(CrmError):
    pass


class Conflict(CrmError):
    """E.g. a rectified phone that belongs to another contact; carries no values."""


class InvalidInput(CrmError):
    """A value that is not valid; the message says which and how to fix it."""


class WeakPassword(CrmError):
    """Its message says what to change (Spanish, shown to the person)."""


class InvalidInvitation(CrmError):
    """An invitation link that is unknown, already used or expired."""


class WindowClosed(Conflict):
    """WhatsApp takes only an approved template outside the 24-hour window."""


class ToolArgumentError(CrmError):
    code = "invalid_argument"

    def __init__(self, message: str, *, alternatives: list[str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.alternatives = alternatives or []


class UnknownService(ToolArgumentError):
    code = "unknown_service"


class PastDate(ToolArgumentError):
    code = "past_date"


class OutsideBusinessHours(ToolArgumentError):
    code = "outside_hours"


class ClosedDay(OutsideBusinessHours):
    code = "closed_day"


class SlotTaken(ToolArgumentError):
    code = "slot_taken"


class MissingContactData(ToolArgumentError):
    code = "missing_contact"


class InvalidPhone(ToolArgumentError):
    code = "invalid_phone"


class InvalidEmail(ToolArgumentError):
    code = "invalid_email"


class NoAppointment(ToolArgumentError):
    code = "not_found"


class VerificationFailed(ToolArgumentError):
    code = "verification_failed"


class VerificationUnavailable(VerificationFailed):
    """The business has no way to send this kind of code: offer a person instead."""

    code = "verification_unavailable"


class NothingToVerify(VerificationFailed):
    code = "nothing_to_verify"


class TooManyCodes(VerificationFailed):
    code = "too_many_codes"


class NoCode(VerificationFailed):
    code = "no_code"


class WrongCode(VerificationFailed):
    code = "wrong_code"


class CodeExpired(VerificationFailed):
    code = "code_expired"


class TooManyAttempts(VerificationFailed):
    code = "too_many_attempts"
