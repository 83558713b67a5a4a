"""console: sign-in, takeover, staff messages

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07 17:47:26.142956
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import crm.db

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Console sign-in (password hashes, invitations, sessions), taking conversations over,
    staff messages.

    Hand-edited: named foreign keys (SQLite rebuilds tables in batch mode), a server default
    for `user.locale`, the `messagerole` enum gains "staff" on PostgreSQL, and existing
    conversations get `last_inbound_at` from their messages (the inbox's unread marker).
    """
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute("ALTER TYPE messagerole ADD VALUE IF NOT EXISTS 'staff'")
    op.create_table('consolesession',
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('user_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('token_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('created_at', crm.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', crm.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', crm.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', crm.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('source', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('consolesession', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_consolesession_token_hash'), ['token_hash'], unique=True)
        batch_op.create_index(batch_op.f('ix_consolesession_user_id'), ['user_id'], unique=False)

    op.create_table('invitation',
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('tenant_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('user_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('token_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('purpose', sa.Enum('invite', 'reset', name='invitationpurpose'), nullable=False),
    sa.Column('created_by', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('created_at', crm.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', crm.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('used_at', crm.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('invitation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_invitation_tenant_id'), ['tenant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_invitation_token_hash'), ['token_hash'], unique=True)
        batch_op.create_index(batch_op.f('ix_invitation_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('conversation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('held_by', sqlmodel.sql.sqltypes.AutoString(), nullable=True))
        batch_op.add_column(sa.Column('held_at', crm.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('staff_activity_at', crm.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('read_at', crm.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('last_inbound_at', crm.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.create_index('ix_conversation_inbox', ['tenant_id', 'last_message_at'], unique=False)
        batch_op.create_foreign_key('fk_conversation_held_by_user', 'user', ['held_by'], ['id'], ondelete='SET NULL')

    with op.batch_alter_table('message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('author_id', sqlmodel.sql.sqltypes.AutoString(), nullable=True))
        batch_op.create_foreign_key('fk_message_author_id_user', 'user', ['author_id'], ['id'], ondelete='SET NULL')

    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('password_hash', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True))
        batch_op.add_column(sa.Column('locale', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False, server_default='es'))
        batch_op.add_column(sa.Column('last_login_at', crm.db.UTCDateTime(timezone=True), nullable=True))

    op.execute("UPDATE conversation SET last_inbound_at = (SELECT max(message.created_at) "
               "FROM message WHERE message.conversation_id = conversation.id "
               "AND message.role = 'user')")


def downgrade() -> None:
    """The new tables and columns go; "staff" stays in PostgreSQL's enum (it cannot drop
    a value), unused."""
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('last_login_at')
        batch_op.drop_column('locale')
        batch_op.drop_column('password_hash')

    with op.batch_alter_table('message', schema=None) as batch_op:
        batch_op.drop_constraint('fk_message_author_id_user', type_='foreignkey')
        batch_op.drop_column('author_id')

    with op.batch_alter_table('conversation', schema=None) as batch_op:
        batch_op.drop_constraint('fk_conversation_held_by_user', type_='foreignkey')
        batch_op.drop_index('ix_conversation_inbox')
        batch_op.drop_column('last_inbound_at')
        batch_op.drop_column('read_at')
        batch_op.drop_column('staff_activity_at')
        batch_op.drop_column('held_at')
        batch_op.drop_column('held_by')

    with op.batch_alter_table('invitation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_invitation_user_id'))
        batch_op.drop_index(batch_op.f('ix_invitation_token_hash'))
        batch_op.drop_index(batch_op.f('ix_invitation_tenant_id'))

    op.drop_table('invitation')
    with op.batch_alter_table('consolesession', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_consolesession_user_id'))
        batch_op.drop_index(batch_op.f('ix_consolesession_token_hash'))

    op.drop_table('consolesession')
