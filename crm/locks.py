"""Transaction-scoped locks on a name, for check-then-write steps that must not interleave.

PostgreSQL: `pg_advisory_xact_lock(hashtext(name))`, held until the transaction ends (commit
or rollback). A statement run after the lock is taken sees what the previous holder
committed (READ COMMITTED takes a new snapshot per statement), so "read the current state,
then write" under the lock is race-free. SQLite needs nothing: writing transactions begin
IMMEDIATE (crm.db), so one writer runs at a time already.

Take such locks in one order (a coarser name before a finer one) to avoid deadlocks.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlmodel import Session


def lock_name(db: Session, name: str) -> None:
    """Hold the lock `name` until the current transaction ends (PostgreSQL; see above)."""
    if db.get_bind().dialect.name == "postgresql":
        db.exec(text("SELECT pg_advisory_xact_lock(hashtext(:name))"),  # type: ignore[call-overload]
                params={"name": name})
