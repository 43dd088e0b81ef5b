"""SIP accounts: each user's own registrar / PBX / trunk for phone calls, the password sealed

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sip_accounts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("server", sa.String(length=255), nullable=False),
        sa.Column("username", sa.String(length=100), nullable=False),
        sa.Column("password_sealed", sa.Text(), nullable=False),
        sa.Column("proxy", sa.String(length=255), nullable=False),
        sa.Column("caller_id", sa.String(length=100), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("sip_accounts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sip_accounts_user_id"), ["user_id"], unique=True)


def downgrade() -> None:
    with op.batch_alter_table("sip_accounts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sip_accounts_user_id"))
    op.drop_table("sip_accounts")
