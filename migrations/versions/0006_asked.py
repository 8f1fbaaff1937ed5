"""The question log (what workers asked, what the assistant decided) and indexes for the statistics page.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create asked, indexed by time, outcome and topic group; index handoffs by creation time.

    These are the columns the statistics page filters and groups by.
    """
    op.create_table(
        "asked",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("conversation_id", sa.String(255), nullable=False),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("at", sa.DateTime, nullable=False, index=True),
        sa.Column("outcome", sa.String(16), nullable=False, index=True),
        sa.Column("topic", sa.String(64), nullable=True),
        sa.Column("topic_group", sa.String(32), nullable=True, index=True),
        sa.Column("confidence", sa.Float, nullable=True),
        sa.Column("entry_id", sa.String(64), nullable=True),
        sa.Column("text", sa.String(200), nullable=False),
    )
    op.create_index("ix_handoffs_created_at", "handoffs", ["created_at"])


def downgrade() -> None:
    """Drop asked and the handoffs' time index."""
    op.drop_index("ix_handoffs_created_at", "handoffs")
    op.drop_table("asked")
