"""Database engines and sessions (SQLite by default, PostgreSQL in production)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.types import DateTime, TypeDecorator
from sqlmodel import Session, create_engine


class UTCDateTime(TypeDecorator[datetime]):
    """Stores aware datetimes as UTC and always returns them aware (UTC), on every backend.

    SQLite keeps no offset, so a naive value read back is UTC by construction.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column; attach a timezone")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def normalize_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL URLs written the usual way."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url.removeprefix("postgres://")
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return url


BUSY_TIMEOUT_MS = 30_000


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    # Let SQLAlchemy emit BEGIN itself (see _sqlite_begin) and SAVEPOINTs work.
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    # Deleted content is overwritten with zeros (an erasure leaves no bytes in the file;
    # the WAL is truncated after it: checkpoint()). Debian builds default to it; say so.
    cur.execute("PRAGMA secure_delete=ON")
    cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cur.close()


class _WriterQueue:
    """One SQLite writer at a time within this process, waiting in line.

    SQLite admits one writer; contenders otherwise poll under the busy timeout with sleeps
    that grow to 100 ms, which is unfair and gives turns a multi-second tail. A lock taken
    when a write transaction begins and released when it ends makes them queue instead.
    (Other processes still wait through the busy timeout.)
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()

    def begin(self, conn: Any) -> None:
        # IMMEDIATE takes the write lock up front: a deferred transaction that read first and
        # writes later fails at once with "database is locked" under concurrency, whatever
        # the busy timeout. Long-lived readers opt out with reader_engine().
        if conn.get_execution_options().get("sqlite_deferred"):
            conn.exec_driver_sql("BEGIN")
            return
        self._lock.acquire()
        conn.info["mostrador_writer"] = True
        try:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            self.end(conn)
            raise

    def end(self, conn: Any) -> None:
        self._release(conn.info)

    def checkin(self, _dbapi_conn: Any, record: Any) -> None:
        # A connection back in the pool holds no transaction, whatever path closed it.
        self._release(record.info)

    def _release(self, info: dict[str, Any]) -> None:
        if info.pop("mostrador_writer", False):
            self._lock.release()


@lru_cache(maxsize=8)
def get_engine(url: str) -> Engine:
    """One engine per database URL for the life of the process.

    Errors never quote bound parameters (`hide_parameters`): they are message texts, phones
    and names, and an error's message reaches logs and tracebacks.
    """
    url = normalize_url(url)
    if url.startswith("sqlite"):
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 30}, pool_size=10,
            max_overflow=20, hide_parameters=True,
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        queue = _WriterQueue()
        event.listen(engine, "begin", queue.begin)
        event.listen(engine, "commit", queue.end)
        event.listen(engine, "rollback", queue.end)
        event.listen(engine.pool, "checkin", queue.checkin)
    else:
        engine = create_engine(url, pool_size=10, max_overflow=20, pool_pre_ping=True,
                               hide_parameters=True)
    return engine


def reader_engine(engine: Engine) -> Engine:
    """The same pool, with SQLite transactions that do not take the write lock up front.

    For sessions that mostly read and may stay open (tests, reports); on PostgreSQL it is
    the engine unchanged.
    """
    if engine.dialect.name != "sqlite":
        return engine
    return engine.execution_options(sqlite_deferred=True)


def checkpoint(engine: Engine, *, attempts: int = 12) -> bool:
    """SQLite: copy the write-ahead log into the database file and truncate the log, so
    what was just deleted (secure_delete zeroes it in the file) leaves no copy in the
    `-wal` file. Retries while a reader still uses older pages; False if it never could.
    A no-op (True) on PostgreSQL, whose deleted rows go with VACUUM (see the README)."""
    if engine.dialect.name != "sqlite":
        return True
    for attempt in range(attempts):
        raw = engine.raw_connection()  # outside any transaction (none is begun on it)
        cursor = raw.cursor()
        try:
            # TRUNCATE waits in the busy handler for readers of older snapshots: briefly
            # here, then retried, so a long read never holds the caller for minutes.
            cursor.execute("PRAGMA busy_timeout=100")
            busy = cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        finally:
            cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            raw.close()
        if busy is not None and busy[0] == 0:
            return True
        time.sleep(min(0.05 * 2 ** attempt, 0.5))
    return False


def init_db(engine: Engine) -> None:
    """Create the tables of an empty database, or migrate an existing one (crm.migrate)."""
    from crm.migrate import upgrade

    upgrade(engine)


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A session that commits on success and rolls back on error."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
