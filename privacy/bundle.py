"""The access/portability bundle: everything a business holds on one person.

Schema version 1. The bundle is built when it is downloaded, from the data as it is then
(nothing with personal data is written to disk), for the contacts the request resolved to.
Two formats carry the same data: JSON (one document, machine-readable: the portability
format, to hand to another service) and CSV (a zip with one file per section, for a
spreadsheet, plus README.md with this description). Dates and times are ISO 8601 with the
offset of the business's timezone; absent values are null in JSON and empty in CSV.

Top level (JSON; the README of the CSV zip states them):

- ``schema_version``: 1.
- ``generated_at``: when the bundle was built.
- ``business``: ``{"name"}`` of the business that holds the data.
- ``subject_found``: false when no contact matched the request (every section is empty).

Sections (JSON: lists of objects; CSV: ``<section>.csv`` with these columns, in order):

- ``contacts``: id, name, phone (E.164), email, created_at, updated_at.
- ``channel_identities``: how each channel knows the person — contact_id, channel (web,
  whatsapp, instagram, messenger), external_id (web session id, WhatsApp number, Meta
  user id), created_at.
- ``leads``: id, contact_id, source, stage, temperature, notes (staff notes),
  utm_source, utm_medium, utm_campaign, utm_term, utm_content, form_answers (the answers
  of a Meta Lead Ads form, an object; JSON text in CSV), created_at, updated_at.
- ``appointments``: id, contact_id, service (its name), start, end, status, created_at,
  updated_at.
- ``conversations``: id, contact_id, channel, status, needs_human, human_reason,
  created_at, last_message_at, closed_at; in JSON each has ``messages``, in CSV they are
  ``messages.csv``.
- ``messages``: conversation_id, position (1, 2... within the conversation), role (user,
  assistant, tool), text, tool_calls (the agent's calls: a list of {id, name, args}; JSON
  text in CSV), tool_call_id and tool_name (a tool result answers that call),
  channel_message_id, created_at.
- ``consents``: contact_id, purpose (training, marketing), granted, source, updated_at.
- ``preferences``: contact_id, objected_to_training, objection_source, objected_at,
  processing_restricted, restricted_at, minor_flagged_at.
- ``privacy_requests``: the person's data-subject requests — id, type, status, source,
  created_at, deadline_at, completed_at (never the locator or the values asked for).

Not included: the raw copies of webhook bodies (they repeat the messages above and are
deleted after the business's ``raw_event_retention_days``) and the anonymized training
corpus (it holds nothing that identifies the person).
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from crm.models import (
    UTM_FIELDS,
    Appointment,
    ChannelIdentity,
    Contact,
    ContactConsent,
    ContactPreference,
    Conversation,
    Lead,
    LeadAdIntake,
    Message,
    PrivacyRequest,
    Service,
    Tenant,
)

SCHEMA_VERSION = 1

# Each section's columns and what they mean: the CSV headers and the README's schema.
SECTIONS: dict[str, tuple[str, tuple[tuple[str, str], ...]]] = {
    "contacts": ("The person's contact records.", (
        ("id", "contact id"), ("name", "name"), ("phone", "phone, E.164"),
        ("email", "email"), ("created_at", ""), ("updated_at", ""))),
    "channel_identities": ("How each channel knows the person.", (
        ("contact_id", ""), ("channel", "web, whatsapp, instagram or messenger"),
        ("external_id", "web session id, WhatsApp number or Meta user id"),
        ("created_at", ""))),
    "leads": ("Sales opportunities.", (
        ("id", "lead id"), ("contact_id", ""), ("source", "where the lead came from"),
        ("stage", ""), ("temperature", ""), ("notes", "staff notes"),
        *((f, "campaign parameter of the first visit") for f in UTM_FIELDS),
        ("form_answers", "answers of a Meta Lead Ads form (JSON text)"),
        ("created_at", ""), ("updated_at", ""))),
    "appointments": ("Booked appointments.", (
        ("id", "appointment id"), ("contact_id", ""), ("service", "service name"),
        ("start", "business's local time"), ("end", ""), ("status", ""),
        ("created_at", ""), ("updated_at", ""))),
    "conversations": ("Chats with the business's agent or staff; messages in messages.csv.", (
        ("id", "conversation id"), ("contact_id", ""), ("channel", ""), ("status", ""),
        ("needs_human", "handed over to a person"), ("human_reason", "why"),
        ("created_at", ""), ("last_message_at", ""), ("closed_at", ""))),
    "messages": ("Every message, including the agent's tool calls and their results.", (
        ("conversation_id", ""), ("position", "1, 2... within the conversation"),
        ("role", "user, assistant or tool"), ("text", ""),
        ("tool_calls", "the agent's calls, a list of {id, name, args} (JSON text)"),
        ("tool_call_id", "the call a tool result answers"), ("tool_name", ""),
        ("channel_message_id", "the channel's message id"), ("created_at", ""))),
    "consents": ("Consents per purpose.", (
        ("contact_id", ""), ("purpose", "training or marketing"), ("granted", ""),
        ("source", "request, staff, chat or form"), ("updated_at", ""))),
    "preferences": ("Objection, restriction and the minor flag.", (
        ("contact_id", ""), ("objected_to_training", ""), ("objection_source", ""),
        ("objected_at", ""), ("processing_restricted", ""), ("restricted_at", ""),
        ("minor_flagged_at", "when the person was flagged as a possible minor"))),
    "privacy_requests": ("The person's data-subject requests (no locators, no values).", (
        ("id", "request id"), ("type", ""), ("status", ""), ("source", "api, cli or minor"),
        ("created_at", ""), ("deadline_at", ""), ("completed_at", ""))),
}


def build_bundle(db: Session, *, tenant: Tenant, contact_ids: Sequence[str],
                 now: datetime) -> dict[str, Any]:
    """The bundle of the business's contacts among ``contact_ids`` (others are ignored)."""
    tz = ZoneInfo(tenant.timezone)

    def t(value: datetime | None) -> str | None:
        return value.astimezone(tz).isoformat() if value is not None else None

    contacts = list(db.exec(select(Contact).where(
        Contact.tenant_id == tenant.id, col(Contact.id).in_(list(contact_ids)))
        .order_by(col(Contact.created_at))))
    ids = [c.id for c in contacts]
    bundle: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION, "generated_at": t(now),
        "business": {"name": tenant.name}, "subject_found": bool(contacts),
        "contacts": [{"id": c.id, "name": c.name, "phone": c.phone, "email": c.email,
                      "created_at": t(c.created_at), "updated_at": t(c.updated_at)}
                     for c in contacts],
    }
    bundle["channel_identities"] = [
        {"contact_id": i.contact_id, "channel": i.channel, "external_id": i.external_id,
         "created_at": t(i.created_at)}
        for i in db.exec(select(ChannelIdentity).where(col(ChannelIdentity.contact_id).in_(ids))
                         .order_by(col(ChannelIdentity.created_at)))]
    leads = list(db.exec(select(Lead).where(col(Lead.contact_id).in_(ids))
                         .order_by(col(Lead.created_at))))
    answers = {i.lead_id: i.answers for i in db.exec(select(LeadAdIntake).where(
        col(LeadAdIntake.lead_id).in_([lead.id for lead in leads])))}
    bundle["leads"] = [
        {"id": lead.id, "contact_id": lead.contact_id, "source": lead.source.value,
         "stage": lead.stage.value, "temperature": lead.temperature.value, "notes": lead.notes,
         **{f: getattr(lead, f) for f in UTM_FIELDS}, "form_answers": answers.get(lead.id),
         "created_at": t(lead.created_at), "updated_at": t(lead.updated_at)}
        for lead in leads]
    bundle["appointments"] = [
        {"id": a.id, "contact_id": a.contact_id, "service": service, "start": t(a.start_at),
         "end": t(a.end_at), "status": a.status.value, "created_at": t(a.created_at),
         "updated_at": t(a.updated_at)}
        for a, service in db.exec(select(Appointment, Service.name)
                                  .join(Service, col(Service.id) == Appointment.service_id)
                                  .where(col(Appointment.contact_id).in_(ids))
                                  .order_by(col(Appointment.start_at)))]
    bundle["conversations"] = [_conversation(db, c, t) for c in db.exec(
        select(Conversation).where(col(Conversation.contact_id).in_(ids))
        .order_by(col(Conversation.created_at)))]
    bundle["consents"] = [
        {"contact_id": c.contact_id, "purpose": c.purpose.value, "granted": c.granted,
         "source": c.source, "updated_at": t(c.updated_at)}
        for c in db.exec(select(ContactConsent).where(col(ContactConsent.contact_id).in_(ids))
                         .order_by(col(ContactConsent.id)))]
    bundle["preferences"] = [
        {"contact_id": p.contact_id, "objected_to_training": p.objected_to_training,
         "objection_source": p.objection_source, "objected_at": t(p.objected_at),
         "processing_restricted": p.processing_restricted, "restricted_at": t(p.restricted_at),
         "minor_flagged_at": t(p.minor_flagged_at)}
        for p in db.exec(select(ContactPreference)
                         .where(col(ContactPreference.contact_id).in_(ids)))]
    wanted = set(ids)
    bundle["privacy_requests"] = [
        {"id": r.id, "type": r.type.value, "status": r.status.value, "source": r.source,
         "created_at": t(r.created_at), "deadline_at": t(r.deadline_at),
         "completed_at": t(r.completed_at)}
        for r in db.exec(select(PrivacyRequest).where(PrivacyRequest.tenant_id == tenant.id)
                         .order_by(col(PrivacyRequest.created_at)))
        if wanted.intersection(r.contact_ids)]
    return bundle


def _conversation(db: Session, conversation: Conversation, t: Any) -> dict[str, Any]:
    messages = db.exec(select(Message).where(Message.conversation_id == conversation.id)
                       .order_by(col(Message.id)))
    return {
        "id": conversation.id, "contact_id": conversation.contact_id,
        "channel": conversation.channel.value, "status": conversation.status.value,
        "needs_human": conversation.needs_human, "human_reason": conversation.human_reason,
        "created_at": t(conversation.created_at),
        "last_message_at": t(conversation.last_message_at),
        "closed_at": t(conversation.closed_at),
        "messages": [
            {"position": n, "role": m.role.value, "text": m.text, "tool_calls": m.tool_calls,
             "tool_call_id": m.tool_call_id, "tool_name": m.tool_name,
             "channel_message_id": m.channel_message_id, "created_at": t(m.created_at)}
            for n, m in enumerate(messages, start=1)],
    }


def counts(bundle: dict[str, Any]) -> dict[str, int]:
    """Rows per section: what a request's result and the audit log may say about it."""
    out = {name: len(bundle[name]) for name in SECTIONS if name != "messages"}
    out["messages"] = sum(len(c["messages"]) for c in bundle["conversations"])
    return out


def to_json(bundle: dict[str, Any]) -> bytes:
    return json.dumps(bundle, ensure_ascii=False, indent=2).encode("utf-8")


def _rows(bundle: dict[str, Any], section: str) -> list[dict[str, Any]]:
    if section == "messages":
        return [{"conversation_id": c["id"], **m} for c in bundle["conversations"]
                for m in c["messages"]]
    return list(bundle[section])


def _cell(value: Any) -> Any:
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else value


def to_csv_zip(bundle: dict[str, Any]) -> bytes:
    """A zip of ``<section>.csv`` (UTF-8 with BOM, for spreadsheets) and README.md."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("README.md", readme(bundle))
        for section, (_, columns) in SECTIONS.items():
            names = [name for name, _ in columns]
            text = io.StringIO()
            writer = csv.DictWriter(text, fieldnames=names, extrasaction="ignore")
            writer.writeheader()
            for row in _rows(bundle, section):
                writer.writerow({k: _cell(row.get(k)) for k in names})
            archive.writestr(f"{section}.csv", "\ufeff" + text.getvalue())
    return buffer.getvalue()


def readme(bundle: dict[str, Any]) -> str:
    """The CSV zip's README: the bundle's metadata and the schema of every file."""
    lines = [
        f"# Data held by {bundle['business']['name']}",
        "",
        f"- schema_version: {bundle['schema_version']}",
        f"- generated_at: {bundle['generated_at']}",
        f"- subject_found: {'true' if bundle['subject_found'] else 'false'} "
        "(false: no record matched the request, every file is empty)",
        "",
        "One CSV file per section (UTF-8, comma-separated, header row). Dates and times are "
        "ISO 8601 with the business's UTC offset; an empty cell is an absent value; lists "
        "and objects are JSON text. The same data, as one JSON document, is the "
        "machine-readable (portability) format.",
        "",
    ]
    for section, (description, columns) in SECTIONS.items():
        lines += [f"## {section}.csv", "", description, ""]
        lines += [f"- `{name}`" + (f": {meaning}" if meaning else "") for name, meaning in columns]
        lines.append("")
    lines += ["Not included: raw copies of webhook bodies (they repeat the messages and are "
              "deleted after a few days) and the anonymized training corpus (nothing in it "
              "identifies the person).", ""]
    return "\n".join(lines)
