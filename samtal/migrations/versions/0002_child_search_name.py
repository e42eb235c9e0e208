"""child.search_name: the folded name the caseload search reads, filled in, and its index.

Revision ID: 0002_child_search_name
Revises: 0001_first_release
Create Date: 2026-12-06

Was samtal/upgrades.py's first step at start; a database that ran it there already has the
column, so the step checks first.
"""

import sqlalchemy as sa
from alembic import op

from samtal import upgrades

revision = "0002_child_search_name"
down_revision = "0001_first_release"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add and fill child.search_name; the caseload index reads it with the name."""
    connection = op.get_bind()
    inspector = sa.inspect(connection)
    if "search_name" not in {column["name"] for column in inspector.get_columns("child")}:
        upgrades.add_search_names(connection)
    indexes = {index["name"] for index in inspector.get_indexes("child")}
    # The caseload index of the first release, replaced by one that also covers the search.
    if "ix_child_barnkontakt_name" in indexes:
        op.drop_index("ix_child_barnkontakt_name", table_name="child")
    if "ix_child_caseload" not in indexes:
        op.create_index(
            "ix_child_caseload", "child", ["barnkontakt_id", "name", "id", "search_name"]
        )


def downgrade() -> None:
    """Back to the first release's caseload index, without the folded names."""
    op.drop_index("ix_child_caseload", table_name="child")
    op.create_index("ix_child_barnkontakt_name", "child", ["barnkontakt_id", "name"])
    with op.batch_alter_table("child") as batch:
        batch.drop_column("search_name")
