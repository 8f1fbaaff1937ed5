"""Staff accounts and legal-aid cases with their status history.

Revision ID: 0001
Revises:
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create staff, legal_cases and case_status_changes."""
    op.create_table(
        "staff",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("username", sa.String(64), nullable=False, unique=True),
        sa.Column("display_name", sa.String(64), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("active", sa.Integer, nullable=False, server_default="1"),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "legal_cases",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("number", sa.String(20), unique=True),
        sa.Column("submission_key", sa.String(64), nullable=False, unique=True),
        sa.Column("conversation_id", sa.String(255), nullable=False, index=True),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("dispute_type", sa.String(16), nullable=False),
        sa.Column("employer", sa.String(200), nullable=False),
        sa.Column("facts", sa.Text, nullable=False),
        sa.Column("amount", sa.String(64), nullable=False),
        sa.Column("since", sa.String(64), nullable=False),
        sa.Column("street", sa.String(32), nullable=False),
        sa.Column("worker_name", sa.String(64), nullable=False),
        sa.Column("worker_phone", sa.String(11), nullable=False, index=True),
        sa.Column("lawyer_name", sa.String(64), nullable=False),
        sa.Column("lawyer_phone", sa.String(32), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "case_status_changes",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("case_id", sa.Integer, sa.ForeignKey("legal_cases.id", ondelete="CASCADE"),
                  nullable=False, index=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("staff_id", sa.Integer, sa.ForeignKey("staff.id"), nullable=True),
        sa.Column("at", sa.DateTime, nullable=False),
    )


def downgrade() -> None:
    """Drop the tables in reverse order."""
    op.drop_table("case_status_changes")
    op.drop_table("legal_cases")
    op.drop_table("staff")
