"""child.stage: where each child stands, for the caseload's status filter, filled in, indexed.

Revision ID: 0003_child_stage
Revises: 0002_child_search_name
Create Date: 2026-12-06

Was samtal/upgrades.py's second step at start; a database that ran it there already has the
column, so the step checks first.
"""

import sqlalchemy as sa
from alembic import op

from samtal import upgrades

revision = "0003_child_stage"
down_revision = "0002_child_search_name"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add child.stage, work out every child's stage, and index it for the filter."""
    connection = op.get_bind()
    inspector = sa.inspect(connection)
    if "stage" not in {column["name"] for column in inspector.get_columns("child")}:
        upgrades.add_stages(connection)
    if "ix_child_stage" not in {index["name"] for index in inspector.get_indexes("child")}:
        op.create_index("ix_child_stage", "child", ["barnkontakt_id", "stage", "name", "id"])


def downgrade() -> None:
    """Without the stored stages (the filter then has nothing to read)."""
    op.drop_index("ix_child_stage", table_name="child")
    with op.batch_alter_table("child") as batch:
        batch.drop_column("stage")
