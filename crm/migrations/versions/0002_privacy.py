"""privacy: roles, scoped tokens, audit chains, requests, consents, retention, tombstones

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-04 13:41:56.620942
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import crm.db

TOKEN_GRACE_DAYS = 90  # tokens issued before expiry existed get this long from the upgrade

revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """New tables for privacy; scoped, expiring tokens; audit chains; operators (no tenant).

    Hand-edited: existing rows get defaults (legacy audit events become the chain "v1",
    numbered in id order; legacy tokens expire TOKEN_GRACE_DAYS after the upgrade), and on
    PostgreSQL the native enum `role` gains "operator".
    """
    bind = op.get_bind()
    op.create_table('erasuretombstone',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('tenant_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('kind', sa.Enum('phone', 'email', 'identity', 'contact', 'corpus_subject', name='tombstonekind'), nullable=False),
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('request_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('erased_on', sa.Date(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('erasuretombstone', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_erasuretombstone_key'), ['key'], unique=False)
        batch_op.create_index(batch_op.f('ix_erasuretombstone_request_id'), ['request_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_erasuretombstone_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('privacyrequest',
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('tenant_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('type', sa.Enum('access', 'portability', 'rectify', 'erase', 'restrict', 'object', 'withdraw_consent', name='requesttype'), nullable=False),
    sa.Column('status', sa.Enum('pending', 'completed', 'failed', 'cancelled', name='requeststatus'), nullable=False),
    sa.Column('subject_kind', sa.Enum('phone', 'email', 'contact_id', name='subjectkind'), nullable=False),
    sa.Column('subject_enc', sa.Text(), nullable=True),
    sa.Column('params_enc', sa.Text(), nullable=True),
    sa.Column('options', sa.JSON(), nullable=False),
    sa.Column('subject_hint', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('contact_ids', sa.JSON(), nullable=False),
    sa.Column('result', sa.JSON(), nullable=False),
    sa.Column('source', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('requested_by', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('created_at', crm.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('due_at', crm.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('deadline_at', crm.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('completed_at', crm.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('download_until', crm.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('error', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('privacyrequest', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_privacyrequest_due_at'), ['due_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_privacyrequest_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_privacyrequest_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('tenantprivacysettings',
    sa.Column('conversation_retention_days', sa.Integer(), nullable=False),
    sa.Column('lead_retention_days', sa.Integer(), nullable=False),
    sa.Column('expired_contact_action', sa.Enum('anonymize', 'delete', name='expiredcontactaction'), nullable=False),
    sa.Column('raw_event_retention_days', sa.Integer(), nullable=False),
    sa.Column('minor_age', sa.Integer(), nullable=False),
    sa.Column('minor_review_hours', sa.Float(), nullable=False),
    sa.Column('erasure_deadline_hours', sa.Integer(), nullable=False),
    sa.Column('request_deadline_days', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('tenant_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('updated_at', crm.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('tenant_id')
    )
    op.create_table('contactconsent',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contact_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('tenant_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('purpose', sa.Enum('training', 'marketing', name='consentpurpose'), nullable=False),
    sa.Column('granted', sa.Boolean(), nullable=False),
    sa.Column('source', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('updated_at', crm.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['contact_id'], ['contact.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('contact_id', 'purpose')
    )
    with op.batch_alter_table('contactconsent', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contactconsent_contact_id'), ['contact_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_contactconsent_tenant_id'), ['tenant_id'], unique=False)

    with op.batch_alter_table('apitoken', schema=None) as batch_op:
        batch_op.add_column(sa.Column('scopes', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('label', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True))
        batch_op.add_column(sa.Column('created_by', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
        batch_op.add_column(sa.Column('expires_at', crm.db.UTCDateTime(timezone=True), nullable=True))
    grace = datetime.now(UTC) + timedelta(days=TOKEN_GRACE_DAYS)
    tokens = sa.table('apitoken', sa.column('expires_at', crm.db.UTCDateTime(timezone=True)),
                      sa.column('revoked_at', crm.db.UTCDateTime(timezone=True)))
    op.execute(tokens.update().where(tokens.c.expires_at.is_(None),
                                     tokens.c.revoked_at.is_(None)).values(expires_at=grace))

    with op.batch_alter_table('auditevent', schema=None) as batch_op:
        batch_op.add_column(sa.Column('chain', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False, server_default='v1'))
        batch_op.add_column(sa.Column('seq', sa.Integer(), nullable=False, server_default='0'))
    events = sa.table('auditevent', sa.column('id', sa.Integer()), sa.column('seq', sa.Integer()))
    ids = [row[0] for row in bind.execute(sa.select(events.c.id).order_by(events.c.id))]
    for seq, event_id in enumerate(ids, start=1):
        op.execute(events.update().where(events.c.id == event_id).values(seq=seq))
    with op.batch_alter_table('auditevent', schema=None) as batch_op:
        batch_op.alter_column('chain', server_default=None)
        batch_op.alter_column('seq', server_default=None)
        batch_op.create_index('ux_auditevent_chain_seq', ['chain', 'seq'], unique=True)

    with op.batch_alter_table('contactpreference', schema=None) as batch_op:
        batch_op.add_column(sa.Column('processing_restricted', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('restricted_at', crm.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('minor_flagged_at', crm.db.UTCDateTime(timezone=True), nullable=True))

    if bind.dialect.name == 'postgresql':
        op.execute("ALTER TYPE role ADD VALUE IF NOT EXISTS 'operator'")
    # SQLite stores the role as text without a check: nothing to change there.
    # (crm.migrate turns SQLite's foreign keys off around this table rebuild, so rebuilding
    # `user` does not cascade to tokens and leads.)
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.alter_column('tenant_id', existing_type=sa.VARCHAR(), nullable=True)


def downgrade() -> None:
    # Operators (no business) cannot survive a downgrade.
    op.execute(sa.text('DELETE FROM "user" WHERE tenant_id IS NULL'))
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.alter_column('tenant_id', existing_type=sa.VARCHAR(), nullable=False)

    with op.batch_alter_table('contactpreference', schema=None) as batch_op:
        batch_op.drop_column('minor_flagged_at')
        batch_op.drop_column('restricted_at')
        batch_op.drop_column('processing_restricted')

    with op.batch_alter_table('auditevent', schema=None) as batch_op:
        batch_op.drop_index('ux_auditevent_chain_seq')
        batch_op.drop_column('seq')
        batch_op.drop_column('chain')

    with op.batch_alter_table('apitoken', schema=None) as batch_op:
        batch_op.drop_column('expires_at')
        batch_op.drop_column('created_by')
        batch_op.drop_column('label')
        batch_op.drop_column('scopes')

    with op.batch_alter_table('contactconsent', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contactconsent_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_contactconsent_contact_id'))

    op.drop_table('contactconsent')
    op.drop_table('tenantprivacysettings')
    with op.batch_alter_table('privacyrequest', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_privacyrequest_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_privacyrequest_status'))
        batch_op.drop_index(batch_op.f('ix_privacyrequest_due_at'))

    op.drop_table('privacyrequest')
    with op.batch_alter_table('erasuretombstone', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_erasuretombstone_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_erasuretombstone_request_id'))
        batch_op.drop_index(batch_op.f('ix_erasuretombstone_key'))

    op.drop_table('erasuretombstone')
