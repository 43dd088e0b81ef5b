"""the shop's call assistant may answer the owner's SIP phone line, after a number of rings

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("shops", schema=None) as batch_op:
        batch_op.add_column(sa.Column("answers_phone", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column("answer_rings", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("shops", schema=None) as batch_op:
        batch_op.drop_column("answer_rings")
        batch_op.drop_column("answers_phone")
