"""Benchmark the training corpus: intake (redaction included) and exports at 100,000 records.

1. ingest: N synthetic closed conversations of the demo business (names, phones, DNIs and
   emails in text, tool arguments and results; several phrasings so the near-duplicate gate
   keeps most) go through one intake pass — anonymization, residual-PII audit, dedup,
   writes. Reported: conversations/s and the outcomes.
2. export: the corpus is filled to --export-records rows (copies of the ingested records
   under new keys, inserted in bulk), then each format is exported in a fresh child process
   (`train=0.9,validation=0.1`). Reported per format: records/s, the child's peak RSS and
   the output size. Constant memory means the peak RSS does not grow with the record count:
   compare with --export-records 10000.

    .venv/bin/python bench/corpus.py [--conversations 300] [--export-records 100000]
        [--formats openai,parquet] [--keep DIR]

Runs on a new SQLite file in a temporary directory (kept with --keep). Exit status 0.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

_FIRST = ["Ana", "Lucía", "Martín", "Sofía", "Juan", "Valentina", "Diego", "Camila", "Pablo",
          "Florencia", "Tomás", "Julieta", "Nicolás", "Agustina", "Mateo", "Carla"]
_LAST = ["Pérez", "González", "Rodríguez", "Fernández", "López", "Martínez", "Gómez", "Díaz",
         "Romero", "Sosa", "Álvarez", "Torres", "Ruiz", "Ramírez", "Benítez", "Acosta"]
_OPEN = ["Hola, quiero un turno para {svc} mañana a las {h}",
         "Buenas! Necesito sacar turno de {svc} para mañana {h}hs",
         "hola, ¿tienen lugar para {svc} mañana a las {h}?",
         "Quisiera reservar {svc}, mañana a las {h} si se puede",
         "Hola! Me das un turno de {svc} mañana tipo {h}?"]
_ID = ["Soy {name}, DNI {dni}, mi cel es {phone} y mi mail {email}",
       "Me llamo {name}. Cel {phone}, mail {email}, DNI {dni}",
       "A nombre de {name} (DNI {dni}). Te dejo mi celular {phone} y correo {email}",
       "{name}, {phone}, {email}. Mi documento es {dni}"]
_EXTRA = ["¿Aceptan tarjeta?", "¿Tienen estacionamiento?", "¿Cuánto sale?", "¿Dónde quedan?",
          "Perfecto, gracias", "Genial!! nos vemos", "¿Atienden OSDE?", "ok"]
_SERVICES = ["Consulta general", "Limpieza dental", "Blanqueamiento", "Control de ortodoncia"]


def _dni(rng: random.Random) -> str:
    n = rng.randint(20_000_000, 45_999_999)
    return f"{n // 1_000_000}.{n // 1000 % 1000:03d}.{n % 1000:03d}"


def _script(rng: random.Random, name: str, phone: str, email: str) -> list[dict[str, object]]:
    svc, hour, dni = rng.choice(_SERVICES), rng.choice(["9", "10", "11", "15", "16"]), _dni(rng)
    call, book = f"call_{uuid.uuid4().hex[:10]}", f"call_{uuid.uuid4().hex[:10]}"
    day = "2026-11-24"
    script: list[dict[str, object]] = [
        {"role": "user", "text": rng.choice(_OPEN).format(svc=svc.lower(), h=hour)},
        {"role": "assistant", "text": "¡Hola! ¿A nombre de quién hago la reserva?"},
        {"role": "user", "text": rng.choice(_ID).format(name=name, dni=dni, phone=phone,
                                                         email=email)},
        {"role": "assistant", "text": "", "tool_calls": [
            {"id": call, "name": "save_contact_details",
             "args": {"name": name, "phone": phone, "email": email, "notes": None}}]},
        {"role": "tool", "tool_call_id": call, "tool_name": "save_contact_details",
         "text": json.dumps({"ok": True, "contact": {"name": name, "phone": phone,
                                                     "email": email},
                             "lead_id": uuid.uuid4().hex}, ensure_ascii=False)},
        {"role": "assistant", "text": "", "tool_calls": [
            {"id": book, "name": "book_appointment",
             "args": {"service": svc, "day": day, "time": f"{int(hour):02d}:00"}}]},
        {"role": "tool", "tool_call_id": book, "tool_name": "book_appointment",
         "text": json.dumps({"ok": True, "appointment": {
             "id": uuid.uuid4().hex, "service": svc,
             "start": f"{day}T{int(hour):02d}:00:00-03:00", "status": "confirmada"}},
             ensure_ascii=False)},
        {"role": "assistant", "text": f"¡Listo, {name.split()[0]}! Te reservé {svc} el martes "
                                      f"24/11 a las {int(hour):02d}:00. ¡Te esperamos!"},
    ]
    for extra in rng.sample(_EXTRA, 2):
        script += [{"role": "user", "text": extra},
                   {"role": "assistant", "text": "¡Claro! Cualquier cosa escribime."}]
    return script


def _populate(engine: object, n: int) -> None:
    from sqlmodel import Session

    from crm.models import Channel, Contact, Conversation, ConversationStatus, MessageRole
    from crm.seed import seed_demo
    from crm.services.conversations import add_message

    rng = random.Random(7)
    with Session(engine) as db:  # type: ignore[arg-type]
        tenant = seed_demo(db)
        db.commit()
        for i in range(n):
            name = f"{rng.choice(_FIRST)} {rng.choice(_LAST)}"
            phone = f"11 {rng.randint(2000, 6999)}-{rng.randint(1000, 9999)}"
            email = f"{name.split()[0].lower()}{i}@correo.test".replace("í", "i").replace(
                "ú", "u").replace("á", "a").replace("é", "e").replace("ó", "o")
            contact = Contact(tenant_id=tenant.id, name=name, phone=f"+54 9 {phone}",
                              email=email)
            db.add(contact)
            db.flush()
            conversation = Conversation(tenant_id=tenant.id, contact_id=contact.id,
                                        channel=Channel.web, external_id=uuid.uuid4().hex,
                                        status=ConversationStatus.cerrada)
            db.add(conversation)
            db.flush()
            for item in _script(rng, name, phone, email):
                add_message(db, conversation=conversation, role=MessageRole(str(item["role"])),
                            text=str(item.get("text", "")),
                            tool_calls=item.get("tool_calls"),  # type: ignore[arg-type]
                            tool_call_id=item.get("tool_call_id"),  # type: ignore[arg-type]
                            tool_name=item.get("tool_name"), flush=False)  # type: ignore[arg-type]
            if i % 100 == 99:
                db.commit()
        db.commit()


def _fill(engine: object, target: int) -> int:
    """Copy the ingested records under new keys until the corpus holds ``target`` rows."""
    from sqlalchemy import insert
    from sqlmodel import Session, func, select

    from crm.models import CorpusRecord, RecordStatus

    with Session(engine) as db:  # type: ignore[arg-type]
        seeds = db.exec(select(CorpusRecord).where(
            CorpusRecord.status == RecordStatus.ok)).all()
        have = int(db.exec(select(func.count()).select_from(CorpusRecord)).one())
        rows = [r.model_dump() for r in seeds]
    if not rows:
        raise SystemExit("no record was ingested; nothing to export")
    day = datetime(2026, 1, 1, tzinfo=UTC).date()
    with engine.begin() as conn:  # type: ignore[attr-defined]
        batch: list[dict[str, object]] = []
        for i in range(target - have):
            row = dict(rows[i % len(rows)])
            row["record_key"] = hashlib.sha256(f"bench-{i}".encode()).hexdigest()
            row["fingerprint"] = hashlib.sha256(f"fp-{i}".encode()).hexdigest()
            row["conversation_date"] = day + timedelta(days=i % 300)
            batch.append(row)
            if len(batch) == 5000:
                conn.execute(insert(CorpusRecord), batch)
                batch = []
        if batch:
            conn.execute(insert(CorpusRecord), batch)
    return target


def _child(fmt: str, db_url: str, out: str) -> None:
    from crm.db import get_engine
    from training_data import ExportOptions, export_corpus, parse_split

    engine = get_engine(db_url)
    start = time.perf_counter()
    result = export_corpus(engine, ExportOptions(format=fmt, splits=parse_split(
        "train=0.9,validation=0.1")), Path(out), progress=False)
    seconds = time.perf_counter() - start
    size = sum(p.stat().st_size for p in Path(out).iterdir())
    print(json.dumps({"records": result.records, "seconds": seconds, "bytes": size,
                      "maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--conversations", type=int, default=300)
    parser.add_argument("--export-records", type=int, default=100_000)
    parser.add_argument("--formats", default="openai,parquet")
    parser.add_argument("--keep", type=Path)
    parser.add_argument("--export-child", nargs=3, metavar=("FORMAT", "DB_URL", "OUT"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.export_child:
        _child(*args.export_child)
        return 0
    workdir = args.keep or Path(tempfile.mkdtemp(prefix="mostrador-corpus-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    db_url = f"sqlite:///{workdir / 'bench.db'}"
    os.environ.setdefault("MOSTRADOR_LOG_LEVEL", "WARNING")

    from crm.db import get_engine, init_db
    from crm.settings import Settings
    from training_data import Intake

    settings = Settings(env="test", database_url=db_url, llm="offline")
    engine = get_engine(db_url)
    init_db(engine)
    _populate(engine, args.conversations)
    intake = Intake(settings, engine)  # analyzers built before the clock starts
    start = time.perf_counter()
    report = intake.run()
    seconds = time.perf_counter() - start
    print(f"ingest: {report.seen} conversations in {seconds:.1f} s = "
          f"{report.seen / seconds:.1f} conversations/s (redaction, audit, dedup, writes); "
          f"outcomes {report.outcomes}")

    t = time.perf_counter()
    _fill(engine, args.export_records)
    print(f"fill: corpus at {args.export_records} records ({time.perf_counter() - t:.1f} s)")
    for fmt in args.formats.split(","):
        out = workdir / f"export-{fmt}"
        child = subprocess.run([sys.executable, __file__, "--export-child", fmt, db_url,
                                str(out)], capture_output=True, text=True, check=True)
        figures = json.loads(child.stdout.strip().splitlines()[-1])
        print(f"export {fmt}: {figures['records']} records in {figures['seconds']:.1f} s = "
              f"{figures['records'] / figures['seconds']:,.0f} records/s; peak RSS "
              f"{figures['maxrss_kb'] / 1024:.0f} MiB; output {figures['bytes'] / 2**20:.0f} MiB")
    print(f"files in {workdir}" if args.keep else "")
    return 0


if __name__ == "__main__":
    sys.exit(main())
