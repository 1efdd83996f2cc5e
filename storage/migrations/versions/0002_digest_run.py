"""weekly digest runs

Revision ID: 0002
Revises: 0001

"""
import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString, UTCDateTime

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('digest_run',
    sa.Column('platform', AutoString(length=16), nullable=False),
    sa.Column('workspace', AutoString(length=255), nullable=False),
    sa.Column('channel', AutoString(length=255), nullable=False),
    sa.Column('week', AutoString(length=10), nullable=False),
    sa.Column('status', AutoString(length=16), nullable=False),
    sa.Column('worker', AutoString(length=128), nullable=False),
    sa.Column('claimed_at', UTCDateTime(), nullable=False),
    sa.Column('detail', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('platform', 'workspace', 'channel', 'week')
    )


def downgrade() -> None:
    op.drop_table('digest_run')
