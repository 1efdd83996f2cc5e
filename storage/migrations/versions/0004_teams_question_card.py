"""teams question card

Revision ID: 0004
Revises: 0001

"""
import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString, UTCDateTime

revision = "0004"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "teams_question_card",
        sa.Column("key", AutoString(length=512), nullable=False),
        sa.Column("workspace", AutoString(length=255), nullable=False),
        sa.Column(
            "conversation_id", AutoString(length=512), nullable=False
        ),
        sa.Column("activity_id", AutoString(length=255), nullable=False),
        sa.Column("question_id", AutoString(length=64), nullable=False),
        sa.Column("step", sa.Integer(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    with op.batch_alter_table("teams_question_card", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_teams_question_card_workspace"), ["workspace"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("teams_question_card", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_teams_question_card_workspace"))
    op.drop_table("teams_question_card")
