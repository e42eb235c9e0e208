"""A conversation run under an earlier version of its flow is summarised with that version's
questions: answers to steps the newer version removed are in the summary, its JSON, its PDF
and the child's copy. With no version of its own kept, nothing it said vanishes either."""

from __future__ import annotations

import pytest
from sqlmodel import select

from samtal.db import get_session
from samtal.models import Answer, Conversation
from tests.builders import make_child, pdf_text

# Steps of barn-4-6 version 1 that version 2 does not have, or asks differently.
V1_PICKS = {
    "omsorg.hur": "3",
    "omsorg.bra": ["maten", "kramar"],  # several pictures: one in version 2
    "ansvarstagande.hur": "3",
    "ansvarstagande.bra": ["lek", "klader"],
    "respekteras.hur": "1",
    "respekteras.battre": ["tid"],
    "respekteras.ord": "Ingen har tid att lyssna.",
}
V1_SAID = ("Maten", "Kramar", "Vad vi ska leka", "Mina kläder", "Har tid med mig")


def summary_of(client, child_id: int) -> tuple[str, dict]:
    """The summary page and its JSON export."""
    base = f"/arbete/barn/{child_id}/sammanstallning"
    return client.get(base).get_data(as_text=True), client.get(f"{base}/json").get_json()


@pytest.fixture
def under_v1(app, staff_client):
    """A barnkontakt's client and a 5-year-old who talked under barn-4-6 version 1."""
    client, staff = staff_client("barnkontakt")
    child_id = make_child(
        app, staff.id, flow_id="barn-4-6", version=1, age=5, picks=V1_PICKS, guardians=()
    )
    return client, child_id


def test_answers_to_steps_the_new_version_removed_are_in_the_summary(under_v1, tmp_path):
    """The summary, its JSON and its PDF read version 1's steps: what the child chose there
    (several pictures where version 2 takes one) is shown under its area, as said."""
    client, child_id = under_v1
    page, document = summary_of(client, child_id)
    summary = document["summary"]
    assert (summary["header"]["flow"], summary["header"]["flow_version"]) == ("barn-4-6", 1)
    child = {area["id"]: area["child"] for area in summary["areas"]}
    assert [i["text"] for i in child["omsorg"]["strengths"]] == ["Maten", "Kramar"]
    assert [i["text"] for i in child["ansvarstagande"]["strengths"]] == [
        "Vad vi ska leka",
        "Mina kläder",
    ]
    assert [i["text"] for i in child["respekteras"]["wishes"]] == ["Har tid med mig"]
    assert [i["text"] for i in child["respekteras"]["words"]] == ["Ingen har tid att lyssna."]
    assert child["respekteras"]["rating"]["value"] == "1"
    assert summary["child_other"] == []
    pdf = pdf_text(client.get(f"/arbete/barn/{child_id}/sammanstallning/pdf").data, tmp_path)
    for said in (*V1_SAID, "Ingen har tid att lyssna."):
        assert said in page, said
        assert said in pdf, said
    assert "finns inte kvar i appen" not in page


def test_the_childs_copy_offers_what_was_said_under_the_earlier_version(under_v1):
    """The barnkontakt can tick version 1's answers for the child's take-home copy."""
    client, child_id = under_v1
    choice = client.get(f"/arbete/barn/{child_id}/sammanstallning/barnets-kopia/val")
    assert choice.status_code == 200
    page = choice.get_data(as_text=True)
    for said in V1_SAID:
        assert said in page, said


def test_answers_of_a_version_no_longer_kept_are_shown_under_their_step_ids(app, staff_client):
    """A conversation whose own version is gone is read with the newest one; answers to steps
    that one lacks stay in the summary, as stored, under the child's other answers with their
    step id, and the page says why."""
    client, staff = staff_client("barnkontakt")
    child_id = make_child(app, staff.id, flow_id="test-fast", age=20, picks={}, guardians=())
    with app.app_context():
        session = get_session()
        conversation = session.exec(
            select(Conversation).where(Conversation.child_id == child_id)
        ).one()
        conversation.flow_version = 1  # test-fast keeps only version 3
        gone = [
            Answer(conversation_id=conversation.id or 0, step_id="mat.forr", value=["glass"]),
            Answer(
                conversation_id=conversation.id or 0,
                step_id="mat.forr_ord",
                words="Jag vill ha glass varje dag.",
            ),
            Answer(conversation_id=conversation.id or 0, step_id="mat.tyst", status="vet_inte"),
        ]
        session.add_all([conversation, *gone])
        session.commit()
    page, document = summary_of(client, child_id)
    other = {o["question"]: o["items"] for o in document["summary"]["child_other"]}
    assert [i["text"] for i in other["mat.forr"]] == ["glass"]
    assert [(i["text"], i["own_words"]) for i in other["mat.forr_ord"]] == [
        ("Jag vill ha glass varje dag.", True)
    ]
    assert [(i["text"], i["status"]) for i in other["mat.tyst"]] == [("Vet inte", "vet_inte")]
    assert document["summary"]["header"]["flow_version"] == 1
    for shown in ("mat.forr", "glass", "Jag vill ha glass varje dag.", "finns inte kvar i appen"):
        assert shown in page, shown
