"""A sibling link under the child's-data rules: erasing or gallring either child removes it,
the other child stays whole, and the register extract says a sibling is linked, never which."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import jsonschema
import pytest
from flask import Flask
from sqlalchemy import update
from sqlmodel import col, select

from samtal.config import ROOT
from samtal.db import get_session
from samtal.models import Child, Guardian, SiblingLink, Staff
from samtal.records import erasure, extract
from samtal.records.owned import owned_rows
from samtal.staff import accounts
from tests.builders import STAFF_PASSWORD, make_app, post

SCHEMA = json.loads((ROOT / "schema" / "register-extract-v1.schema.json").read_text())


@pytest.fixture
def db_app(any_database_url) -> Iterator[Flask]:
    """The app on SQLite and on PostgreSQL."""
    app = make_app(any_database_url)
    yield app
    app.extensions["samtal.engine"].dispose()


def three_linked(app: Flask) -> tuple[int, int, int, int]:
    """Three children of one barnkontakt, the first linked to both others: (ids…, staff id)."""
    with app.app_context():
        session = get_session()
        staff = accounts.create_staff(
            session=session,
            email="bk@kommun.example",
            name="Bea Kontakt",
            role="barnkontakt",
            password=STAFF_PASSWORD,
        )
        children = [
            Child(name=name, birth_date=date(2016, 1, 1), barnkontakt_id=staff.id)
            for name in ("Ines Ek", "Jon Ek", "Kai Ek")
        ]
        session.add_all(children)
        session.flush()
        session.add(Guardian(child_id=children[1].id or 0, name="Lotta Ek"))
        first, second, third = (c.id or 0 for c in children)
        session.add(SiblingLink(child_id=first, sibling_id=second, created_by=staff.id))
        session.add(SiblingLink(child_id=first, sibling_id=third, created_by=staff.id))
        session.commit()
        return first, second, third, staff.id or 0


def links(app: Flask) -> list[tuple[int, int]]:
    with app.app_context():
        return sorted(
            (row.child_id, row.sibling_id) for row in get_session().exec(select(SiblingLink))
        )


def test_erasing_either_child_removes_the_link_and_nothing_of_the_other(db_app):
    first, second, third, _staff = three_linked(db_app)
    with db_app.app_context():
        session = get_session()
        # Both ends find the link among their rows (the higher id too, through sibling_id).
        assert len(owned_rows(session, second)["siblinglink"]) == 1
        assert len(owned_rows(session, first)["siblinglink"]) == 2
        assert owned_rows(session, second)["child"] == {second}  # never the sibling's row
        child = session.get(Child, second)
        assert child is not None
        counted = erasure.erase_child(
            session=session, child=child, category="begaran", reason="Dnr 2026/4"
        )
        assert counted["siblinglink"] == 1 and counted["guardian"] == 1
    assert links(db_app) == [(first, third)]
    with db_app.app_context():
        session = get_session()
        assert session.get(Child, first) is not None and session.get(Child, third) is not None
        assert session.get(Child, second) is None


def test_gallring_of_one_child_removes_its_links(db_app):
    first, second, third, _staff = three_linked(db_app)
    long_ago = datetime.now(UTC) - timedelta(days=30 * 31)
    with db_app.app_context():
        session = get_session()
        session.execute(update(Child).where(col(Child.id) == first).values(created_at=long_ago))
        session.commit()
    result = db_app.test_cli_runner().invoke(args=["samtal", "gallra"])
    assert result.exit_code == 0, result.output
    assert "1 barn raderade" in result.output and "syskonlänkar: 2" in result.output
    assert links(db_app) == []
    with db_app.app_context():
        session = get_session()
        assert session.get(Child, second) is not None and session.get(Child, third) is not None


def test_the_register_extract_says_a_sibling_is_linked_never_which(db_app):
    _first, second, _third, staff_id = three_linked(db_app)
    with db_app.app_context():
        session = get_session()
        child = session.get(Child, second)
        assert child is not None
        document = extract.build(session=session, child=child, made_by="Test admin")
        staff = session.get(Staff, staff_id)
        assert staff is not None
    jsonschema.Draft202012Validator(
        SCHEMA, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    ).validate(document)
    assert document["version"] == "1.1"
    [linked] = document["sibling_links"]
    assert set(linked) == {"id", "created_by", "created_at"}
    assert linked["created_by"] == staff_id
    assert {"id": staff_id, "name": staff.name, "role": "barnkontakt"} in document["staff"]
    assert "siblinglink" not in document["other_records"]
    text = json.dumps(document, ensure_ascii=False)
    assert "Ines" not in text and "Kai" not in text and "sibling_id" not in text


def test_the_extract_as_pdf_names_the_link_for_the_admin(app, staff_client, tmp_path):
    """The admin's PDF of the extract has a Syskon part that names no child."""
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext is not installed (poppler-utils): run scripts/setup.sh")
    _first, second, _third, _staff = three_linked(app)
    client, _admin = staff_client("admin")
    extract_path = f"/arbete/admin/barn/{second}/registerutdrag.pdf"
    glass = client.get(extract_path).headers["Location"]  # the admin writes down why first
    post(client, glass, glass, reason="Begäran om registerutdrag, ärende 2026-7", next=extract_path)
    response = client.get(extract_path)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    file = tmp_path / "utdrag.pdf"
    file.write_bytes(response.data)
    text = subprocess.run(
        ["pdftotext", str(file), "-"], check=True, capture_output=True, text=True
    ).stdout
    text = " ".join(text.split())
    assert "Barnet är länkat till ett syskons registrering i Samtal." in text
    assert "Jon Ek" in text and "Ines" not in text and "Kai" not in text
