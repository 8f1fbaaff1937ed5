"""The change log the console and the chat page follow live (bot/store/live.py).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-09
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create live_changes; its primary key is what every web process reads past."""
    op.create_table(
        "live_changes",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("handoff_id", sa.Integer, nullable=True),
        sa.Column("conversation_id", sa.String(255), nullable=True),
        sa.Column("skill", sa.String(16), nullable=True),
        sa.Column("staff_id", sa.Integer, nullable=True),
        sa.Column("at", sa.DateTime, nullable=False, index=True),  # pruning reads by age
    )


def downgrade() -> None:
    """Drop the table."""
    op.drop_table("live_changes")
