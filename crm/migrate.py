"""Bring a database to the current schema with Alembic (``crm/migrations``).

- An empty database gets every table at once (``create_all``) and is stamped at the head
  revision: the fast path, taken by every fresh install and every test database.
- A database that has Alembic's version table is upgraded to the head.
- A database made before migrations existed (tables, no version table) is upgraded from
  the start: the baseline keeps the tables it finds and creates the missing ones, then the
  later revisions alter them.
"""

from __future__ import annotations

import threading
from functools import lru_cache
from importlib import resources
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect
from sqlalchemy.engine import Connection, Engine
from sqlmodel import SQLModel

_lock = threading.Lock()


def _config(connection: Connection | None = None) -> Config:
    config = Config()
    location = Path(str(resources.files("crm").joinpath("migrations")))
    config.set_main_option("script_location", str(location))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


@lru_cache(maxsize=1)
def _scripts() -> ScriptDirectory:
    return ScriptDirectory.from_config(_config())


def head_revision() -> str:
    head = _scripts().get_current_head()
    assert head is not None, "crm/migrations has no revision"
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine) -> None:
    """Create or migrate the CRM schema of ``engine`` to the head revision (idempotent)."""
    import crm.models  # noqa: F401  - registers the tables

    with _lock:
        with engine.begin() as conn:
            tables = set(inspect(conn).get_table_names())
            if "alembic_version" not in tables and not (tables - {"alembic_version"}):
                SQLModel.metadata.create_all(conn)
                MigrationContext.configure(conn).stamp(_scripts(), head_revision())
                return
            if MigrationContext.configure(conn).get_current_revision() == head_revision():
                return
        _run_upgrade(engine)


def _run_upgrade(engine: Engine) -> None:
    with engine.connect() as conn:
        sqlite = conn.dialect.name == "sqlite"
        if sqlite:
            # SQLite alters a table by rebuilding it; with foreign keys on, dropping the old
            # table would cascade (deleting every token of the users table, say). The pragma
            # works only outside a transaction, hence on the raw connection, before BEGIN.
            conn.connection.dbapi_connection.execute(  # type: ignore[union-attr]
                "PRAGMA foreign_keys=OFF")
        try:
            with conn.begin():
                command.upgrade(_config(conn), "head")
                if sqlite:
                    broken = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if broken:
                        raise RuntimeError(f"migration left {len(broken)} dangling references")
        finally:
            if sqlite:
                conn.connection.dbapi_connection.execute(  # type: ignore[union-attr]
                    "PRAGMA foreign_keys=ON")
