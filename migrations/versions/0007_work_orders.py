"""Work orders: one for every request a person must act on, with tier, deadline, timeline and rating.

Existing open requests get no order: deadlines are promised from now on, not backdated.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create work_orders and order_events."""
    op.create_table(
        "work_orders",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("number", sa.String(20), unique=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("source_id", sa.Integer, nullable=False),
        sa.Column("conversation_id", sa.String(255), nullable=False, index=True),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("topic", sa.String(64), nullable=True),
        sa.Column("team", sa.String(16), nullable=False),
        sa.Column("tier", sa.String(16), nullable=False),
        sa.Column("owner_id", sa.Integer, sa.ForeignKey("staff.id"), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("opened_at", sa.DateTime, nullable=False),
        sa.Column("due_on", sa.Date, nullable=False),
        sa.Column("closed_at", sa.DateTime, nullable=True),
        sa.Column("rating_asked_at", sa.DateTime, nullable=True),
        sa.Column("rating", sa.String(16), nullable=True),
        sa.Column("rating_comment", sa.Text, nullable=True),
        sa.Column("rated_at", sa.DateTime, nullable=True),
        sa.Column("follow_up", sa.String(16), nullable=True),
        sa.UniqueConstraint("kind", "source_id", name="one_order_per_request"),
    )
    op.create_index("orders_open_by_due", "work_orders", ["status", "due_on"])
    op.create_table(
        "order_events",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("order_id", sa.Integer, sa.ForeignKey("work_orders.id", ondelete="CASCADE"), nullable=False,
                  index=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("detail", sa.Text, nullable=False),
        sa.Column("staff_id", sa.Integer, sa.ForeignKey("staff.id"), nullable=True),
        sa.Column("at", sa.DateTime, nullable=False),
    )


def downgrade() -> None:
    """Drop both tables."""
    op.drop_table("order_events")
    op.drop_index("orders_open_by_due", table_name="work_orders")
    op.drop_table("work_orders")
