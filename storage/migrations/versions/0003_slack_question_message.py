"""slack question message

Revision ID: 0003
Revises: 0001

"""
import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision = '0003'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('slack_question_message',
    sa.Column('conversation_key', sqlmodel.sql.sqltypes.AutoString(length=512), nullable=False),
    sa.Column('step', sa.Integer(), nullable=False),
    sa.Column('workspace', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.Column('channel', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.Column('ts', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('conversation_key', 'step')
    )
    with op.batch_alter_table('slack_question_message', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_slack_question_message_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_slack_question_message_workspace'), ['workspace'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('slack_question_message', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_slack_question_message_workspace'))
        batch_op.drop_index(batch_op.f('ix_slack_question_message_created_at'))

    op.drop_table('slack_question_message')
