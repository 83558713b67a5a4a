"""The erasure engine: a person erased everywhere (database, raw webhooks, Redis, corpus),
tombstones that prove it without naming them, and everyone else left as they were."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import ForeignKey, delete, text
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, col, select

from agent.runtime import AgentRuntime
from channels.context import ChannelContext
from channels.durable.purge import rate_limit_hash
from channels.durable.streams import Queue
from channels.payload import parse_webhook
from channels.processing import process_event
from channels.receiver import receive
from crm.crypto import box_for
from crm.models import (
    AuditEvent,
    ChannelIdentity,
    ChannelKind,
    Contact,
    Conversation,
    CorpusRecord,
    ErasureTombstone,
    InboundKey,
    LeadAdIntake,
    Message,
    MessageRole,
    PrivacyRequest,
    RequestStatus,
    RequestType,
    SubjectKind,
    TombstoneKind,
    WebhookEvent,
    WebhookStatus,
)
from crm.services.audit import record_event, verify_chains
from crm.services.connections import create_connection
from crm.services.privacy import tombstone_keys
from crm.settings import Settings
from privacy.context import PrivacyContext
from privacy.erasure import ERASED_TABLES, erase_contacts
from privacy.locate import Subject, locate
from privacy.raw_events import SCRUBBED
from privacy.tombstones import read_tombstones, reapply_erasures
from tests.channels.conftest import APP_SECRET, NOW_TS, VERIFY, WA_PHONE_ID, WA_TOKEN
from tests.channels.payloads import messaging, signed, text_event
from tests.conftest import NOW
from tests.factories import make_demo
from tests.privacy.conftest import PHONE, WA_ID, Person, add_corpus_records, fresh
from tests.privacy.everywhere import (
    OTHER,
    PERSON,
    Backup,
    contacts_of,
    corpus_records_of,
    scan_database,
    scan_redis,
    seed_everywhere,
    wa_batch,
    wa_delivered,
)
from tests.support.graph_standin import GraphStandIn
from training_data.keys import corpus_keys


def _ctx(settings: Settings, engine: Engine, queue: Queue | None = None) -> PrivacyContext:
    return PrivacyContext.build(settings, engine, queue=queue)


def test_an_erased_person_is_found_nowhere_and_again_after_a_backup_restore(
        db_url: str, everywhere_settings: Settings, everywhere_runtime: AgentRuntime,
        engine: Engine, graph: GraphStandIn, everywhere_queue: Queue, redis_prefix: str,
        tmp_path: Path) -> None:
    """The issue's test: a person who chatted on the web and on WhatsApp, with a lead, an
    appointment and corpus records, is erased and found nowhere; everyone else is intact;
    a backup taken before comes back with them, and reapply_erasures erases them again."""
    settings, queue = everywhere_settings, everywhere_queue
    tenant = seed_everywhere(settings, everywhere_runtime, graph, queue)
    url = settings.redis_url or ""
    mine, theirs = contacts_of(engine, PERSON), contacts_of(engine, OTHER)
    # Her web chat typed her phone (a claim) before WhatsApp vouched for it: two contacts,
    # and an erasure by her phone finds both.
    assert len(mine) == 2 and theirs
    with Session(engine) as db:
        located = locate(db, tenant_id=tenant.id, subject=Subject(SubjectKind.phone,
                                                                  PERSON.phone), claims=True)
        assert sorted(c.id for c in located) == sorted(mine)
    with Session(engine, expire_on_commit=False) as db:  # staff read the contact; an access
        # request resolved to it
        record_event(db, action="crm.contact.read", actor_kind="user", tenant_id=tenant.id,
                     resource_type="contact", resource_ids=mine)
        access = PrivacyRequest(tenant_id=tenant.id, type=RequestType.access,
                                status=RequestStatus.completed, subject_kind=SubjectKind.phone,
                                subject_enc=box_for(settings).encrypt(PERSON.phone),
                                subject_hint="+54911****0923", contact_ids=mine,
                                deadline_at=NOW)
        db.add(access)
        db.commit()
    needles = PERSON.needles()
    found = scan_database(engine, needles)
    for table in ("contact", "message", "webhookevent", "leadadintake", "inboundkey"):
        assert any(hit.startswith(f"{table}.") for hit in found), (table, found)
    in_redis = scan_redis(url, redis_prefix, needles)
    assert any(":in:" in hit for hit in in_redis) and any(":dlq" in hit for hit in in_redis)
    rate_keys = [f"{redis_prefix}:rl:c:{rate_limit_hash('demo', k)}:*" for k in
                 (f"web:{PERSON.session}", f"whatsapp:{WA_PHONE_ID}:{PERSON.wa_id}")]
    assert all(list(queue.client.scan_iter(p)) for p in rate_keys)
    assert corpus_records_of(engine, settings, mine) >= 2
    others_before = scan_database(engine, OTHER.needles())
    others_corpus = corpus_records_of(engine, settings, theirs)
    assert others_corpus >= 1
    backup = Backup(db_url, engine, tmp_path)
    backup.take()

    ctx = _ctx(settings, engine, queue)
    subject = Subject(SubjectKind.phone, PERSON.phone)
    report = erase_contacts(ctx, tenant_id=tenant.id, contact_ids=mine, request_id="r-erase-1",
                            identifiers=subject.identifiers())

    assert scan_database(engine, needles) == []
    assert scan_database(ctx.ledger, needles) == []
    assert scan_redis(url, redis_prefix, needles) == []
    assert not any(list(queue.client.scan_iter(p)) for p in rate_keys)
    assert corpus_records_of(engine, settings, mine) == 0
    counts = report.as_dict()
    assert counts["contacts"] == 2 and report.rows["message"] > 0
    assert report.rows["leadadintake"] == 1 and report.rows["appointment"] == 1
    assert report.webhook_events >= 5 and report.redis_keys >= 2
    assert report.corpus_records >= 2 and report.tombstones >= 6
    assert "Florencia" not in json.dumps(counts)
    # the tombstones: in both databases, keyed hashes of every identifier, nothing else
    keys = tombstone_keys(settings)[0]
    expected = {keys.of(tenant.id, TombstoneKind.phone, PERSON.phone),
                keys.of(tenant.id, TombstoneKind.email, PERSON.email),
                keys.of(tenant.id, TombstoneKind.identity, f"web:{PERSON.session}"),
                keys.of(tenant.id, TombstoneKind.identity, f"whatsapp:{PERSON.wa_id}"),
                *(keys.of(tenant.id, TombstoneKind.contact, c) for c in mine),
                *(corpus_keys(settings).subject_key(c) for c in mine)}
    for where in (engine, ctx.ledger):
        stones = read_tombstones(where, tenant.id)
        assert expected <= {t.key for t in stones}
        assert {t.request_id for t in stones} == {"r-erase-1"}
        assert len({t.erased_on for t in stones}) == 1
        assert set(ErasureTombstone.model_fields) == {"id", "tenant_id", "kind", "key",
                                                       "request_id", "erased_on"}
    # everyone else: the same data as before (their half of the shared batch included)
    assert scan_database(engine, OTHER.needles()) == others_before
    assert corpus_records_of(engine, settings, theirs) == others_corpus
    with Session(engine) as db:
        request = db.get(PrivacyRequest, access.id)
        assert request is not None and request.subject_enc is None
        assert request.subject_hint == SCRUBBED and request.contact_ids == mine
        assert db.exec(select(AuditEvent).where(AuditEvent.action == "crm.contact.read")).one()
        assert all(report.ok for report in verify_chains(db))

    # a backup from before the erasure is restored: the person is back, the ledger knows
    ledger_keys = {t.key for t in read_tombstones(ctx.ledger)}
    backup.restore()
    assert scan_database(engine, needles)
    assert corpus_records_of(engine, settings, mine) >= 2
    assert read_tombstones(engine) == []

    again = reapply_erasures(ctx, actor_kind="cli")

    assert again.contacts_erased == 2 and again.copied_to_crm == len(ledger_keys)
    assert again.corpus_records >= 2 and again.tombstones == len(ledger_keys)
    assert scan_database(engine, needles) == []
    assert scan_redis(url, redis_prefix, needles) == []
    assert corpus_records_of(engine, settings, mine) == 0
    assert {t.key for t in read_tombstones(engine)} == ledger_keys
    assert scan_database(engine, OTHER.needles()) == others_before
    with Session(engine) as db:
        [event] = db.exec(select(AuditEvent).where(
            AuditEvent.action == "privacy.reapply_erasures")).all()
        assert event.actor_kind == "cli" and event.tenant_id == tenant.id
        assert set(event.details) == {"tombstones", "contacts_erased", "identifiers_erased"}
        assert all(chain.ok for chain in verify_chains(db))
    twice = reapply_erasures(ctx)
    assert (twice.contacts_erased, twice.copied_to_crm, twice.copied_to_ledger,
            twice.corpus_records) == (0, 0, 0, 0)


def test_erasing_a_phone_no_contact_has_writes_tombstones_and_drops_its_raw_webhooks(
        everywhere_settings: Settings, engine: Engine, db: Session) -> None:
    """A WhatsApp message was stored, never processed: no contact, but a raw body."""
    tenant = make_demo(db)
    create_connection(db, box=box_for(everywhere_settings), tenant=tenant,
                      kind=ChannelKind.whatsapp, account_id=WA_PHONE_ID,
                      access_token=WA_TOKEN, verify_token=VERIFY, app_secret=APP_SECRET)
    db.commit()
    raw, headers = signed(wa_batch((PERSON, "wamid.x.1", "Hola, ¿tienen turnos?")), APP_SECRET)
    stored = receive(db, settings=everywhere_settings, box=box_for(everywhere_settings),
                     body=raw, signature=headers["X-Hub-Signature-256"])
    assert stored.event_id is not None
    ctx = _ctx(everywhere_settings.model_copy(update={"redis_url": None}), engine)
    named = Subject(SubjectKind.phone, PERSON.phone).identifiers()
    report = erase_contacts(ctx, tenant_id=tenant.id, contact_ids=[], request_id="r-nobody",
                            identifiers=named)
    assert report.contacts == 0 and report.webhook_events == 1
    assert report.tombstones == len(named) and (TombstoneKind.phone, PERSON.phone) in named
    db.expire_all()
    assert db.get(WebhookEvent, stored.event_id) is None
    assert db.exec(select(InboundKey)).all() == []
    keys = tombstone_keys(everywhere_settings)[0]
    for where in (engine, ctx.ledger):
        assert {(t.kind, t.key) for t in read_tombstones(where, tenant.id)} == {
            (kind, keys.of(tenant.id, kind, value)) for kind, value in named}
    assert scan_database(engine, PERSON.needles()) == []


def test_erasing_twice_is_harmless(privacy_ctx: PrivacyContext, person: Person,
                                   db: Session) -> None:
    first = erase_contacts(privacy_ctx, tenant_id=person.tenant.id,
                           contact_ids=[person.contact.id], request_id="r-1",
                           identifiers=Subject(SubjectKind.phone, PHONE).identifiers())
    assert first.contacts == 1 and first.tombstones > 0
    stones = len(read_tombstones(privacy_ctx.ledger))
    again = erase_contacts(privacy_ctx, tenant_id=person.tenant.id,
                           contact_ids=[person.contact.id], request_id="r-2",
                           identifiers=Subject(SubjectKind.phone, PHONE).identifiers())
    assert again.contacts == 0 and sum(again.rows.values()) == 0 and again.tombstones == 0
    assert len(read_tombstones(privacy_ctx.ledger)) == stones
    assert len(read_tombstones(privacy_ctx.engine)) == stones
    db.expire_all()
    assert db.get(Contact, person.other.id) is not None
    assert db.exec(select(Message).where(
        Message.conversation_id == person.other_conversation.id)).all()


def test_contacts_of_another_business_are_not_erased(privacy_ctx: PrivacyContext,
                                                     person: Person, db: Session) -> None:
    add_corpus_records(db, privacy_ctx.settings, person)
    elsewhere = make_demo(db)
    report = erase_contacts(privacy_ctx, tenant_id=elsewhere.id,
                            contact_ids=[person.contact.id], request_id="r-x",
                            identifiers=[(TombstoneKind.contact, person.other.id)])
    assert (report.contacts, report.corpus_records, report.tombstones) == (0, 0, 0)
    db.expire_all()
    assert db.get(Contact, person.contact.id) is not None
    assert len(db.exec(select(CorpusRecord)).all()) == 3


def test_another_contact_that_typed_the_persons_phone_and_email_keeps_no_copy(
        privacy_ctx: PrivacyContext, person: Person, db: Session) -> None:
    person.other.claimed_phone, person.other.claimed_email = PHONE, person.contact.email
    db.add(person.other)
    db.commit()
    report = erase_contacts(privacy_ctx, tenant_id=person.tenant.id,
                            contact_ids=[person.contact.id], request_id="r-claims")
    assert report.rows["contact_claims"] == 2
    fresh(db)
    other = db.get(Contact, person.other.id)
    assert other is not None and other.name == person.other.name
    assert (other.claimed_phone, other.claimed_email) == (None, None)


def test_a_mixed_webhook_batch_keeps_the_other_persons_items(
        everywhere_settings: Settings, everywhere_runtime: AgentRuntime, engine: Engine,
        graph: GraphStandIn, db: Session) -> None:
    """Meta batched both people (and a status of a reply to the person): the body is
    rewritten, the other person's message is still processed and answered, hers is not."""
    settings = everywhere_settings.model_copy(update={"redis_url": None})
    tenant = make_demo(db)
    create_connection(db, box=box_for(settings), tenant=tenant, kind=ChannelKind.whatsapp,
                      account_id=WA_PHONE_ID, access_token=WA_TOKEN, verify_token=VERIFY,
                      app_secret=APP_SECRET)
    db.commit()
    batch = wa_batch((PERSON, "wamid.m.1", f"Soy {PERSON.name}, mi mail es {PERSON.email}"),
                     (OTHER, "wamid.m.2", f"Hola, soy {OTHER.first}; ¿{PERSON.first} "
                                          f"Quiroga ya reservó? Su cel es {PERSON.typed}"))
    batch["entry"][0]["changes"].append(wa_delivered("wamid.out.9", PERSON.wa_id)
                                        ["entry"][0]["changes"][0])
    raw, headers = signed(batch, APP_SECRET)
    stored = receive(db, settings=settings, box=box_for(settings), body=raw,
                     signature=headers["X-Hub-Signature-256"])
    assert stored.event_id is not None and len(stored.work) == 3
    ctx = _ctx(settings, engine)
    report = erase_contacts(ctx, tenant_id=tenant.id, contact_ids=[], request_id="r-mixed",
                            identifiers=Subject(SubjectKind.phone, PERSON.phone).identifiers())
    assert report.webhook_events == 1 and report.rows["webhookevent"] == 0
    db.expire_all()
    event = db.get(WebhookEvent, stored.event_id)
    assert event is not None
    items = parse_webhook(json.loads(event.body)).items
    assert len(items) == 3  # positions unchanged: queued (event, index) pairs stay right
    assert items[1].sender_id == OTHER.wa_id  # type: ignore[union-attr]
    assert items[1].text == (f"Hola, soy {OTHER.first}; ¿{SCRUBBED} ya reservó? "  # type: ignore[union-attr]
                             f"Su cel es {SCRUBBED}")
    assert items[0].sender_id == SCRUBBED and items[0].text == SCRUBBED  # type: ignore[union-attr]
    assert items[2].message_id == SCRUBBED  # type: ignore[union-attr]
    assert [k.sender_id for k in db.exec(select(InboundKey))] == [OTHER.wa_id]
    assert scan_database(engine, PERSON.needles()) == []
    assert OTHER.name in json.loads(event.body)["entry"][0]["changes"][0]["value"][
        "contacts"][1]["profile"]["name"]
    db.commit()
    channel_ctx = ChannelContext.build(settings, engine, everywhere_runtime)
    try:
        process_event(channel_ctx, stored.event_id)
    finally:
        channel_ctx.graph.close()
    assert [s.body["to"] for s in graph.sends() if s.body] == [OTHER.wa_id]
    db.expire_all()
    assert db.get(WebhookEvent, stored.event_id).status == WebhookStatus.processed  # type: ignore[union-attr]
    [conversation] = db.exec(select(Conversation)).all()
    assert conversation.external_id == OTHER.wa_id


def test_instagram_items_of_the_person_and_echoes_to_them_are_scrubbed(
        everywhere_settings: Settings, engine: Engine, db: Session) -> None:
    settings = everywhere_settings.model_copy(update={"redis_url": None})
    tenant = make_demo(db)
    create_connection(db, box=box_for(settings), tenant=tenant, kind=ChannelKind.instagram,
                      account_id="17841400000001", access_token=WA_TOKEN,
                      verify_token=VERIFY, app_secret=APP_SECRET)
    db.commit()
    hers, his, page = "7001002003004005", "7009008007006005", "17841400000001"
    body = messaging("instagram", page,
                     text_event(hers, page, "ig_m_1", f"Soy {PERSON.name}", NOW_TS * 1000),
                     text_event(his, page, "ig_m_2", "¿Tienen turnos?", NOW_TS * 1000 + 1),
                     {"sender": {"id": page}, "recipient": {"id": hers},
                      "timestamp": NOW_TS * 1000 + 2,
                      "message": {"mid": "ig_m_3", "is_echo": True,
                                  "text": f"¡Hola {PERSON.first}!"}})
    raw, headers = signed(body, APP_SECRET)
    stored = receive(db, settings=settings, box=box_for(settings), body=raw,
                     signature=headers["X-Hub-Signature-256"])
    assert stored.event_id is not None
    erase_contacts(_ctx(settings, engine), tenant_id=tenant.id, contact_ids=[],
                   request_id="r-ig", identifiers=[(TombstoneKind.identity, f"instagram:{hers}")])
    db.expire_all()
    event = db.get(WebhookEvent, stored.event_id)
    assert event is not None
    texts = [m.get("message", {}).get("text") for m in json.loads(event.body)["entry"][0][
        "messaging"]]
    assert texts == [SCRUBBED, "¿Tienen turnos?", SCRUBBED]
    assert hers not in event.body and PERSON.first not in event.body
    assert [k.sender_id for k in db.exec(select(InboundKey))] == [his]


def test_with_a_separate_corpus_database_its_records_go_too(
        db_url: str, settings: Settings, engine: Engine, person: Person, db: Session,
        tmp_path: Path) -> None:
    separate = settings.model_copy(update={
        "corpus_url": f"sqlite:///{tmp_path / 'corpus.db'}",
        "erasure_ledger_url": f"sqlite:///{tmp_path / 'ledger.db'}"})
    ctx = _ctx(separate, engine)
    assert ctx.corpus is not engine
    with Session(ctx.corpus) as cdb:
        add_corpus_records(cdb, separate, person)
    report = erase_contacts(ctx, tenant_id=person.tenant.id, contact_ids=[person.contact.id],
                            request_id="r-corpus")
    assert report.corpus_records == 2
    with Session(ctx.corpus) as cdb:
        left = cdb.exec(select(CorpusRecord.subject_key)).all()
    assert left == [corpus_keys(separate).subject_key(person.other.id)]


def test_every_table_that_holds_a_contacts_rows_is_erased_explicitly() -> None:
    """A new table with a foreign key to one of the erased tables must join ERASED_TABLES
    (privacy.erasure): the scan of the end-to-end test would miss rows it never wrote."""
    erased = set(ERASED_TABLES)
    referencing = set()
    for table in SQLModel.metadata.tables.values():
        for fk in table.foreign_keys:
            assert isinstance(fk, ForeignKey)
            if fk.column.table.name in erased - {"leadadintake"}:
                referencing.add(table.name)
    assert referencing <= erased, referencing - erased


def test_a_contacts_foreign_keys_cascade_on_both_backends(person: Person, db: Session,
                                                          engine: Engine) -> None:
    """What the schema does on its own when only the contact row goes (the erasure does not
    rely on it, but retention and tenant deletion do)."""
    with Session(engine) as session:
        session.add(LeadAdIntake(tenant_id=person.tenant.id, leadgen_id="lg-1", page_id="p",
                                 lead_id=person.lead.id, answers={"email": "x@y.test"}))
        session.commit()
        session.exec(delete(Contact).where(col(Contact.id) == person.contact.id))  # type: ignore[call-overload]
        session.commit()
    db.expire_all()
    for table in ("channelidentity", "conversation", "lead", "appointment", "slothold"):
        with engine.connect() as conn:
            left = conn.execute(text(f'SELECT COUNT(*) FROM "{table}"')).scalar()
        assert left == (1 if table in ("conversation", "lead") else 0), table  # the other's
    assert db.exec(select(Message).where(Message.role == MessageRole.user)).all()
    assert db.exec(select(ChannelIdentity)).all() == []
    [intake] = db.exec(select(LeadAdIntake)).all()
    assert intake.lead_id is None and intake.answers  # SET NULL: the answers would stay
    assert WA_ID not in str(db.exec(select(Conversation.external_id)).all())
