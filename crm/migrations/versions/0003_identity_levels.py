"""identity levels, verification codes, web chat widget settings

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-07 16:38:57.734518
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import crm.db

revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Identity levels on contacts, one-time verification codes, web widget settings.

    Hand-edited: new NOT NULL columns get server defaults; a contact whose phone is the
    wa_id of its own WhatsApp identity gets `phone_verified` (WhatsApp vouched for it);
    agent configs that let the agent cancel or move appointments also get the two
    verification tools; the demo business accepts the widget on local pages.
    """
    op.create_table('verificationcode',
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('tenant_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('conversation_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('target_contact_id', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('channel', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('code_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('expires_at', crm.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('consumed_at', crm.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', crm.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['conversation_id'], ['conversation.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['target_contact_id'], ['contact.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('verificationcode', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_verificationcode_conversation_id'), ['conversation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_verificationcode_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_verificationcode_target_contact_id'), ['target_contact_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_verificationcode_tenant_id'), ['tenant_id'], unique=False)

    with op.batch_alter_table('channelconnection', schema=None) as batch_op:
        batch_op.add_column(sa.Column('otp_template_name', sqlmodel.sql.sqltypes.AutoString(length=512), nullable=True))
        batch_op.add_column(sa.Column('otp_template_language', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True))

    with op.batch_alter_table('contact', schema=None) as batch_op:
        batch_op.add_column(sa.Column('phone_verified', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('email_verified', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('claimed_phone', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True))
        batch_op.add_column(sa.Column('claimed_email', sqlmodel.sql.sqltypes.AutoString(length=254), nullable=True))
        batch_op.create_index(batch_op.f('ix_contact_claimed_email'), ['claimed_email'], unique=False)
        batch_op.create_index(batch_op.f('ix_contact_claimed_phone'), ['claimed_phone'], unique=False)

    with op.batch_alter_table('tenant', schema=None) as batch_op:
        batch_op.add_column(sa.Column('privacy_notice_url', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True))
        batch_op.add_column(sa.Column('widget_origins', sa.JSON(), nullable=False, server_default='[]'))

    _backfill()


def _backfill() -> None:
    bind = op.get_bind()
    contact = sa.table('contact', sa.column('id', sa.String), sa.column('phone', sa.String),
                       sa.column('phone_verified', sa.Boolean))
    identity = sa.table('channelidentity', sa.column('contact_id', sa.String),
                        sa.column('channel', sa.String), sa.column('external_id', sa.String))
    rows = bind.execute(sa.select(contact.c.id, contact.c.phone, identity.c.external_id)
                        .join(identity, identity.c.contact_id == contact.c.id)
                        .where(identity.c.channel == 'whatsapp',
                               contact.c.phone.is_not(None))).all()
    verified = sorted({cid for cid, phone, wa_id in rows if phone.lstrip('+') == wa_id})
    for cid in verified:
        bind.execute(contact.update().where(contact.c.id == cid).values(phone_verified=True))
    config = sa.table('agentconfig', sa.column('id', sa.String),
                      sa.column('enabled_tools', sa.JSON))
    for cid, tools in bind.execute(sa.select(config.c.id, config.c.enabled_tools)).all():
        tools = list(tools or [])
        if {'cancel_appointment', 'reschedule_appointment'} & set(tools):
            added = [t for t in ('send_verification_code', 'verify_code') if t not in tools]
            if added:
                bind.execute(config.update().where(config.c.id == cid)
                             .values(enabled_tools=tools + added))
    tenant = sa.table('tenant', sa.column('slug', sa.String), sa.column('widget_origins', sa.JSON))
    bind.execute(tenant.update().where(tenant.c.slug == 'demo')
                 .values(widget_origins=['http://127.0.0.1:*', 'http://localhost:*']))


def downgrade() -> None:
    with op.batch_alter_table('tenant', schema=None) as batch_op:
        batch_op.drop_column('widget_origins')
        batch_op.drop_column('privacy_notice_url')

    with op.batch_alter_table('contact', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contact_claimed_phone'))
        batch_op.drop_index(batch_op.f('ix_contact_claimed_email'))
        batch_op.drop_column('claimed_email')
        batch_op.drop_column('claimed_phone')
        batch_op.drop_column('email_verified')
        batch_op.drop_column('phone_verified')

    with op.batch_alter_table('channelconnection', schema=None) as batch_op:
        batch_op.drop_column('otp_template_language')
        batch_op.drop_column('otp_template_name')

    with op.batch_alter_table('verificationcode', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_verificationcode_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_verificationcode_target_contact_id'))
        batch_op.drop_index(batch_op.f('ix_verificationcode_created_at'))
        batch_op.drop_index(batch_op.f('ix_verificationcode_conversation_id'))

    op.drop_table('verificationcode')
