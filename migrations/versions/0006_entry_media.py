"""entries remember the recording they were read from: its kind, where the heard words begin,
a video's timeline summary and its per-frame readings (never media)

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("entries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("media_kind", sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column("heard_from", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("media_summary", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("media_timeline", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("entries", schema=None) as batch_op:
        batch_op.drop_column("media_timeline")
        batch_op.drop_column("media_summary")
        batch_op.drop_column("heard_from")
        batch_op.drop_column("media_kind")
