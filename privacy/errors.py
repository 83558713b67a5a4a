"""Privacy errors, grouped by who must act.

    PrivacyError
    ├── InvalidPrivacyRequest      the caller: a request that cannot be accepted as given
    │   └── InvalidSubject         the locator: not exactly one of phone, email, contact_id,
    │                              or a phone/email that does not parse, or an unknown contact
    ├── RequestNotFound            the caller named a request this business does not have
    ├── RequestStateError          the request is not in a state that allows this
    │   ├── NotCancellable         only pending requests can be cancelled
    │   └── NotDownloadable        not an access/portability request, or it has not completed
    ├── DownloadExpired            the bundle's download window has passed (create a new one)
    └── RequestRunError            a run that cannot succeed as asked (its type is stored)
        └── AmbiguousSubject       rectify: the locator names several contacts

Messages say what to do and never carry the personal values submitted: they end up in
HTTP bodies and in logs. (``api`` maps them to status codes: 422, 404, 409, 410.)
"""

from __future__ import annotations


class PrivacyError(Exception):
    """Base of every privacy error."""


class InvalidPrivacyRequest(PrivacyError):
    pass


class InvalidSubject(InvalidPrivacyRequest):
    pass


class RequestNotFound(PrivacyError):
    pass


class RequestStateError(PrivacyError):
    pass


class NotCancellable(RequestStateError):
    pass


class NotDownloadable(RequestStateError):
    pass


class DownloadExpired(PrivacyError):
    pass


class RequestRunError(PrivacyError):
    pass


class AmbiguousSubject(RequestRunError):
    pass
