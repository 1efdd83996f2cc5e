"""nhi_identity.never_used (the export said the credential was never used)

Kept so the scheduled re-evaluation of time-based gaps judges "unused" as the import did.
Existing rows: true where the import found the identity unused without a last-used date,
the one case in which it can only have come from the export saying "never used".

Revision ID: 0009
Revises: 0008

"""
import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("nhi_identity", schema=None) as batch_op:
        batch_op.add_column(sa.Column("never_used", sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
    bind = op.get_bind()
    rows = bind.execute(sa.text(
        "SELECT id, gaps FROM nhi_identity WHERE last_used IS NULL")).fetchall()
    import json

    unused = [r.id for r in rows if "unused" in (json.loads(r.gaps) if isinstance(r.gaps, str)
                                                 else (r.gaps or []))]
    for start in range(0, len(unused), 500):
        bind.execute(sa.text("UPDATE nhi_identity SET never_used = :yes WHERE id IN :ids")
                     .bindparams(sa.bindparam("ids", expanding=True)),
                     {"yes": True, "ids": unused[start:start + 500]})


def downgrade() -> None:
    with op.batch_alter_table("nhi_identity", schema=None) as batch_op:
        batch_op.drop_column("never_used")
