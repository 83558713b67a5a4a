"""Data-subject requests: accept them, run them, run the due ones.

A request is accepted (``create_request``: validated, the locator and any new values
encrypted, a masked hint kept, a deadline set from the business's settings) and then run
(``run_request``): at once after the API's response or by the CLI, or later by
``process_due`` (``mostrador privacy process`` and the retention job), which runs pending
requests whose ``due_at`` has passed and retries failed ones up to ``MAX_ATTEMPTS`` times.

Running is idempotent: a completed or cancelled request is not run again, and a run claims
its attempt first (a conditional update of ``attempts``), so two runners never work the
same attempt; the claim also moves ``due_at`` a lease ahead, so ``process_due`` leaves a
request in hand alone. A failure is recorded (status ``failed``, the exception's type in
``error``, never its message) and not raised. Once a request has run, its encrypted
locator and values are cleared: what stays is the hint, the contact ids and counts.

What each type does:

- ``access`` / ``portability``: resolves the contacts and opens the download window
  (``privacy_download_days``); the bundle (``privacy.bundle``) is built at download time.
- ``rectify``: ``crm.services.contacts.rectify_contact`` on the one contact named (several
  are ``AmbiguousSubject``: name it by contact id); a phone or email of another contact
  fails with ``Conflict``.
- ``restrict`` / ``object`` (``lift`` undoes them): the restriction or the training
  objection, and the contact's corpus records removed.
- ``withdraw-consent``: the purpose's consent withdrawn; for training, corpus records too.
- ``erase``: ``privacy.erasure.erase_contacts``, with tombstones for the locator itself.

Every run is written to the audit log (action ``privacy.<type>``; the request and contact
ids; the type, status and counts). Creating, cancelling and downloading are audited by the
caller, who knows who asked.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, select

from crm.crypto import SecretBox
from crm.models import (
    ConsentPurpose,
    Contact,
    PrivacyRequest,
    RequestStatus,
    RequestType,
    SubjectKind,
    Tenant,
    utcnow,
)
from crm.services.audit import record_event
from crm.services.contacts import rectify_contact
from crm.services.privacy import (
    clear_minor_flag,
    privacy_settings,
    set_consent,
    set_restriction,
)
from crm.services.training import set_training_objection
from privacy.bundle import build_bundle, counts
from privacy.context import PrivacyContext
from privacy.errors import (
    AmbiguousSubject,
    DownloadExpired,
    InvalidPrivacyRequest,
    NotCancellable,
    NotDownloadable,
    RequestNotFound,
)
from privacy.locate import Subject, locate, normalize_value, parse_subject
from training_data import erase_contact

log = logging.getLogger("mostrador.privacy")

MAX_ATTEMPTS = 5
RUN_LEASE = timedelta(minutes=15)    # a run in hand is not picked up by process_due meanwhile
RETRY_AFTER = timedelta(minutes=5)   # times the attempts made
ERASED_HINT = "[borrado]"
RECTIFIABLE = ("name", "phone", "email")
_DOWNLOADABLE = (RequestType.access, RequestType.portability)
_TYPES = ", ".join(t.value for t in RequestType)


@dataclass(frozen=True)
class Initiator:
    """Who a run is audited as: "user", "operator", "cli" or "system"."""

    kind: str
    id: str | None
    source: str | None = None


SYSTEM = Initiator("system", "privacy")


def create_request(
    db: Session,
    *,
    box: SecretBox,
    tenant: Tenant,
    type: RequestType | str,
    subject: Mapping[str, object],
    fields: Mapping[str, object] | None = None,
    options: Mapping[str, object] | None = None,
    source: str,
    requested_by: str | None,
    now: datetime | None = None,
) -> PrivacyRequest:
    """Validate and store a pending request, due at once (flushed; the caller commits).

    ``subject`` is ``{"phone"|"email"|"contact_id": value}``; ``fields`` (rectify only) the
    new ``name``/``phone``/``email`` ("" clears one); ``options`` ``{"purpose"}`` for
    withdraw-consent, ``{"lift": true}`` for restrict and object. Raises InvalidSubject or
    InvalidPrivacyRequest, whose messages never carry the values given.
    """
    now = now or utcnow()
    try:
        kind = RequestType(type)
    except ValueError:
        raise InvalidPrivacyRequest(f"Unknown request type; use one of {_TYPES}.") from None
    located = parse_subject(subject, tenant=tenant)
    contacts = locate(db, tenant_id=tenant.id, subject=located, claims=_takes_away(kind))
    if located.kind == SubjectKind.contact_id and not contacts:
        raise InvalidPrivacyRequest("No contact with that id in this business.")
    clean_options = _options(kind, options or {})
    params: dict[str, str] | None = None
    if kind == RequestType.rectify:
        params = _fields(fields, tenant=tenant)
        clean_options["fields"] = sorted(params)
    elif fields:
        raise InvalidPrivacyRequest("fields: only rectify requests take them.")
    policy = privacy_settings(db, tenant_id=tenant.id)
    deadline = (timedelta(hours=policy.erasure_deadline_hours) if kind == RequestType.erase
                else timedelta(days=policy.request_deadline_days))
    request = PrivacyRequest(
        tenant_id=tenant.id, type=kind, subject_kind=located.kind,
        subject_enc=box.encrypt(located.value),
        params_enc=box.encrypt(json.dumps(params)) if params is not None else None,
        options=clean_options, subject_hint=located.hint, contact_ids=[c.id for c in contacts],
        source=source, requested_by=requested_by, created_at=now, due_at=now,
        deadline_at=now + deadline)
    db.add(request)
    db.flush()
    return request


def _options(kind: RequestType, options: Mapping[str, object]) -> dict[str, Any]:
    allowed = {RequestType.withdraw_consent: {"purpose"}, RequestType.restrict: {"lift"},
               RequestType.object: {"lift"}}.get(kind, set())
    given = {k: v for k, v in options.items() if v is not None and v is not False}
    extra = sorted(set(given) - allowed)
    if extra:
        raise InvalidPrivacyRequest(f"{', '.join(extra)}: not an option of "
                                    f"{kind.value} requests.")
    clean: dict[str, Any] = {}
    if kind == RequestType.withdraw_consent:
        purposes = ", ".join(p.value for p in ConsentPurpose)
        if "purpose" not in given:
            raise InvalidPrivacyRequest(f"A withdraw-consent request needs a purpose: {purposes}.")
        try:
            clean["purpose"] = ConsentPurpose(str(given["purpose"])).value
        except ValueError:
            raise InvalidPrivacyRequest(f"Unknown purpose; use one of {purposes}.") from None
    if given.get("lift") is not None:
        if not isinstance(given["lift"], bool):
            raise InvalidPrivacyRequest("`lift` is true or false.")
        clean["lift"] = given["lift"]
    return clean


def _fields(fields: Mapping[str, object] | None, *, tenant: Tenant) -> dict[str, str]:
    given = {k: v for k, v in (fields or {}).items() if v is not None}
    if not given:
        raise InvalidPrivacyRequest("A rectify request needs `fields`: the new name, phone "
                                    "or email (\"\" clears one).")
    unknown = sorted(set(given) - set(RECTIFIABLE))
    if unknown:
        raise InvalidPrivacyRequest(f"Only {', '.join(RECTIFIABLE)} can be rectified "
                                    f"(not {', '.join(unknown)}).")
    clean: dict[str, str] = {}
    for key, value in given.items():
        if not isinstance(value, str):
            raise InvalidPrivacyRequest(f"The new {key} must be text.")
        if key == "name":
            if len(value) > 200:
                raise InvalidPrivacyRequest("The new name is longer than 200 characters.")
            clean[key] = value
        else:
            clean[key] = normalize_value(SubjectKind(key), value, tenant=tenant) if value else ""
    return clean


def get_request(db: Session, *, tenant_id: str, request_id: str) -> PrivacyRequest:
    """The business's request (RequestNotFound for another business's or none)."""
    request = db.get(PrivacyRequest, request_id)
    if request is None or request.tenant_id != tenant_id:
        raise RequestNotFound("No such privacy request in this business.")
    return request


def list_requests(db: Session, *, tenant_id: str, status: RequestStatus | None = None,
                  type: RequestType | None = None, limit: int = 100,
                  offset: int = 0) -> list[PrivacyRequest]:
    """Newest first."""
    query = select(PrivacyRequest).where(PrivacyRequest.tenant_id == tenant_id)
    if status is not None:
        query = query.where(PrivacyRequest.status == status)
    if type is not None:
        query = query.where(PrivacyRequest.type == type)
    return list(db.exec(query.order_by(col(PrivacyRequest.created_at).desc())
                        .offset(offset).limit(limit)))


def cancel_request(db: Session, *, tenant_id: str, request_id: str) -> PrivacyRequest:
    """Withdraw a pending request (NotCancellable otherwise). A minor's queued erasure
    also clears the minor flag: staff reviewed it and it was wrong. Flushed."""
    request = get_request(db, tenant_id=tenant_id, request_id=request_id)
    if request.status != RequestStatus.pending:
        raise NotCancellable(f"Only pending requests can be cancelled; this one is "
                             f"{request.status.value}.")
    request.status = RequestStatus.cancelled
    request.subject_enc = request.params_enc = None
    if request.source == "minor":
        for contact_id in request.contact_ids:
            clear_minor_flag(db, contact_id=contact_id)
    db.add(request)
    db.flush()
    return request


def download_bundle(db: Session, *, tenant: Tenant, request_id: str,
                    now: datetime | None = None) -> tuple[PrivacyRequest, dict[str, Any]]:
    """The bundle of a completed access/portability request, built now from current data.

    Raises RequestNotFound, NotDownloadable (another type, or not completed yet) or
    DownloadExpired (past ``download_until``).
    """
    now = now or utcnow()
    request = get_request(db, tenant_id=tenant.id, request_id=request_id)
    if request.type not in _DOWNLOADABLE:
        raise NotDownloadable("Only access and portability requests have a download.")
    if request.status != RequestStatus.completed or request.download_until is None:
        raise NotDownloadable(f"The request is {request.status.value}; the download exists "
                              "once it has completed.")
    if now > request.download_until:
        raise DownloadExpired("The download window of this request has passed; create a new "
                              "access request.")
    return request, build_bundle(db, tenant=tenant, contact_ids=request.contact_ids, now=now)


def run_request(ctx: PrivacyContext, request_id: str, *, by: Initiator = SYSTEM,
                now: datetime | None = None) -> PrivacyRequest:
    """Run the request now (whatever its due_at) and return it as it ends.

    A completed or cancelled request is returned as it is; one another runner holds is
    left to it. Failures are recorded on the request, not raised. Raises RequestNotFound
    only for an unknown id.
    """
    now = now or ctx.clock()
    with Session(ctx.engine, expire_on_commit=False) as db:
        request = db.get(PrivacyRequest, request_id)
        if request is None:
            raise RequestNotFound("No such privacy request.")
        if request.status in (RequestStatus.completed, RequestStatus.cancelled):
            return request
        claimed = db.exec(  # type: ignore[call-overload]
            update(PrivacyRequest)
            .where(col(PrivacyRequest.id) == request_id,
                   col(PrivacyRequest.attempts) == request.attempts,
                   col(PrivacyRequest.status).in_([RequestStatus.pending, RequestStatus.failed]))
            .values(attempts=request.attempts + 1, due_at=now + RUN_LEASE))
        db.commit()
        if (claimed.rowcount or 0) != 1:
            return _load(ctx, request_id)
    try:
        if request.type == RequestType.erase:
            _erase(ctx, request_id, now=now, by=by)
        else:
            _run(ctx, request_id, now=now, by=by)
    except Exception as exc:  # the request must end in a state, whatever failed
        # The type only: an exception's message can carry row values (PII).
        log.warning("privacy request %s (%s) failed error=%s", request_id,
                    request.type.value, type(exc).__name__)
        try:
            _fail(ctx, request_id, exc, now=now, by=by)
        except Exception as again:
            log.error("privacy request %s: recording the failure failed error=%s",
                      request_id, type(again).__name__)
    return _load(ctx, request_id)


def process_due(ctx: PrivacyContext, *, now: datetime | None = None,
                by: Initiator = SYSTEM) -> int:
    """Run every pending request, and every failed one with attempts left, whose due_at
    has passed; returns how many were run."""
    now = now or ctx.clock()
    with Session(ctx.engine) as db:
        due = list(db.exec(select(PrivacyRequest.id).where(
            col(PrivacyRequest.due_at) <= now,
            (col(PrivacyRequest.status) == RequestStatus.pending)
            | ((col(PrivacyRequest.status) == RequestStatus.failed)
               & (col(PrivacyRequest.attempts) < MAX_ATTEMPTS)))
            .order_by(col(PrivacyRequest.due_at))))
    for request_id in due:
        run_request(ctx, request_id, by=by, now=now)
    return len(due)


def _load(ctx: PrivacyContext, request_id: str) -> PrivacyRequest:
    with Session(ctx.engine, expire_on_commit=False) as db:
        request = db.get(PrivacyRequest, request_id)
        assert request is not None  # requests are deleted only with their business
        return request


def _subject(ctx: PrivacyContext, request: PrivacyRequest) -> Subject | None:
    if request.subject_enc is None:
        return None
    return Subject(request.subject_kind, ctx.box.decrypt(request.subject_enc))


def _takes_away(kind: RequestType) -> bool:
    """Rights that remove or stop using data also reach contacts that only claimed the
    locator (privacy.locate); those that hand data out or change it do not."""
    return kind not in (RequestType.access, RequestType.portability, RequestType.rectify)


def _contacts(db: Session, ctx: PrivacyContext, request: PrivacyRequest) -> list[Contact]:
    """Located again now (the data may have changed since the request was accepted); a
    request without its locator falls back to the contacts it resolved to then."""
    subject = _subject(ctx, request)
    if subject is not None:
        return locate(db, tenant_id=request.tenant_id, subject=subject,
                      claims=_takes_away(request.type))
    found = (db.get(Contact, i) for i in request.contact_ids)
    return [c for c in found if c is not None and c.tenant_id == request.tenant_id]


def _run(ctx: PrivacyContext, request_id: str, *, now: datetime, by: Initiator) -> None:
    """Every type but erase, in one transaction with its audit event."""
    with Session(ctx.engine, expire_on_commit=False) as db:
        request = db.get(PrivacyRequest, request_id)
        tenant = db.get(Tenant, request.tenant_id) if request else None
        assert request is not None and tenant is not None
        contacts = _contacts(db, ctx, request)
        result: dict[str, Any] = {"subject_found": bool(contacts), "contacts": len(contacts)}
        lift = bool(request.options.get("lift"))
        corpus = 0
        if request.type in _DOWNLOADABLE:
            result.update(counts(build_bundle(db, tenant=tenant,
                                              contact_ids=[c.id for c in contacts], now=now)))
            request.download_until = now + timedelta(days=ctx.settings.privacy_download_days)
        elif request.type == RequestType.rectify:
            if len(contacts) > 1:
                raise AmbiguousSubject("The locator names several contacts; rectify one at a "
                                       "time, by contact_id.")
            params = json.loads(ctx.box.decrypt(request.params_enc)) if request.params_enc \
                else {}
            changed = (rectify_contact(db, tenant=tenant, contact=contacts[0], **params)
                       if contacts else [])
            result["fields"] = changed
            if request.subject_kind.value in changed:
                # The hint masks the value just corrected: keep none of it.
                request.subject_hint = contacts[0].id
        elif request.type == RequestType.restrict:
            for contact in contacts:
                set_restriction(db, contact=contact, restricted=not lift)
        elif request.type == RequestType.object:
            for contact in contacts:
                set_training_objection(db, contact=contact, objected=not lift, source="request")
        elif request.type == RequestType.withdraw_consent:
            purpose = ConsentPurpose(request.options["purpose"])
            for contact in contacts:
                set_consent(db, contact=contact, purpose=purpose, granted=False,
                            source="request")
        if _removes_corpus(request) and not lift:
            for contact in contacts:
                corpus += erase_contact(db, contact.id, settings=ctx.settings,
                                        corpus=ctx.corpus)
            result["corpus_records"] = corpus
        if lift:
            result["lifted"] = True
        _complete(db, request, [c.id for c in contacts], result, now=now, by=by)
        db.commit()


def _removes_corpus(request: PrivacyRequest) -> bool:
    return request.type in (RequestType.restrict, RequestType.object) or (
        request.type == RequestType.withdraw_consent
        and request.options.get("purpose") == ConsentPurpose.training.value)


def _erase(ctx: PrivacyContext, request_id: str, *, now: datetime, by: Initiator) -> None:
    """The erasure engine commits its own work; the request records the contact ids first
    (so the engine finds it among the erased contacts' requests) and its counts after."""
    from privacy.erasure import erase_contacts  # the engine; imported when an erase runs

    with Session(ctx.engine, expire_on_commit=False) as db:
        request = db.get(PrivacyRequest, request_id)
        assert request is not None
        subject = _subject(ctx, request)
        contact_ids = [c.id for c in _contacts(db, ctx, request)]
        request.contact_ids = contact_ids
        db.add(request)
        db.commit()
    report = erase_contacts(ctx, tenant_id=request.tenant_id, contact_ids=contact_ids,
                            request_id=request_id,
                            identifiers=subject.identifiers() if subject else ())
    with Session(ctx.engine, expire_on_commit=False) as db:
        request = db.get(PrivacyRequest, request_id)
        assert request is not None
        request.subject_hint = ERASED_HINT
        _complete(db, request, contact_ids,
                  {"subject_found": bool(contact_ids), **report.as_dict()}, now=now, by=by)
        db.commit()


def _complete(db: Session, request: PrivacyRequest, contact_ids: list[str],
              result: dict[str, Any], *, now: datetime, by: Initiator) -> None:
    request.status = RequestStatus.completed
    request.contact_ids = contact_ids
    request.result = result
    request.completed_at = now
    request.error = None
    request.subject_enc = request.params_enc = None
    db.add(request)
    _audit(db, request, by, details={"status": "completed", **result})


def _fail(ctx: PrivacyContext, request_id: str, exc: Exception, *, now: datetime,
          by: Initiator) -> None:
    with Session(ctx.engine, expire_on_commit=False) as db:
        request = db.get(PrivacyRequest, request_id)
        assert request is not None
        request.status = RequestStatus.failed
        request.error = type(exc).__name__[:64]
        if request.attempts >= MAX_ATTEMPTS:
            request.subject_enc = request.params_enc = None  # given up: keep no locator
        else:
            request.due_at = now + RETRY_AFTER * request.attempts
        db.add(request)
        _audit(db, request, by, details={"status": "failed", "error": request.error,
                                         "attempts": request.attempts})
        db.commit()


def _audit(db: Session, request: PrivacyRequest, by: Initiator,
           details: dict[str, Any]) -> None:
    record_event(db, action=f"privacy.{request.type.value}", actor_kind=by.kind,
                 actor_id=by.id, tenant_id=request.tenant_id, resource_type="privacy_request",
                 resource_ids=[request.id, *request.contact_ids],
                 details={"type": request.type.value, **details}, source=by.source)
