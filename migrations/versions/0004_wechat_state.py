"""State the WeChat channel shares across replicas.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create wechat_state with the row token refreshes lock."""
    table = op.create_table(
        "wechat_state",
        sa.Column("key", sa.String(255), primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
        sa.Column("expires_at", sa.DateTime, nullable=True),
    )
    op.bulk_insert(table, [{"key": "token-lock", "value": "", "expires_at": None}])  # see bot/channels/wechat/state.py


def downgrade() -> None:
    """Drop wechat_state."""
    op.drop_table("wechat_state")
