"""redaction: per-business countries of the identifier recognizers

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07 23:35:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """`tenanttrainingsettings.redaction_countries`: empty (every country) for existing rows."""
    with op.batch_alter_table('tenanttrainingsettings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('redaction_countries', sa.JSON(), nullable=False,
                                      server_default=sa.text("'[]'")))


def downgrade() -> None:
    with op.batch_alter_table('tenanttrainingsettings', schema=None) as batch_op:
        batch_op.drop_column('redaction_countries')
