"""Alembic environment: the tables are the SQLModel metadata of ``crm.models``.

Run through ``crm.migrate`` (``init_db`` upgrades every database it opens); developers
write a new revision with ``.venv/bin/alembic revision --autogenerate -m "..."`` from the
repository root (``alembic.ini`` there points here), then read and edit what it wrote.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import engine_from_config, pool
from sqlmodel import SQLModel

import crm.models  # noqa: F401  - registers the tables
from crm.db import normalize_url

config = context.config
target_metadata = SQLModel.metadata


def run_migrations_offline() -> None:
    context.configure(url=normalize_url(config.get_main_option("sqlalchemy.url") or ""),
                      target_metadata=target_metadata, literal_binds=True,
                      render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:  # crm.migrate passes its own connection
        context.configure(connection=connection, target_metadata=target_metadata,
                          render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    url = normalize_url(config.get_main_option("sqlalchemy.url") or "")
    engine = engine_from_config({"sqlalchemy.url": url}, prefix="sqlalchemy.",
                                poolclass=pool.NullPool)
    with engine.connect() as conn:
        context.configure(connection=conn, target_metadata=target_metadata,
                          render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
