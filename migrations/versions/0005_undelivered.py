"""Messages a channel could not deliver, kept for staff; when staff last acted on a handoff.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create undelivered; add handoffs.last_staff_at."""
    with op.batch_alter_table("handoffs") as batch:
        batch.add_column(sa.Column("last_staff_at", sa.DateTime, nullable=True))
    op.create_table(
        "undelivered",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("conversation_id", sa.String(255), nullable=False, index=True),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("reason", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )


def downgrade() -> None:
    """Drop undelivered and handoffs.last_staff_at."""
    op.drop_table("undelivered")
    with op.batch_alter_table("handoffs") as batch:
        batch.drop_column("last_staff_at")
