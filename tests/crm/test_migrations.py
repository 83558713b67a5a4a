"""Schema migrations (Alembic): the migrated schema is the models' schema, and a database
made before this release keeps its rows (tokens survive the `user` table rebuild on SQLite,
audit events become the verifiable chain "v1", tokens get an expiry)."""

from __future__ import annotations

from datetime import UTC, datetime

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, select

from crm.db import get_engine, init_db
from crm.migrate import _config, current_revision, head_revision
from crm.models import ApiToken, AuditEvent, Lead, Role, User
from crm.services.audit import verify_chains


def _blank(blank_db_url: str) -> Engine:
    return get_engine(blank_db_url)  # a database with no tables


def _upgrade_to(engine: Engine, revision: str) -> None:
    from alembic import command

    with engine.begin() as conn:
        command.upgrade(_config(conn), revision)


def test_the_migrations_build_exactly_the_models_schema(blank_db_url: str) -> None:
    engine = _blank(blank_db_url)
    _upgrade_to(engine, "head")
    with engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
    # SQLite cannot tell a VARCHAR from the enum type SQLModel declares: ignore type-only
    # differences there; every table, column, index and nullability must match.
    if engine.dialect.name == "sqlite":
        diffs = [d for d in diffs if not (isinstance(d, list) and d and d[0][0] == "modify_type")]
    assert diffs == []


def test_a_database_from_before_migrations_is_upgraded_keeping_its_rows(
        blank_db_url: str) -> None:
    engine = _blank(blank_db_url)
    _upgrade_to(engine, "0001")
    created = datetime(2026, 10, 1, tzinfo=UTC)
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE alembic_version"))  # as create_all left them
        conn.execute(text(
            "INSERT INTO tenant (id, name, slug, timezone, locale, currency, business_hours, "
            "slot_step_minutes, created_at) VALUES ('t1', 'Negocio', 'negocio', "
            "'America/Argentina/Buenos_Aires', 'es-AR', 'ARS', '{}', 30, :at)"), {"at": created})
        conn.execute(text(
            'INSERT INTO "user" (id, tenant_id, email, name, role, active, created_at) '
            "VALUES ('u1', 't1', 'ana@staff.test', 'Ana', 'seller', true, :at)"),
            {"at": created})
        conn.execute(text(
            "INSERT INTO apitoken (id, user_id, token_hash, created_at) "
            "VALUES ('k1', 'u1', :hash, :at)"), {"hash": "a" * 64, "at": created})
        conn.execute(text(
            "INSERT INTO contact (id, tenant_id, created_at, updated_at) "
            "VALUES ('c1', 't1', :at, :at)"), {"at": created})
        conn.execute(text(
            "INSERT INTO lead (id, tenant_id, contact_id, source, stage, assigned_to, "
            "temperature, created_at, updated_at) VALUES ('l1', 't1', 'c1', 'web', 'nuevo', "
            "'u1', 'tibio', :at, :at)"), {"at": created})
        from crm.models import LEGACY_CHAIN  # noqa: F401  - documents where they go
        from crm.services.audit import _canonical  # the v1 digest, as issue 6 wrote it

        prev = ""
        import hashlib

        for n in range(3):
            body = {"at": created.isoformat(timespec="microseconds"), "tenant_id": "t1",
                    "actor_kind": "cli", "actor_id": None, "action": "corpus.export",
                    "resource_type": "corpus", "resource_ids": [], "details": {"n": n},
                    "source": None}
            digest = hashlib.sha256((prev + _canonical(body)).encode()).hexdigest()
            conn.execute(text(
                "INSERT INTO auditevent (at, tenant_id, actor_kind, action, resource_type, "
                "resource_ids, details, prev_hash, hash) VALUES (:at, 't1', 'cli', "
                "'corpus.export', 'corpus', '[]', :details, :prev, :hash)"),
                {"at": created, "details": f'{{"n": {n}}}', "prev": prev, "hash": digest})
            prev = digest
    init_db(engine)
    assert current_revision(engine) == head_revision()
    with Session(engine) as db:
        token = db.exec(select(ApiToken)).one()  # not cascaded away by the rebuild of `user`
        assert token.expires_at is not None and token.expires_at > datetime.now(UTC)
        assert db.exec(select(Lead)).one().assigned_to == "u1"
        assert [r.ok for r in verify_chains(db)] == [True]
        assert [e.chain for e in db.exec(select(AuditEvent))] == ["v1"] * 3
        db.add(User(tenant_id=None, email="op@mostrador.test", name="Soporte",
                    role=Role.operator))
        db.commit()  # operators have no business: the column is nullable now
    assert "privacyrequest" in inspect(engine).get_table_names()


def test_init_db_is_idempotent_and_stamps_fresh_databases(blank_db_url: str) -> None:
    engine = _blank(blank_db_url)
    init_db(engine)
    init_db(engine)
    assert current_revision(engine) == head_revision()
