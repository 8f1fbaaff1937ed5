"""Course sessions with seat counts, sign-ups with waiting lists, aid referrals.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create course_sessions, signups and aid_referrals."""
    op.create_table(
        "course_sessions",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("course_id", sa.String(64), nullable=False, index=True),
        sa.Column("course_name", sa.String(100), nullable=False),
        sa.Column("category", sa.String(64), nullable=False),
        sa.Column("cost", sa.String(64), nullable=False),
        sa.Column("starts_at", sa.DateTime, nullable=False),
        sa.Column("ends_at", sa.DateTime, nullable=False),
        sa.Column("place", sa.String(64), nullable=False),
        sa.Column("street", sa.String(32), nullable=False),
        sa.Column("seats", sa.Integer, nullable=False),
        sa.Column("taken", sa.Integer, nullable=False, server_default="0"),
        sa.CheckConstraint("taken >= 0 AND taken <= seats", name="seats_never_oversold"),
    )
    op.create_table(
        "signups",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("session_id", sa.String(64), sa.ForeignKey("course_sessions.id"), nullable=False, index=True),
        sa.Column("worker_name", sa.String(64), nullable=False),
        sa.Column("phone", sa.String(11), nullable=False),
        sa.Column("conversation_id", sa.String(255), nullable=False, index=True),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
    )
    op.create_index("one_signup_per_phone", "signups", ["session_id", "phone"], unique=True,
                    sqlite_where=sa.text("status != 'cancelled'"), postgresql_where=sa.text("status != 'cancelled'"))
    op.create_table(
        "aid_referrals",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("submission_key", sa.String(64), nullable=False, unique=True),
        sa.Column("conversation_id", sa.String(255), nullable=False, index=True),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("answers", sa.Text, nullable=False),
        sa.Column("programmes", sa.Text, nullable=False),
        sa.Column("worker_name", sa.String(64), nullable=False),
        sa.Column("worker_phone", sa.String(11), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )


def downgrade() -> None:
    """Drop the tables in reverse order."""
    op.drop_table("aid_referrals")
    op.drop_index("one_signup_per_phone", "signups")
    op.drop_table("signups")
    op.drop_table("course_sessions")
