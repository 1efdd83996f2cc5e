"""non-human identity inventory and its task links

Revision ID: 0006
Revises: 0005

"""
import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString, UTCDateTime

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('nhi_identity',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('workspace', AutoString(length=255), nullable=False),
    sa.Column('platform', AutoString(length=16), nullable=False),
    sa.Column('native_key', AutoString(length=512), nullable=False),
    sa.Column('name', AutoString(length=500), nullable=False),
    sa.Column('type', AutoString(length=32), nullable=False),
    sa.Column('owner', AutoString(length=255), nullable=True),
    sa.Column('environment', AutoString(length=16), nullable=True),
    sa.Column('created', UTCDateTime(), nullable=True),
    sa.Column('last_rotated', UTCDateTime(), nullable=True),
    sa.Column('last_used', UTCDateTime(), nullable=True),
    sa.Column('expires', UTCDateTime(), nullable=True),
    sa.Column('privileges', sa.JSON(), nullable=False),
    sa.Column('used_by_humans', sa.Boolean(), nullable=True),
    sa.Column('shared_with', sa.JSON(), nullable=False),
    sa.Column('has_secret', sa.Boolean(), nullable=True),
    sa.Column('source_format', AutoString(length=64), nullable=False),
    sa.Column('gaps', sa.JSON(), nullable=False),
    sa.Column('evaluated_at', UTCDateTime(), nullable=False),
    sa.Column('first_seen_at', UTCDateTime(), nullable=False),
    sa.Column('last_seen_at', UTCDateTime(), nullable=False),
    sa.Column('imported_by', AutoString(length=255), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('workspace', 'platform', 'native_key', name='uq_nhi_identity_key')
    )
    op.create_index('ix_nhi_identity_ws_key', 'nhi_identity', ['workspace', 'native_key'])
    op.create_table('nhi_task_link',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('workspace', AutoString(length=255), nullable=False),
    sa.Column('owner', AutoString(length=255), nullable=False),
    sa.Column('gap_kind', AutoString(length=32), nullable=False),
    sa.Column('task_id', sa.Integer(), nullable=False),
    sa.Column('identities', sa.JSON(), nullable=False),
    sa.Column('updated_at', UTCDateTime(), nullable=False),
    sa.Column('meta', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['task_id'], ['task.id']),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_nhi_task_link_group', 'nhi_task_link', ['workspace', 'owner', 'gap_kind'])
    op.create_index(op.f('ix_nhi_task_link_task_id'), 'nhi_task_link', ['task_id'])


def downgrade() -> None:
    op.drop_index(op.f('ix_nhi_task_link_task_id'), table_name='nhi_task_link')
    op.drop_index('ix_nhi_task_link_group', table_name='nhi_task_link')
    op.drop_table('nhi_task_link')
    op.drop_index('ix_nhi_identity_ws_key', table_name='nhi_identity')
    op.drop_table('nhi_identity')
