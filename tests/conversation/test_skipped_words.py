"""An empty words box is skipped, not refused: stored as its own status and shown as nothing."""

from __future__ import annotations

from samtal import library
from samtal.conversation import engine, records
from samtal.db import get_session
from samtal.summary import build
from tests.builders import answer, rows


def _to_words_step(client, path: str) -> None:
    for fields in ({"value": "ja"}, {"value": "2"}, {"value": ["lunch"]}, {"value": "3"}):
        answer(client, path, **fields)
    answer(client, path, value="1")


def test_an_empty_save_is_skipped_and_shown_as_nothing(app, client, start):
    """Saving an empty box stores 'skipped'; the review and the summary show nothing for it."""
    conversation, path = start()
    _to_words_step(client, path)
    assert answer(client, path, words="   ").status_code == 303
    stored = [r for r in rows(app, conversation.id) if r.step_id == "vanner.ord"]
    assert [(r.status, r.words) for r in stored] == [("skipped", None)]
    answer(client, path, value=["mat"])
    answer(client, path, skip="vill_inte_svara")
    review = client.get(path).get_data(as_text=True)
    assert "Det här berättade du" in review
    assert "Vill du säga mer?" not in review
    with app.test_request_context():
        flow = library.flows().get("test-fast")
        answers = records.stored_answers(get_session(), conversation.id)
        given = answers["vanner.ord"]
        assert engine.answer_labels(flow, flow.step("vanner.ord"), given) == []
        assert build.items(flow, flow.step("vanner.ord"), given) == []


def test_only_the_button_records_a_refusal(app, client, start):
    """The 'Vill inte svara' button is a refusal, shown back as one."""
    conversation, path = start()
    _to_words_step(client, path)
    answer(client, path, skip="vill_inte_svara")
    stored = [r for r in rows(app, conversation.id) if r.step_id == "vanner.ord"]
    assert [r.status for r in stored] == ["vill_inte_svara"]
    assert "Vill inte svara" in client.get(path).get_data(as_text=True)
