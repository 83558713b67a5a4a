"""Webhook bodies: the real WhatsApp fixtures, and Meta's documented shapes for the rest."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from channels.signature import sign

DATA = Path(__file__).resolve().parent.parent / "data" / "meta" / "whatsapp"


def fixture(file: str, name: str) -> dict[str, Any]:
    """One update of tests/data/meta/whatsapp/<file>.json (pywa's fixtures, MIT)."""
    data: dict[str, Any] = json.loads((DATA / f"{file}.json").read_text(encoding="utf-8"))
    return data[name]


def all_fixtures() -> list[tuple[str, str, dict[str, Any]]]:
    out = []
    for path in sorted(DATA.glob("*.json")):
        for name, body in json.loads(path.read_text(encoding="utf-8")).items():
            out.append((path.stem, name, body))
    return out


def encode(body: dict[str, Any]) -> bytes:
    """Bytes the way Meta sends them: compact, non-ASCII escaped, `/` escaped."""
    return json.dumps(body, separators=(",", ":")).replace("/", "\\/").encode()


def signed(body: dict[str, Any] | bytes, secret: str) -> tuple[bytes, dict[str, str]]:
    raw = body if isinstance(body, bytes) else encode(body)
    return raw, {"X-Hub-Signature-256": sign(raw, secret), "Content-Type": "application/json"}


def wa_value(phone_number_id: str, **lists: list[dict[str, Any]]) -> dict[str, Any]:
    return {"messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "5491100000000",
                         "phone_number_id": phone_number_id}, **lists}


def wa_update(*values: dict[str, Any], waba: str = "102290129340398") -> dict[str, Any]:
    return {"object": "whatsapp_business_account",
            "entry": [{"id": waba, "changes": [{"value": v, "field": "messages"}
                                               for v in values]}]}


def wa_text(phone_number_id: str, wa_id: str, wamid: str, text: str, ts: int,
            name: str = "Ana") -> dict[str, Any]:
    return wa_update(wa_value(
        phone_number_id,
        contacts=[{"profile": {"name": name}, "wa_id": wa_id}],
        messages=[{"from": wa_id, "id": wamid, "timestamp": str(ts), "type": "text",
                   "text": {"body": text}}]))


def wa_status(phone_number_id: str, wamid: str, status: str, ts: int,
              error_code: int | None = None) -> dict[str, Any]:
    item: dict[str, Any] = {"id": wamid, "status": status, "timestamp": str(ts),
                            "recipient_id": "5491155550000"}
    if error_code:
        item["errors"] = [{"code": error_code, "title": "Message failed"}]
    return wa_update(wa_value(phone_number_id, statuses=[item]))


def messaging(obj: str, account: str, *events: dict[str, Any]) -> dict[str, Any]:
    """Messenger (`page`) or Instagram (`instagram`) webhook with messaging events."""
    return {"object": obj, "entry": [{"id": account, "time": 1795957200000,
                                      "messaging": list(events)}]}


def text_event(sender: str, account: str, mid: str, text: str, ts_ms: int) -> dict[str, Any]:
    return {"sender": {"id": sender}, "recipient": {"id": account}, "timestamp": ts_ms,
            "message": {"mid": mid, "text": text}}


def leadgen(page_id: str, leadgen_id: str, form_id: str = "444555666",
            ad_id: str = "777888999", ts: int = 1795957200) -> dict[str, Any]:
    return {"object": "page", "entry": [{"id": page_id, "time": ts, "changes": [{
        "field": "leadgen",
        "value": {"ad_id": ad_id, "form_id": form_id, "leadgen_id": leadgen_id,
                  "created_time": ts, "page_id": page_id, "adgroup_id": ad_id}}]}]}
