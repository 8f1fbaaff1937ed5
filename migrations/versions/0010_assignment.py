"""Assignment: the on-duty switch and capacity of each staff member, offers in turn, escalation.

Everyone starts off duty (nobody is offered conversations until they switch on) with the
deployment's default capacity.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the staff and handoff columns and the handoff_offers table."""
    with op.batch_alter_table("staff") as batch:
        batch.add_column(sa.Column("on_duty", sa.Integer, nullable=False, server_default=sa.text("0")))
        batch.add_column(sa.Column("capacity", sa.Integer, nullable=True))
        batch.add_column(sa.Column("last_offered_at", sa.DateTime, nullable=True))
    with op.batch_alter_table("handoffs") as batch:
        batch.add_column(sa.Column("offered_to", sa.Integer, nullable=True))
        batch.add_column(sa.Column("offered_at", sa.DateTime, nullable=True))
        batch.add_column(sa.Column("escalated_at", sa.DateTime, nullable=True))
        batch.create_foreign_key("handoffs_offered_to_fkey", "staff", ["offered_to"], ["id"])
    op.create_table(
        "handoff_offers",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("handoff_id", sa.Integer, sa.ForeignKey("handoffs.id", ondelete="CASCADE"), nullable=False,
                  index=True),
        sa.Column("staff_id", sa.Integer, sa.ForeignKey("staff.id", ondelete="CASCADE"), nullable=False,
                  index=True),
        sa.Column("at", sa.DateTime, nullable=False),
    )


def downgrade() -> None:
    """Drop the table and the columns."""
    op.drop_table("handoff_offers")
    with op.batch_alter_table("handoffs") as batch:
        batch.drop_constraint("handoffs_offered_to_fkey", type_="foreignkey")
        batch.drop_column("escalated_at")
        batch.drop_column("offered_at")
        batch.drop_column("offered_to")
    with op.batch_alter_table("staff") as batch:
        batch.drop_column("last_offered_at")
        batch.drop_column("capacity")
        batch.drop_column("on_duty")
