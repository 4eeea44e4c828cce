"""user settings: time zone and daily check-in reminders

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "user_settings",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=True),
        sa.Column("remind_at", sa.String(length=5), nullable=True),
        sa.Column("remind_platform", sa.String(length=16), nullable=True),
        sa.Column("remind_chat_id", sa.String(length=64), nullable=True),
        sa.Column("reminder_next_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reminder_last_sent_on", sa.Date(), nullable=True),
        sa.Column("reminders_opted_in_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_user_settings_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_user_settings")),
    )
    with op.batch_alter_table("user_settings", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_user_settings_reminder_next_at"), ["reminder_next_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("user_settings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_user_settings_reminder_next_at"))
    op.drop_table("user_settings")
