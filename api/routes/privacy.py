"""Data-subject requests (admins and operators: the ``privacy:manage`` scope).

``POST /v1/privacy/requests`` accepts a request (202 with its id) and runs it after the
response; ``GET /v1/privacy/requests/{id}`` tells its status and, for access and
portability once completed, the download links; ``.../download?format=json|csv`` builds
the bundle from the current data; ``.../cancel`` withdraws a pending one. Another
business's request is a 404. Like every error of the API (api.http_errors), validation
errors never echo the submitted values (here a phone or an email), and the body takes no
free text: unknown fields are refused. Creating, running, downloading and cancelling are
written to the audit log (ids, type and counts only).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from fastapi import APIRouter, BackgroundTasks, HTTPException, Query, Request, Response, status
from pydantic import BaseModel, ConfigDict, Field, model_validator

from api.deps import Actor, PrivacyManager, SecretBoxDep, SessionDep, privacy_context
from api.http_errors import unprocessable
from api.paging import Limit, Offset
from api.strict_input import StrictInputRoute
from crm.models import ConsentPurpose, PrivacyRequest, RequestStatus, RequestType, utcnow
from privacy.bundle import counts, to_csv_zip, to_json
from privacy.context import PrivacyContext
from privacy.errors import (
    DownloadExpired,
    InvalidPrivacyRequest,
    RequestNotFound,
    RequestStateError,
)
from privacy.requests import (
    Initiator,
    cancel_request,
    create_request,
    download_bundle,
    get_request,
    list_requests,
    run_request,
)

router = APIRouter(prefix="/v1/privacy", tags=["privacy"], route_class=StrictInputRoute)


class SubjectIn(BaseModel):
    """The person: exactly one of phone, email or contact_id."""

    model_config = ConfigDict(extra="forbid")
    phone: str | None = Field(default=None, max_length=40,
                              description="Any usual form; normalized with the business's "
                                          "country")
    email: str | None = Field(default=None, max_length=254)
    contact_id: str | None = Field(default=None, max_length=32)

    @model_validator(mode="after")
    def _exactly_one(self) -> SubjectIn:
        if sum(v is not None for v in (self.phone, self.email, self.contact_id)) != 1:
            raise ValueError("give exactly one of phone, email or contact_id")
        return self


class FieldsIn(BaseModel):
    """Rectify: the corrected values ("" clears one)."""

    model_config = ConfigDict(extra="forbid")
    name: str | None = Field(default=None, max_length=200)
    phone: str | None = Field(default=None, max_length=40)
    email: str | None = Field(default=None, max_length=254)


class PrivacyRequestIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    type: RequestType
    subject: SubjectIn
    fields: FieldsIn | None = Field(default=None, description="rectify only")
    purpose: ConsentPurpose | None = Field(default=None, description="withdraw-consent only")
    lift: bool = Field(default=False, description="restrict/object: lift an earlier one")


class PrivacyRequestOut(BaseModel):
    id: str
    type: str
    status: str
    subject_kind: str
    subject_hint: str = Field(description="masked locator; [borrado] after an erasure")
    contact_ids: list[str]
    options: dict[str, Any]
    result: dict[str, Any] = Field(description="counts (and rectified field names)")
    source: str
    requested_by: str | None
    created_at: datetime
    due_at: datetime | None = Field(description="when it runs next (at once, after a review "
                                    "period, or a retry); null once it has ended")
    deadline_at: datetime
    overdue: bool
    completed_at: datetime | None
    download_until: datetime | None
    download_url: str | None = Field(description="access/portability: the JSON bundle")
    download_csv_url: str | None = Field(description="the CSV zip")
    attempts: int
    error: str | None = Field(description="the failure's type, e.g. Conflict")


def _out(request: Request, row: PrivacyRequest) -> PrivacyRequestOut:
    now = utcnow()
    downloadable = (row.type in (RequestType.access, RequestType.portability)
                    and row.status == RequestStatus.completed
                    and row.download_until is not None and now <= row.download_until)
    link = str(request.url_for("download_privacy_bundle", request_id=row.id))
    return PrivacyRequestOut(
        id=row.id, type=row.type.value, status=row.status.value,
        subject_kind=row.subject_kind.value, subject_hint=row.subject_hint,
        contact_ids=row.contact_ids, options=row.options, result=row.result,
        source=row.source, requested_by=row.requested_by, created_at=row.created_at,
        due_at=row.due_at if row.status in (RequestStatus.pending, RequestStatus.failed)
        else None, deadline_at=row.deadline_at,
        overdue=row.status in (RequestStatus.pending, RequestStatus.failed)
        and now > row.deadline_at,
        completed_at=row.completed_at, download_until=row.download_until,
        download_url=f"{link}?format=json" if downloadable else None,
        download_csv_url=f"{link}?format=csv" if downloadable else None,
        attempts=row.attempts, error=row.error)


def _run_after_response(ctx: PrivacyContext, request_id: str, by: Initiator) -> None:
    run_request(ctx, request_id, by=by)


def _http(exc: Exception) -> HTTPException:
    if isinstance(exc, InvalidPrivacyRequest):
        return unprocessable(str(exc))
    if isinstance(exc, RequestNotFound):
        return HTTPException(status.HTTP_404_NOT_FOUND, str(exc))
    if isinstance(exc, DownloadExpired):
        return HTTPException(status.HTTP_410_GONE, str(exc))
    if isinstance(exc, RequestStateError):
        return HTTPException(status.HTTP_409_CONFLICT, str(exc))
    raise exc


def _initiator(actor: Actor) -> Initiator:
    return Initiator(actor.actor_kind, actor.user.id, actor.source)


@router.post("/requests", status_code=status.HTTP_202_ACCEPTED,
             response_model=PrivacyRequestOut)
def create_privacy_request(body: PrivacyRequestIn, request: Request, db: SessionDep,
                           box: SecretBoxDep, actor: PrivacyManager,
                           background: BackgroundTasks) -> PrivacyRequestOut:
    """Accept a data-subject request; it runs right after this response (poll its id)."""
    ctx = privacy_context(request)  # first: a misconfigured ledger fails before anything is stored
    fields = body.fields.model_dump(exclude_none=True) if body.fields else None
    try:
        row = create_request(
            db, box=box, tenant=actor.tenant, type=body.type,
            subject=body.subject.model_dump(), fields=fields,
            options={"purpose": body.purpose.value if body.purpose else None,
                     "lift": body.lift},
            source="api", requested_by=actor.user.id)
    except InvalidPrivacyRequest as exc:
        db.rollback()
        raise _http(exc) from None
    actor.audit(db, action="privacy.request.create", resource_type="privacy_request",
                resource_ids=[row.id, *row.contact_ids],
                details={"type": row.type.value, "subject_kind": row.subject_kind.value,
                         "contacts": len(row.contact_ids)})
    db.commit()
    background.add_task(_run_after_response, ctx, row.id, _initiator(actor))
    return _out(request, row)


@router.get("/requests", response_model=list[PrivacyRequestOut])
def list_privacy_requests(
        request: Request, db: SessionDep, actor: PrivacyManager,
        status_: RequestStatus | None = Query(None, alias="status"),
        type_: RequestType | None = Query(None, alias="type"),
        limit: Limit = 100, offset: Offset = 0) -> list[PrivacyRequestOut]:
    """The business's requests, newest first; filter by status and type."""
    rows = list_requests(db, tenant_id=actor.tenant_id, status=status_, type=type_,
                         limit=limit, offset=offset)
    actor.audit(db, action="privacy.request.list", resource_type="privacy_request",
                resource_ids=[r.id for r in rows],
                details={"status": status_.value if status_ else None,
                         "type": type_.value if type_ else None, "count": len(rows)})
    db.commit()
    return [_out(request, r) for r in rows]


@router.get("/requests/{request_id}", response_model=PrivacyRequestOut)
def get_privacy_request(request_id: str, request: Request, db: SessionDep,
                        actor: PrivacyManager) -> PrivacyRequestOut:
    try:
        row = get_request(db, tenant_id=actor.tenant_id, request_id=request_id)
    except RequestNotFound as exc:
        raise _http(exc) from None
    actor.audit(db, action="privacy.request.read", resource_type="privacy_request",
                resource_ids=[row.id])
    db.commit()
    return _out(request, row)


@router.get("/requests/{request_id}/download", name="download_privacy_bundle",
            responses={200: {"description": "the bundle, as a download", "content": {
                "application/json": {"schema": {"type": "object"}},
                "application/zip": {"schema": {"type": "string", "format": "binary"}}}}})
def download_privacy_bundle(request_id: str, db: SessionDep, actor: PrivacyManager,
                            format: Literal["json", "csv"] = "json") -> Response:
    """The bundle of a completed access/portability request, built now (410 once its
    download window has passed): JSON, or a zip of CSV files with a README."""
    try:
        row, bundle = download_bundle(db, tenant=actor.tenant, request_id=request_id)
    except (RequestNotFound, RequestStateError, DownloadExpired) as exc:
        raise _http(exc) from None
    actor.audit(db, action=f"privacy.{row.type.value}.download",
                resource_type="privacy_request", resource_ids=[row.id, *row.contact_ids],
                details={"type": row.type.value, "format": format, **counts(bundle)})
    db.commit()
    headers = {"Cache-Control": "no-store"}
    if format == "csv":
        headers["Content-Disposition"] = f'attachment; filename="privacy-{row.id}.zip"'
        return Response(to_csv_zip(bundle), media_type="application/zip", headers=headers)
    headers["Content-Disposition"] = f'attachment; filename="privacy-{row.id}.json"'
    return Response(to_json(bundle), media_type="application/json", headers=headers)


@router.post("/requests/{request_id}/cancel", response_model=PrivacyRequestOut)
def cancel_privacy_request(request_id: str, request: Request, db: SessionDep,
                           actor: PrivacyManager) -> PrivacyRequestOut:
    """Withdraw a pending request (409 otherwise); a minor's queued erasure also clears
    the minor flag."""
    try:
        row = cancel_request(db, tenant_id=actor.tenant_id, request_id=request_id)
    except (RequestNotFound, RequestStateError) as exc:
        db.rollback()
        raise _http(exc) from None
    actor.audit(db, action="privacy.request.cancel", resource_type="privacy_request",
                resource_ids=[row.id, *row.contact_ids],
                details={"type": row.type.value, "source": row.source})
    db.commit()
    return _out(request, row)
