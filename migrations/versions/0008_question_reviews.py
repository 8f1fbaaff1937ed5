"""Editors' verdicts on the questions the assistant could not answer, and the indexes that page reads by.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-08
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create question_reviews; index questions and handoffs by conversation and time.

    The page asks what a conversation did next after a question (its next question, a handoff).
    """
    op.create_table(
        "question_reviews",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("asked_id", sa.Integer, sa.ForeignKey("asked.id", ondelete="CASCADE"), nullable=False,
                  unique=True),
        sa.Column("group_key", sa.Integer, sa.ForeignKey("asked.id", ondelete="CASCADE"), nullable=False),
        sa.Column("verdict", sa.String(16), nullable=False),
        sa.Column("entry_id", sa.String(64), nullable=True),
        sa.Column("staff_id", sa.Integer, sa.ForeignKey("staff.id"), nullable=False),
        sa.Column("at", sa.DateTime, nullable=False),
        sa.CheckConstraint("verdict IN ('covered', 'new_entry')", name="known_verdict"),
        sa.CheckConstraint("(verdict = 'covered') = (entry_id IS NOT NULL)", name="covered_names_an_entry"),
    )
    op.create_index("asked_by_conversation", "asked", ["conversation_id", "at"])
    op.create_index("handoffs_by_conversation", "handoffs", ["conversation_id", "created_at"])


def downgrade() -> None:
    """Drop the table and both indexes."""
    op.drop_index("handoffs_by_conversation", table_name="handoffs")
    op.drop_index("asked_by_conversation", table_name="asked")
    op.drop_table("question_reviews")
