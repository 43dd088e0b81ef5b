"""Shop call assistant: the owner's shop profile and chosen voice, and what the assistant took for them

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "shops",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("profile_yaml", sa.Text(), nullable=False),
        sa.Column("voice_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["voice_id"], ["voices.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("user_id"),
    )
    op.create_table(
        "shop_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("ref", sa.String(length=20), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("done", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("shop_records", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_shop_records_user_id"), ["user_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_shop_records_created_at"), ["created_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("shop_records", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_shop_records_created_at"))
        batch_op.drop_index(batch_op.f("ix_shop_records_user_id"))
    op.drop_table("shop_records")
    op.drop_table("shops")
