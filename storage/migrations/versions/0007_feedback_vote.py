"""one Helpful vote per voter per answer (feedback_vote)

Existing votes (one per answer, on the feedback row) become that voter's row.

Revision ID: 0007
Revises: 0006

"""
import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString, UTCDateTime

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('feedback_vote',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('feedback_id', sa.Integer(), nullable=False),
    sa.Column('workspace', AutoString(length=255), nullable=False),
    sa.Column('voter', AutoString(length=255), nullable=False),
    sa.Column('helpful', sa.Boolean(), nullable=False),
    sa.Column('voted_at', UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['feedback_id'], ['feedback.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('feedback_id', 'voter', name='uq_feedback_vote_voter')
    )
    op.create_index(op.f('ix_feedback_vote_feedback_id'), 'feedback_vote', ['feedback_id'],
                    unique=False)
    op.create_index(op.f('ix_feedback_vote_workspace'), 'feedback_vote', ['workspace'],
                    unique=False)
    op.execute(
        "INSERT INTO feedback_vote (feedback_id, workspace, voter, helpful, voted_at) "
        "SELECT id, workspace, voted_by, helpful, COALESCE(voted_at, created_at) FROM feedback "
        "WHERE voted_by IS NOT NULL AND helpful IS NOT NULL"
    )


def downgrade() -> None:
    op.drop_index(op.f('ix_feedback_vote_workspace'), table_name='feedback_vote')
    op.drop_index(op.f('ix_feedback_vote_feedback_id'), table_name='feedback_vote')
    op.drop_table('feedback_vote')
