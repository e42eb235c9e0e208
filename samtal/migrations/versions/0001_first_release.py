"""The tables of the first release (before child.search_name and child.stage).

Revision ID: 0001_first_release
Revises:
Create Date: 2026-12-06

A database made before migrations existed (its tables made when the app started) has some or
all of these already: each table is made only where it is missing.
"""

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision = "0001_first_release"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Make the first release's tables that are missing."""
    existing = set(sa.inspect(op.get_bind()).get_table_names())
    if "setting" not in existing:
        op.create_table(
            "setting",
            sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
            sa.Column("value", sa.JSON(), nullable=True),
            sa.PrimaryKeyConstraint("key"),
        )
    if "unit" not in existing:
        op.create_table(
            "unit",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
            sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
            sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
            sa.PrimaryKeyConstraint("id"),
            sa.UniqueConstraint("name"),
        )
    if "staff" not in existing:
        op.create_table(
            "staff",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("email", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
            sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
            sa.Column("role", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
            sa.Column("unit_id", sa.Integer(), nullable=True),
            sa.Column(
                "password_hash", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False
            ),
            sa.Column("active", sa.Boolean(), nullable=False),
            sa.Column("session_epoch", sa.Integer(), nullable=False),
            sa.Column("failed_logins", sa.Integer(), nullable=False),
            sa.Column("locked_until", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
            sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
            sa.Column("last_login_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
            sa.ForeignKeyConstraint(
                ["unit_id"],
                ["unit.id"],
            ),
            sa.PrimaryKeyConstraint("id"),
        )
        op.create_index("ix_staff_email", "staff", ["email"], unique=True)
    if "auditentry" not in existing:
        op.create_table(
            "auditentry",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
            sa.Column("staff_id", sa.Integer(), nullable=True),
            sa.Column("action", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
            sa.Column("child_id", sa.Integer(), nullable=True),
            sa.Column("detail", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
            sa.Column("address", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
            sa.ForeignKeyConstraint(
                ["staff_id"],
                ["staff.id"],
            ),
            sa.PrimaryKeyConstraint("id"),
        )
        op.create_index("ix_auditentry_action", "auditentry", ["action"])
        op.create_index("ix_auditentry_at", "auditentry", ["at"])
        op.create_index("ix_auditentry_child_id", "auditentry", ["child_id"])
        op.create_index("ix_auditentry_staff_id", "auditentry", ["staff_id"])
    if "child" not in existing:
        op.create_table(
            "child",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
            sa.Column("birth_year", sa.Integer(), nullable=True),
            sa.Column("birth_date", sa.Date(), nullable=True),
            sa.Column("language", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
            sa.Column(
                "home_languages", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=True
            ),
            sa.Column("unit_id", sa.Integer(), nullable=True),
            sa.Column("barnkontakt_id", sa.Integer(), nullable=True),
            sa.Column("followup_due", sa.Date(), nullable=True),
            sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
            sa.ForeignKeyConstraint(
                ["barnkontakt_id"],
                ["staff.id"],
            ),
            sa.ForeignKeyConstraint(
                ["unit_id"],
                ["unit.id"],
            ),
            sa.PrimaryKeyConstraint("id"),
        )
        op.create_index("ix_child_barnkontakt_id", "child", ["barnkontakt_id"])
        op.create_index("ix_child_barnkontakt_name", "child", ["barnkontakt_id", "name"])
        op.create_index("ix_child_followup_due", "child", ["followup_due"])
        op.create_index("ix_child_name", "child", ["name"])
        op.create_index("ix_child_unit_id", "child", ["unit_id"])
    if "guardian" not in existing:
        op.create_table(
            "guardian",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("child_id", sa.Integer(), nullable=False),
            sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
            sa.Column("language", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
            sa.Column("contact", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=True),
            sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
            sa.ForeignKeyConstraint(
                ["child_id"],
                ["child.id"],
            ),
            sa.PrimaryKeyConstraint("id"),
        )
        op.create_index("ix_guardian_child_id", "guardian", ["child_id"])
    if "summaryversion" not in existing:
        op.create_table(
            "summaryversion",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("child_id", sa.Integer(), nullable=False),
            sa.Column("number", sa.Integer(), nullable=False),
            sa.Column("content", sa.JSON(), nullable=True),
            sa.Column("content_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
            sa.Column("signed_by", sa.Integer(), nullable=False),
            sa.Column("signed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
            sa.ForeignKeyConstraint(
                ["child_id"],
                ["child.id"],
            ),
            sa.ForeignKeyConstraint(
                ["signed_by"],
                ["staff.id"],
            ),
            sa.PrimaryKeyConstraint("id"),
            sa.UniqueConstraint("child_id", "number"),
        )
        op.create_index("ix_summaryversion_child_id", "summaryversion", ["child_id"])
    if "consent" not in existing:
        op.create_table(
            "consent",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("child_id", sa.Integer(), nullable=False),
            sa.Column("given_by", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
            sa.Column("guardian_id", sa.Integer(), nullable=True),
            sa.Column("information", sa.JSON(), nullable=True),
            sa.Column("recipients", sa.JSON(), nullable=True),
            sa.Column("given_on", sa.Date(), nullable=False),
            sa.Column("valid_until", sa.Date(), nullable=False),
            sa.Column("informed", sa.Boolean(), nullable=False),
            sa.Column("recorded_by", sa.Integer(), nullable=True),
            sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
            sa.Column("withdrawn_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
            sa.ForeignKeyConstraint(
                ["child_id"],
                ["child.id"],
            ),
            sa.ForeignKeyConstraint(
                ["guardian_id"],
                ["guardian.id"],
            ),
            sa.ForeignKeyConstraint(
                ["recorded_by"],
                ["staff.id"],
            ),
            sa.PrimaryKeyConstraint("id"),
        )
        op.create_index("ix_consent_child_id", "consent", ["child_id"])
    if "conversation" not in existing:
        op.create_table(
            "conversation",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("child_id", sa.Integer(), nullable=False),
            sa.Column("guardian_id", sa.Integer(), nullable=True),
            sa.Column("flow_id", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
            sa.Column("flow_version", sa.Integer(), nullable=False),
            sa.Column("framework_id", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
            sa.Column("age", sa.Integer(), nullable=False),
            sa.Column("language", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
            sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
            sa.Column("link_nonce", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
            sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
            sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
            sa.Column("finished_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
            sa.ForeignKeyConstraint(
                ["child_id"],
                ["child.id"],
            ),
            sa.ForeignKeyConstraint(
                ["guardian_id"],
                ["guardian.id"],
            ),
            sa.PrimaryKeyConstraint("id"),
        )
        op.create_index(
            "ix_conversation_child_guardian_status",
            "conversation",
            ["child_id", "guardian_id", "status"],
        )
        op.create_index("ix_conversation_child_id", "conversation", ["child_id"])
        op.create_index("ix_conversation_guardian_id", "conversation", ["guardian_id"])
    if "answer" not in existing:
        op.create_table(
            "answer",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("conversation_id", sa.Integer(), nullable=False),
            sa.Column("step_id", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
            sa.Column("part", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
            sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
            sa.Column("value", sa.JSON(), nullable=True),
            sa.Column("words", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
            sa.Column("language", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
            sa.Column("answered_by", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
            sa.Column("request_key", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
            sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
            sa.Column("replaced_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
            sa.ForeignKeyConstraint(
                ["conversation_id"],
                ["conversation.id"],
            ),
            sa.PrimaryKeyConstraint("id"),
            sa.UniqueConstraint("conversation_id", "request_key"),
        )
        op.create_index("ix_answer_conversation_id", "answer", ["conversation_id"])
    if "conversationevent" not in existing:
        op.create_table(
            "conversationevent",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("conversation_id", sa.Integer(), nullable=False),
            sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
            sa.Column("step_id", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=True),
            sa.Column("detail", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
            sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
            sa.ForeignKeyConstraint(
                ["conversation_id"],
                ["conversation.id"],
            ),
            sa.PrimaryKeyConstraint("id"),
        )
        op.create_index(
            "ix_conversationevent_conversation_id", "conversationevent", ["conversation_id"]
        )
    if "invitation" not in existing:
        op.create_table(
            "invitation",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("guardian_id", sa.Integer(), nullable=False),
            sa.Column("conversation_id", sa.Integer(), nullable=False),
            sa.Column("nonce", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
            sa.Column("code_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
            sa.Column("failed_codes", sa.Integer(), nullable=False),
            sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
            sa.Column("expires_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
            sa.ForeignKeyConstraint(
                ["conversation_id"],
                ["conversation.id"],
            ),
            sa.ForeignKeyConstraint(
                ["guardian_id"],
                ["guardian.id"],
            ),
            sa.PrimaryKeyConstraint("id"),
            sa.UniqueConstraint("conversation_id"),
        )
        op.create_index("ix_invitation_guardian_id", "invitation", ["guardian_id"])
    if "safetyconcern" not in existing:
        op.create_table(
            "safetyconcern",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("conversation_id", sa.Integer(), nullable=False),
            sa.Column("step_id", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=True),
            sa.Column("note", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
            sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
            sa.Column("report_made_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
            sa.ForeignKeyConstraint(
                ["conversation_id"],
                ["conversation.id"],
            ),
            sa.PrimaryKeyConstraint("id"),
        )
        op.create_index("ix_safetyconcern_conversation_id", "safetyconcern", ["conversation_id"])
    if "summarydraft" not in existing:
        op.create_table(
            "summarydraft",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("child_id", sa.Integer(), nullable=False),
            sa.Column("conversation_id", sa.Integer(), nullable=True),
            sa.Column("notes", sa.JSON(), nullable=True),
            sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
            sa.Column("updated_by", sa.Integer(), nullable=True),
            sa.ForeignKeyConstraint(
                ["child_id"],
                ["child.id"],
            ),
            sa.ForeignKeyConstraint(
                ["conversation_id"],
                ["conversation.id"],
            ),
            sa.ForeignKeyConstraint(
                ["updated_by"],
                ["staff.id"],
            ),
            sa.PrimaryKeyConstraint("id"),
        )
        op.create_index("ix_summarydraft_child_id", "summarydraft", ["child_id"])


def downgrade() -> None:
    """Drop every table (and everything in them)."""
    for table in (
        "summarydraft",
        "safetyconcern",
        "invitation",
        "conversationevent",
        "answer",
        "conversation",
        "consent",
        "summaryversion",
        "guardian",
        "child",
        "auditentry",
        "staff",
        "unit",
        "setting",
    ):
        op.drop_table(table)
