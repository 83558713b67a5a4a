"""Corpus exports for the ML team (staff role ``ml``), scoped to the user's business.

``POST /v1/corpus/exports`` starts the same export as ``mostrador corpus export`` after the
response (202); ``GET /v1/corpus/exports/{id}`` tells its status and files, and
``GET /v1/corpus/exports/{id}/files/{name}`` serves one of them. Every export is written to
the audit log.
"""

from __future__ import annotations

import logging
import re
import uuid
from datetime import date
from pathlib import Path
from typing import Literal

from fastapi import APIRouter, BackgroundTasks, HTTPException, Request, status
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field, field_validator, model_validator
from sqlalchemy.engine import Engine
from sqlmodel import Session

from api.deps import Actor, CorpusExporter, EngineDep, SettingsDep
from api.export_state import read_state, write_state
from api.http_errors import unprocessable
from api.strict_input import StrictInputRoute
from crm.services.audit import record_event
from crm.settings import Settings
from training_data import ExportArgumentError, ExportOptions, export_corpus, parse_split
from training_data.keys import corpus_keys
from training_data.store import corpus_engine

log = logging.getLogger("mostrador.corpus")
router = APIRouter(prefix="/v1/corpus", tags=["corpus"], route_class=StrictInputRoute)
_ID = re.compile(r"^[0-9a-f]{32}$")


MlUser = CorpusExporter


class ExportIn(BaseModel):
    format: Literal["openai", "parquet", "jsonl"]
    since: date | None = None
    until: date | None = None
    language: str | None = Field(default=None, max_length=8)
    outcome: Literal["lead_created", "appointment_booked", "handed_off", "none"] | None = None
    split: str | None = Field(default=None, max_length=200,
                              description='e.g. "train=0.9,validation=0.1"')

    @field_validator("split")
    @classmethod
    def _split(cls, value: str | None) -> str | None:
        try:
            parse_split(value)
        except ExportArgumentError:
            raise ValueError('write name=fraction pairs that add up to 1, e.g. '
                             '"train=0.9,validation=0.1"') from None
        return value

    @model_validator(mode="after")
    def _dates_in_order(self) -> ExportIn:
        if self.since and self.until and self.since > self.until:
            raise ValueError("since is after until")
        return self


class ExportOut(BaseModel):
    id: str
    status: Literal["running", "done", "failed"]
    format: str
    records: int | None = None
    files: list[str] = []


def _dir(settings: Settings, export_id: str) -> Path:
    return Path(settings.corpus_export_dir) / export_id


def _state(settings: Settings, export_id: str, user: Actor) -> dict[str, object]:
    state = read_state(_dir(settings, export_id)) if _ID.match(export_id) else None
    if state is None or state.get("tenant_id") != user.tenant_id:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "No such export.")
    return state


def _out(export_id: str, state: dict[str, object]) -> ExportOut:
    return ExportOut(id=export_id, status=state["status"], format=str(state["format"]),  # type: ignore[arg-type]
                     records=state.get("records"), files=state.get("files") or [])  # type: ignore[arg-type]


def _run(settings: Settings, engine: Engine, export_id: str, options: ExportOptions,
         user_id: str, tenant_id: str, source: str | None) -> None:
    """The export itself, after the response: files, state, then the audit event."""
    out = _dir(settings, export_id)
    state = read_state(out)
    assert state is not None  # start_export wrote it before scheduling this
    try:
        result = export_corpus(corpus_engine(settings, engine), options, out, progress=False)
        state.update(status="done", records=result.records, files=result.files)
        details = {"format": options.format, "filters": options.filters(),
                   "splits": options.splits, "records": result.records,
                   "quarantined": result.quarantined, "rejected": result.rejected}
    except Exception as exc:  # the job must end in a state, whatever failed
        # The type only: an exception's message can carry row values (PII).
        log.error("corpus export %s failed error=%s", export_id, type(exc).__name__)
        state.update(status="failed")
        details = {"format": options.format, "filters": options.filters(), "failed": True}
    write_state(out, state)
    with Session(engine) as db:
        record_event(db, action="corpus.export", actor_kind="user", actor_id=user_id,
                     tenant_id=tenant_id, resource_type="corpus_export",
                     resource_ids=[export_id], details=details, source=source)
        db.commit()


@router.post("/exports", response_model=ExportOut, status_code=status.HTTP_202_ACCEPTED)
def start_export(body: ExportIn, user: MlUser, settings: SettingsDep, engine: EngineDep,
                 request: Request, background: BackgroundTasks) -> ExportOut:
    """Export this business's corpus records; poll the returned id for the files."""
    try:
        options = ExportOptions(
            format=body.format, tenant_keys=(corpus_keys(settings).tenant_key(user.tenant_id),),
            since=body.since, until=body.until, language=body.language, outcome=body.outcome,
            splits=parse_split(body.split))
    except ExportArgumentError as exc:  # the model's validators let nothing through: a guard
        raise unprocessable(str(exc)) from None
    export_id = uuid.uuid4().hex
    out = _dir(settings, export_id)
    out.mkdir(parents=True)
    state: dict[str, object] = {"status": "running", "format": body.format,
                                "tenant_id": user.tenant_id, "user_id": user.user.id}
    write_state(out, state)
    background.add_task(_run, settings, engine, export_id, options, user.user.id,
                        user.tenant_id, user.source)
    return _out(export_id, state)


@router.get("/exports/{export_id}", response_model=ExportOut)
def get_export(export_id: str, user: MlUser, settings: SettingsDep) -> ExportOut:
    return _out(export_id, _state(settings, export_id, user))


_BINARY = {"schema": {"type": "string", "format": "binary"}}


@router.get("/exports/{export_id}/files/{name}", response_class=FileResponse,
            responses={200: {"description": "the file, as a download",
                             "content": {"application/octet-stream": _BINARY}}})
def get_export_file(export_id: str, name: str, user: MlUser,
                    settings: SettingsDep) -> FileResponse:
    state = _state(settings, export_id, user)
    if name not in (state.get("files") or []):  # type: ignore[operator]
        raise HTTPException(status.HTTP_404_NOT_FOUND, "No such file in this export.")
    return FileResponse(_dir(settings, export_id) / name, filename=name,
                        media_type="application/octet-stream")
