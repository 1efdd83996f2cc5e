"""teams file offer (a file waiting for the user's consent in Teams)

Revision ID: 0008
Revises: 0007

"""
import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString, UTCDateTime

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "teams_file_offer",
        sa.Column("id", AutoString(length=64), nullable=False),
        sa.Column("workspace", AutoString(length=255), nullable=False),
        sa.Column("user_ref", AutoString(length=512), nullable=False),
        sa.Column("name", AutoString(length=255), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_teams_file_offer_workspace"), "teams_file_offer", ["workspace"],
                    unique=False)
    op.create_index(op.f("ix_teams_file_offer_expires_at"), "teams_file_offer", ["expires_at"],
                    unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_teams_file_offer_expires_at"), table_name="teams_file_offer")
    op.drop_index(op.f("ix_teams_file_offer_workspace"), table_name="teams_file_offer")
    op.drop_table("teams_file_offer")
