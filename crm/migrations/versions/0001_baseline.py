"""baseline: the schema of issues 2 to 6

Revision ID: 0001
Revises: (none)
Create Date: 2026-12-04 13:40:04.865896
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import crm.db

revision: str = '0001'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _missing(bind: sa.engine.Connection, table: str) -> bool:
    """Databases made before migrations existed (``create_all``) may hold some tables."""
    return not sa.inspect(bind).has_table(table)


def upgrade() -> None:
    """The schema as issues 2 to 6 left it; tables that already exist are kept."""
    bind = op.get_bind()
    if _missing(bind, 'auditevent'):
        op.create_table('auditevent',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('at', crm.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('tenant_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column('actor_kind', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column('actor_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column('action', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('resource_type', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('resource_ids', sa.JSON(), nullable=False),
        sa.Column('details', sa.JSON(), nullable=False),
        sa.Column('source', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column('prev_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('hash')
        )
        with op.batch_alter_table('auditevent', schema=None) as batch_op:
            batch_op.create_index(batch_op.f('ix_auditevent_action'), ['action'], unique=False)
            batch_op.create_index(batch_op.f('ix_auditevent_at'), ['at'], unique=False)
            batch_op.create_index(batch_op.f('ix_auditevent_tenant_id'), ['tenant_id'], unique=False)

    if _missing(bind, 'corpusrecord'):
        op.create_table('corpusrecord',
        sa.Column('record_key', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('subject_key', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('tenant_key', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('status', sa.Enum('ok', 'quarantined', name='recordstatus'), nullable=False),
        sa.Column('tenant_category', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('channel', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column('language', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column('outcome', sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
        sa.Column('lead_created', sa.Boolean(), nullable=False),
        sa.Column('appointment_booked', sa.Boolean(), nullable=False),
        sa.Column('handed_off', sa.Boolean(), nullable=False),
        sa.Column('user_turns', sa.Integer(), nullable=False),
        sa.Column('message_count', sa.Integer(), nullable=False),
        sa.Column('conversation_date', sa.Date(), nullable=False),
        sa.Column('fingerprint', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('redaction_style', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column('redaction_version', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('messages', sa.JSON(), nullable=False),
        sa.Column('residual_types', sa.JSON(), nullable=False),
        sa.Column('ingested_on', sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint('record_key')
        )
        with op.batch_alter_table('corpusrecord', schema=None) as batch_op:
            batch_op.create_index(batch_op.f('ix_corpusrecord_conversation_date'), ['conversation_date'], unique=False)
            batch_op.create_index('ix_corpusrecord_export', ['status', 'record_key'], unique=False)
            batch_op.create_index(batch_op.f('ix_corpusrecord_fingerprint'), ['fingerprint'], unique=False)
            batch_op.create_index(batch_op.f('ix_corpusrecord_subject_key'), ['subject_key'], unique=False)
            batch_op.create_index(batch_op.f('ix_corpusrecord_tenant_key'), ['tenant_key'], unique=False)

    if _missing(bind, 'tenant'):
        op.create_table('tenant',
        sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column('slug', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('timezone', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('locale', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column('currency', sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
        sa.Column('address', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
        sa.Column('phone', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column('email', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column('business_hours', sa.JSON(), nullable=False),
        sa.Column('slot_step_minutes', sa.Integer(), nullable=False),
        sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column('created_at', crm.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id')
        )
        with op.batch_alter_table('tenant', schema=None) as batch_op:
            batch_op.create_index(batch_op.f('ix_tenant_slug'), ['slug'], unique=True)

    if _missing(bind, 'agentconfig'):
        op.create_table('agentconfig',
        sa.Column('persona', sqlmodel.sql.sqltypes.AutoString(length=8000), nullable=False),
        sa.Column('greeting', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column('enabled_tools', sa.JSON(), nullable=False),
        sa.Column('model', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=True),
        sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column('tenant_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('updated_at', crm.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('tenant_id')
        )

    if _missing(bind, 'channelconnection'):
        op.create_table('channelconnection',
        sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column('tenant_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('kind', sa.Enum('whatsapp', 'instagram', 'messenger', 'lead_ads', name='channelkind'), nullable=False),
        sa.Column('account_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('access_token_enc', sa.Text(), nullable=False),
        sa.Column('access_token_last4', sqlmodel.sql.sqltypes.AutoString(length=4), nullable=False),
        sa.Column('app_secret_enc', sa.Text(), nullable=True),
        sa.Column('verify_token_enc', sa.Text(), nullable=False),
        sa.Column('verify_token_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('template_name', sqlmodel.sql.sqltypes.AutoString(length=512), nullable=True),
        sa.Column('template_language', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
        sa.Column('seller_ids', sa.JSON(), nullable=False),
        sa.Column('active', sa.Boolean(), nullable=False),
        sa.Column('created_at', crm.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('updated_at', crm.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('kind', 'account_id')
        )
        with op.batch_alter_table('channelconnection', schema=None) as batch_op:
            batch_op.create_index(batch_op.f('ix_channelconnection_tenant_id'), ['tenant_id'], unique=False)
            batch_op.create_index(batch_op.f('ix_channelconnection_verify_token_hash'), ['verify_token_hash'], unique=False)

    if _missing(bind, 'contact'):
        op.create_table('contact',
        sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column('tenant_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column('phone', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
        sa.Column('email', sqlmodel.sql.sqltypes.AutoString(length=254), nullable=True),
        sa.Column('created_at', crm.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('updated_at', crm.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('tenant_id', 'email'),
        sa.UniqueConstraint('tenant_id', 'phone')
        )
        with op.batch_alter_table('contact', schema=None) as batch_op:
            batch_op.create_index(batch_op.f('ix_contact_tenant_id'), ['tenant_id'], unique=False)

    if _missing(bind, 'faqentry'):
        op.create_table('faqentry',
        sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column('tenant_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('question', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column('answer', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id')
        )
        with op.batch_alter_table('faqentry', schema=None) as batch_op:
            batch_op.create_index(batch_op.f('ix_faqentry_tenant_id'), ['tenant_id'], unique=False)

    if _missing(bind, 'service'):
        op.create_table('service',
        sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column('description', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
        sa.Column('duration_minutes', sa.Integer(), nullable=False),
        sa.Column('price', sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column('active', sa.Boolean(), nullable=False),
        sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column('tenant_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('tenant_id', 'name')
        )
        with op.batch_alter_table('service', schema=None) as batch_op:
            batch_op.create_index(batch_op.f('ix_service_tenant_id'), ['tenant_id'], unique=False)

    if _missing(bind, 'tenanttrainingsettings'):
        op.create_table('tenanttrainingsettings',
        sa.Column('training_enabled', sa.Boolean(), nullable=False),
        sa.Column('redaction_style', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column('idle_close_hours', sa.Float(), nullable=False),
        sa.Column('min_user_turns', sa.Integer(), nullable=False),
        sa.Column('category', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('tenant_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('updated_at', crm.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('tenant_id')
        )

    if _missing(bind, 'user'):
        op.create_table('user',
        sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column('tenant_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('email', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column('role', sa.Enum('admin', 'seller', 'ml', name='role'), nullable=False),
        sa.Column('active', sa.Boolean(), nullable=False),
        sa.Column('last_assigned_at', crm.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column('created_at', crm.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('tenant_id', 'email')
        )
        with op.batch_alter_table('user', schema=None) as batch_op:
            batch_op.create_index(batch_op.f('ix_user_tenant_id'), ['tenant_id'], unique=False)

    if _missing(bind, 'webhookevent'):
        op.create_table('webhookevent',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('received_at', crm.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('object', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('tenant_id', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column('status', sa.Enum('received', 'processed', 'error', name='webhookstatus'), nullable=False),
        sa.Column('items_total', sa.Integer(), nullable=False),
        sa.Column('items_done', sa.Integer(), nullable=False),
        sa.Column('processed_at', crm.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id')
        )
        with op.batch_alter_table('webhookevent', schema=None) as batch_op:
            batch_op.create_index(batch_op.f('ix_webhookevent_received_at'), ['received_at'], unique=False)
            batch_op.create_index(batch_op.f('ix_webhookevent_status'), ['status'], unique=False)
            batch_op.create_index(batch_op.f('ix_webhookevent_tenant_id'), ['tenant_id'], unique=False)

    if _missing(bind, 'apitoken'):
        op.create_table('apitoken',
        sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column('user_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('token_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('created_at', crm.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('last_used_at', crm.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column('revoked_at', crm.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id')
        )
        with op.batch_alter_table('apitoken', schema=None) as batch_op:
            batch_op.create_index(batch_op.f('ix_apitoken_token_hash'), ['token_hash'], unique=True)
            batch_op.create_index(batch_op.f('ix_apitoken_user_id'), ['user_id'], unique=False)

    if _missing(bind, 'channelidentity'):
        op.create_table('channelidentity',
        sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column('tenant_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('contact_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('channel', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column('external_id', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column('created_at', crm.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['contact_id'], ['contact.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('tenant_id', 'channel', 'external_id')
        )
        with op.batch_alter_table('channelidentity', schema=None) as batch_op:
            batch_op.create_index(batch_op.f('ix_channelidentity_contact_id'), ['contact_id'], unique=False)
            batch_op.create_index(batch_op.f('ix_channelidentity_tenant_id'), ['tenant_id'], unique=False)

    if _missing(bind, 'contactpreference'):
        op.create_table('contactpreference',
        sa.Column('contact_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column('tenant_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('objected_to_training', sa.Boolean(), nullable=False),
        sa.Column('objection_source', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
        sa.Column('objected_at', crm.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column('applied_at', crm.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column('updated_at', crm.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['contact_id'], ['contact.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('contact_id')
        )
        with op.batch_alter_table('contactpreference', schema=None) as batch_op:
            batch_op.create_index(batch_op.f('ix_contactpreference_tenant_id'), ['tenant_id'], unique=False)

    if _missing(bind, 'conversation'):
        op.create_table('conversation',
        sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column('tenant_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('contact_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('channel', sa.Enum('web', 'whatsapp', 'instagram', 'messenger', name='channel'), nullable=False),
        sa.Column('external_id', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column('status', sa.Enum('abierta', 'cerrada', name='conversationstatus'), nullable=False),
        sa.Column('needs_human', sa.Boolean(), nullable=False),
        sa.Column('human_reason', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
        sa.Column('created_at', crm.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('last_message_at', crm.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('closed_at', crm.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['contact_id'], ['contact.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('tenant_id', 'channel', 'external_id')
        )
        with op.batch_alter_table('conversation', schema=None) as batch_op:
            batch_op.create_index(batch_op.f('ix_conversation_contact_id'), ['contact_id'], unique=False)
            batch_op.create_index(batch_op.f('ix_conversation_tenant_id'), ['tenant_id'], unique=False)

    if _missing(bind, 'inboundkey'):
        op.create_table('inboundkey',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('channel', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column('external_id', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column('event_id', sa.Integer(), nullable=False),
        sa.Column('tenant_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('sender_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column('sent_at', crm.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column('state', sa.Enum('pending', 'done', 'error', name='inboundstate'), nullable=False),
        sa.Column('created_at', crm.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['event_id'], ['webhookevent.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('channel', 'external_id')
        )
        with op.batch_alter_table('inboundkey', schema=None) as batch_op:
            batch_op.create_index(batch_op.f('ix_inboundkey_event_id'), ['event_id'], unique=False)
            batch_op.create_index('ix_inboundkey_thread', ['tenant_id', 'channel', 'sender_id'], unique=False)

    if _missing(bind, 'lead'):
        op.create_table('lead',
        sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column('tenant_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('contact_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('source', sa.Enum('web', 'whatsapp', 'instagram', 'messenger', 'meta_lead_ads', 'manual', name='leadsource'), nullable=False),
        sa.Column('stage', sa.Enum('nuevo', 'contactado', 'calificado', 'propuesta', 'ganado', 'perdido', name='leadstage'), nullable=False),
        sa.Column('assigned_to', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column('temperature', sa.Enum('frio', 'tibio', 'caliente', name='temperature'), nullable=False),
        sa.Column('notes', sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=True),
        sa.Column('utm_source', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column('utm_medium', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column('utm_campaign', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column('utm_term', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column('utm_content', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column('created_at', crm.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('updated_at', crm.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['assigned_to'], ['user.id'], ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['contact_id'], ['contact.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id')
        )
        with op.batch_alter_table('lead', schema=None) as batch_op:
            batch_op.create_index(batch_op.f('ix_lead_assigned_to'), ['assigned_to'], unique=False)
            batch_op.create_index(batch_op.f('ix_lead_contact_id'), ['contact_id'], unique=False)
            batch_op.create_index(batch_op.f('ix_lead_tenant_id'), ['tenant_id'], unique=False)

    if _missing(bind, 'appointment'):
        op.create_table('appointment',
        sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column('tenant_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('contact_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('service_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('conversation_id', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column('start_at', crm.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('end_at', crm.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('status', sa.Enum('confirmada', 'cancelada', 'reprogramada', name='appointmentstatus'), nullable=False),
        sa.Column('created_at', crm.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('updated_at', crm.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['contact_id'], ['contact.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['conversation_id'], ['conversation.id'], ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['service_id'], ['service.id'], ),
        sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id')
        )
        with op.batch_alter_table('appointment', schema=None) as batch_op:
            batch_op.create_index(batch_op.f('ix_appointment_contact_id'), ['contact_id'], unique=False)
            batch_op.create_index(batch_op.f('ix_appointment_service_id'), ['service_id'], unique=False)
            batch_op.create_index(batch_op.f('ix_appointment_start_at'), ['start_at'], unique=False)
            batch_op.create_index(batch_op.f('ix_appointment_tenant_id'), ['tenant_id'], unique=False)

    if _missing(bind, 'corpusintake'):
        op.create_table('corpusintake',
        sa.Column('conversation_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column('tenant_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('outcome', sa.Enum('ingested', 'quarantined', 'duplicate', 'too_short', 'tenant_opted_out', 'contact_objected', name='intakeoutcome'), nullable=False),
        sa.Column('last_message_at', crm.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('processed_at', crm.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['conversation_id'], ['conversation.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('conversation_id')
        )
        with op.batch_alter_table('corpusintake', schema=None) as batch_op:
            batch_op.create_index(batch_op.f('ix_corpusintake_tenant_id'), ['tenant_id'], unique=False)

    if _missing(bind, 'leadadintake'):
        op.create_table('leadadintake',
        sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column('tenant_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('connection_id', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column('leadgen_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('page_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('form_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column('ad_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column('state', sa.Enum('recibido', 'registrado', 'error', name='intakestate'), nullable=False),
        sa.Column('answers', sa.JSON(), nullable=True),
        sa.Column('lead_id', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('last_error', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column('next_attempt_at', crm.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column('received_at', crm.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('registered_at', crm.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column('updated_at', crm.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['connection_id'], ['channelconnection.id'], ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['lead_id'], ['lead.id'], ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id')
        )
        with op.batch_alter_table('leadadintake', schema=None) as batch_op:
            batch_op.create_index(batch_op.f('ix_leadadintake_leadgen_id'), ['leadgen_id'], unique=True)
            batch_op.create_index(batch_op.f('ix_leadadintake_state'), ['state'], unique=False)
            batch_op.create_index(batch_op.f('ix_leadadintake_tenant_id'), ['tenant_id'], unique=False)

    if _missing(bind, 'message'):
        op.create_table('message',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('conversation_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('role', sa.Enum('user', 'assistant', 'tool', name='messagerole'), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('tool_calls', sa.JSON(), nullable=True),
        sa.Column('tool_call_id', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column('tool_name', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column('channel_message_id', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column('created_at', crm.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['conversation_id'], ['conversation.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id')
        )
        with op.batch_alter_table('message', schema=None) as batch_op:
            batch_op.create_index(batch_op.f('ix_message_channel_message_id'), ['channel_message_id'], unique=False)
            batch_op.create_index(batch_op.f('ix_message_conversation_id'), ['conversation_id'], unique=False)

    if _missing(bind, 'outbounddelivery'):
        op.create_table('outbounddelivery',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('tenant_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('message_id', sa.Integer(), nullable=True),
        sa.Column('channel', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column('external_id', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True),
        sa.Column('part', sa.Integer(), nullable=False),
        sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column('status', sa.Enum('accepted', 'sent', 'delivered', 'read', 'failed', 'not_sent', name='deliverystatus'), nullable=False),
        sa.Column('error_code', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column('created_at', crm.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('updated_at', crm.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['message_id'], ['message.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('channel', 'external_id')
        )
        with op.batch_alter_table('outbounddelivery', schema=None) as batch_op:
            batch_op.create_index(batch_op.f('ix_outbounddelivery_message_id'), ['message_id'], unique=False)
            batch_op.create_index(batch_op.f('ix_outbounddelivery_tenant_id'), ['tenant_id'], unique=False)

    if _missing(bind, 'slothold'):
        op.create_table('slothold',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('tenant_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('appointment_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('slot_start', crm.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['appointment_id'], ['appointment.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('tenant_id', 'slot_start')
        )
        with op.batch_alter_table('slothold', schema=None) as batch_op:
            batch_op.create_index(batch_op.f('ix_slothold_appointment_id'), ['appointment_id'], unique=False)
            batch_op.create_index(batch_op.f('ix_slothold_tenant_id'), ['tenant_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('slothold', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_slothold_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_slothold_appointment_id'))

    op.drop_table('slothold')
    with op.batch_alter_table('outbounddelivery', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbounddelivery_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_outbounddelivery_message_id'))

    op.drop_table('outbounddelivery')
    with op.batch_alter_table('message', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_message_conversation_id'))
        batch_op.drop_index(batch_op.f('ix_message_channel_message_id'))

    op.drop_table('message')
    with op.batch_alter_table('leadadintake', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_leadadintake_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_leadadintake_state'))
        batch_op.drop_index(batch_op.f('ix_leadadintake_leadgen_id'))

    op.drop_table('leadadintake')
    with op.batch_alter_table('corpusintake', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_corpusintake_tenant_id'))

    op.drop_table('corpusintake')
    with op.batch_alter_table('appointment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_appointment_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_appointment_start_at'))
        batch_op.drop_index(batch_op.f('ix_appointment_service_id'))
        batch_op.drop_index(batch_op.f('ix_appointment_contact_id'))

    op.drop_table('appointment')
    with op.batch_alter_table('lead', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lead_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_lead_contact_id'))
        batch_op.drop_index(batch_op.f('ix_lead_assigned_to'))

    op.drop_table('lead')
    with op.batch_alter_table('inboundkey', schema=None) as batch_op:
        batch_op.drop_index('ix_inboundkey_thread')
        batch_op.drop_index(batch_op.f('ix_inboundkey_event_id'))

    op.drop_table('inboundkey')
    with op.batch_alter_table('conversation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_conversation_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_conversation_contact_id'))

    op.drop_table('conversation')
    with op.batch_alter_table('contactpreference', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contactpreference_tenant_id'))

    op.drop_table('contactpreference')
    with op.batch_alter_table('channelidentity', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_channelidentity_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_channelidentity_contact_id'))

    op.drop_table('channelidentity')
    with op.batch_alter_table('apitoken', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_apitoken_user_id'))
        batch_op.drop_index(batch_op.f('ix_apitoken_token_hash'))

    op.drop_table('apitoken')
    with op.batch_alter_table('webhookevent', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_webhookevent_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_webhookevent_status'))
        batch_op.drop_index(batch_op.f('ix_webhookevent_received_at'))

    op.drop_table('webhookevent')
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_tenant_id'))

    op.drop_table('user')
    op.drop_table('tenanttrainingsettings')
    with op.batch_alter_table('service', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_service_tenant_id'))

    op.drop_table('service')
    with op.batch_alter_table('faqentry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_faqentry_tenant_id'))

    op.drop_table('faqentry')
    with op.batch_alter_table('contact', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contact_tenant_id'))

    op.drop_table('contact')
    with op.batch_alter_table('channelconnection', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_channelconnection_verify_token_hash'))
        batch_op.drop_index(batch_op.f('ix_channelconnection_tenant_id'))

    op.drop_table('channelconnection')
    op.drop_table('agentconfig')
    with op.batch_alter_table('tenant', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tenant_slug'))

    op.drop_table('tenant')
    with op.batch_alter_table('corpusrecord', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_corpusrecord_tenant_key'))
        batch_op.drop_index(batch_op.f('ix_corpusrecord_subject_key'))
        batch_op.drop_index(batch_op.f('ix_corpusrecord_fingerprint'))
        batch_op.drop_index('ix_corpusrecord_export')
        batch_op.drop_index(batch_op.f('ix_corpusrecord_conversation_date'))

    op.drop_table('corpusrecord')
    with op.batch_alter_table('auditevent', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_auditevent_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_auditevent_at'))
        batch_op.drop_index(batch_op.f('ix_auditevent_action'))

    op.drop_table('auditevent')
