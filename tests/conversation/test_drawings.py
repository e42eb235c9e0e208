"""Drawing instead of words: a PNG checked on the server, kept with the answer, shown back."""

from __future__ import annotations

import base64
import io

import pytest
from PIL import Image
from sqlmodel import select

from samtal import library
from samtal.conversation import lifecycle, reading, records
from samtal.db import get_session
from samtal.models import Child, Conversation, Drawing
from samtal.records.owned import owned_rows
from tests.builders import answer, make_app, page_of, rows


def png_data_url(colour: str = "red", size: tuple[int, int] = (80, 60)) -> str:
    """A small drawing as the pad sends it."""
    image = Image.new("RGB", size, "white")
    image.paste(colour, (10, 10, 40, 30))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def _to_words_step(client, path: str) -> None:
    for fields in ({"value": "ja"}, {"value": "2"}, {"value": ["lunch"]}, {"value": "3"}):
        answer(client, path, **fields)
    answer(client, path, value="1")


def _drawings(app) -> list[Drawing]:
    with app.app_context():
        return list(get_session().exec(select(Drawing).order_by(Drawing.id)))  # type: ignore[arg-type]


def test_a_drawing_alone_is_an_answer_shown_back_to_the_child(app, client, start):
    """A drawing with no words is stored with the answer and shown in the child's review."""
    conversation, path = start()
    _to_words_step(client, path)
    assert answer(client, path, drawing=png_data_url()).status_code == 303
    stored = [r for r in rows(app, conversation.id) if r.step_id == "vanner.ord"]
    assert [(r.status, r.words) for r in stored] == [("answered", None)]
    [drawing] = _drawings(app)
    assert drawing.answer_id == stored[0].id and (drawing.width, drawing.height) == (80, 60)
    shown = client.get(f"{path}teckning/{drawing.id}")
    assert shown.status_code == 200 and shown.mimetype == "image/png"
    assert Image.open(io.BytesIO(shown.data)).size == (80, 60)
    answer(client, path, value=["mat"])
    answer(client, path, skip="vill_inte_svara")
    assert f"teckning/{drawing.id}" in page_of(client, path)


def test_another_conversation_cannot_see_the_drawing(app, client, start):
    """A drawing is shown only inside its own conversation's link."""
    _conversation, path = start()
    _to_words_step(client, path)
    answer(client, path, drawing=png_data_url())
    [drawing] = _drawings(app)
    _other, other_path = start()
    assert client.get(f"{other_path}teckning/{drawing.id}").status_code == 404


def test_changing_a_drawing_keeps_the_earlier_one_in_history(app, client, start):
    """A new drawing is a new revision of the answer; the earlier one stays with its revision."""
    conversation, path = start()
    _to_words_step(client, path)
    answer(client, path, words="Ett hus", drawing=png_data_url("red"))
    client.get(f"{path}andra/vanner.ord")
    answer(client, path, f"{path}andra/vanner.ord", words="Ett hus", drawing=png_data_url("blue"))
    revisions = [r for r in rows(app, conversation.id) if r.step_id == "vanner.ord"]
    assert len(revisions) == 2 and revisions[0].replaced_at is not None
    assert [d.answer_id for d in _drawings(app)] == [r.id for r in revisions]


def test_what_is_not_a_png_drawing_is_refused_kindly(app, client, start):
    """Not a PNG, broken data or too large: a kind message, 422, nothing stored."""
    conversation, path = start()
    _to_words_step(client, path)
    gif = "data:image/gif;base64," + base64.b64encode(b"GIF89a").decode()
    broken = "data:image/png;base64,iVBORw0KGgo="
    huge = "data:image/png;base64," + "A" * 800_000
    for sent in (gif, broken, huge, "data:image/png;base64,***"):
        response = answer(client, path, drawing=sent, words="Hej")
        assert response.status_code in (413, 422), response.status_code
        if response.status_code == 422:
            assert "Teckningen gick inte att spara" in response.get_data(as_text=True)
    assert not [r for r in rows(app, conversation.id) if r.step_id == "vanner.ord"]
    assert _drawings(app) == []


def test_a_drawing_is_the_childs_data_for_gallring_and_erasure(app, client, start):
    """The drawing's row is found with the child's other rows (so gallring removes it)."""
    conversation, path = start()
    _to_words_step(client, path)
    answer(client, path, drawing=png_data_url())
    [drawing] = _drawings(app)
    with app.app_context():
        child_id = get_session().get(Conversation, conversation.id).child_id
        assert get_session().get(Child, child_id) is not None
        assert drawing.id in owned_rows(get_session(), child_id)["drawing"]


def _childs(app, conversation_id: int, staff_id: int) -> int:
    """Make the conversation's child one of this barnkontakt's children; returns its id."""
    with app.app_context():
        session = get_session()
        child = session.get(Child, session.get(Conversation, conversation_id).child_id)
        child.barnkontakt_id = staff_id
        session.add(child)
        session.commit()
        return child.id


def test_the_barnkontakt_sees_the_drawing_in_the_summary_and_the_pdf(
    app, client, start, staff_client
):
    """The summary shows the drawing beside the words; the PDF carries it; others get 404."""
    conversation, path = start()
    _to_words_step(client, path)
    answer(client, path, words="Det är min kompis.", drawing=png_data_url())
    [drawing] = _drawings(app)
    desk, staff = staff_client()
    child_id = _childs(app, conversation.id, staff.id)
    summary = page_of(desk, f"/arbete/barn/{child_id}/sammanstallning")
    address = f"/arbete/barn/{child_id}/sammanstallning/teckning/{drawing.id}"
    assert address in summary and "Det är min kompis." in summary
    shown = desk.get(address)
    assert shown.status_code == 200 and shown.mimetype == "image/png"
    pdf = desk.get(f"/arbete/barn/{child_id}/sammanstallning/pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert pdf.data.count(b"/Subtype /Image") >= 1
    other, _other_staff = staff_client()
    assert other.get(address).status_code == 404


@pytest.fixture
def db_app(any_database_url):
    """The app on each database the product runs on."""
    app = make_app(any_database_url)
    with app.app_context():
        yield app
    app.extensions["samtal.engine"].dispose()


def test_a_drawing_is_stored_and_read_back_on_every_database(db_app):
    """The PNG goes in and comes out byte for byte (SQLite BLOB, PostgreSQL bytea)."""
    flow = library.flows().get("test-fast")
    assert flow is not None
    session = get_session()
    conversation = lifecycle.start_conversation(session=session, flow=flow, name="Testbarn", age=20)
    step = flow.step("vanner.ord")
    assert step is not None
    parsed = reading.read_answer(flow, step, {"drawing": [png_data_url()]}, {})
    assert parsed.drawing is not None
    assert records.store_answer(
        session=session,
        conversation=conversation,
        flow=flow,
        step=step,
        parsed=parsed,
        request_key="a",
    )
    given = records.stored_answers(session, conversation.id or 0)["vanner.ord"]
    assert given.drawing is not None
    stored = session.get(Drawing, given.drawing)
    assert stored is not None and stored.png == parsed.drawing[0]
