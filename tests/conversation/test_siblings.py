"""The guardian is asked about the child's siblings in every guardian flow, first and
follow-up, under every framework: how they are, whether they need someone to talk to. The
answers reach the barnkontakt's summary and the guardian's own review and copy."""

from __future__ import annotations

import pytest

from samtal import library
from samtal.conversation import engine, invitations
from samtal.db import get_session
from samtal.flows import Flow
from samtal.models import Child
from samtal.summary.build import Part, build_summary
from tests.builders import finish

GUARDIAN_FLOWS = [
    "vardnadshavare",
    "uppfoljning-vardnadshavare",
    "bbh-vardnadshavare",
    "bbh-uppfoljning-vardnadshavare",
    "shanarri-vardnadshavare",
    "shanarri-uppfoljning-vardnadshavare",
]
PICKS = {"syskon": "ja", "syskon_hur": "Lillasyster saknar pappa.", "syskon_prata": "ja"}


def guardian_flow(app, flow_id: str) -> Flow:
    with app.app_context():
        flow = library.flows().get(flow_id)
    assert flow is not None and flow.audience == "guardian", flow_id
    return flow


def _walk(flow: Flow, siblings: str) -> list[str]:
    """The outro steps a guardian sees, answering the sibling question with `siblings`."""
    answers: dict[str, engine.Given] = {}
    for step in flow.all_steps():
        if step.asks and step.kind != "review" and step.id != "syskon":
            answers[step.id] = engine.Given("vill_inte_svara")
    answers["syskon"] = engine.Given("answered", siblings)
    shown = [s.id for s in flow.outro if engine.applies(s, answers)]
    return [s for s in shown if s.startswith("syskon")]


def test_every_guardian_flow_is_one_of_these(app):
    """A guardian flow added later gets the sibling questions too (or this list grows)."""
    with app.app_context():
        found = {
            f.id
            for f in library.flows().for_audience("guardian", purpose=None)
            if f.framework.id in ("behovskompass", "barnets_basta", "shanarri")
        }
    assert found == set(GUARDIAN_FLOWS)


@pytest.mark.parametrize("flow_id", GUARDIAN_FLOWS)
def test_the_guardian_is_asked_how_siblings_are_only_when_there_are_any(app, flow_id):
    """ "Ja" leads to how the siblings are and whether they need someone to talk to."""
    flow = guardian_flow(app, flow_id)
    assert _walk(flow, "ja") == ["syskon", "syskon_hur", "syskon_prata"]
    assert _walk(flow, "nej") == ["syskon"]
    asked, how = flow.step("syskon_prata"), flow.step("syskon_hur")
    assert asked is not None and how is not None
    assert asked.text == "Behöver något av syskonen också någon att prata med?"
    assert asked.summary == "sibling_support"
    followup = flow.purpose == "followup"
    assert how.text == ("Hur har syskonen det nu?" if followup else "Hur har syskonen det?")


@pytest.mark.parametrize("flow_id", GUARDIAN_FLOWS)
def test_the_summary_shows_the_sibling_answers_with_their_questions(app, flow_id):
    flow = guardian_flow(app, flow_id)
    answers = {
        "syskon": engine.Given("answered", "ja"),
        "syskon_hur": engine.Given("answered", words=PICKS["syskon_hur"], by="guardian"),
        "syskon_prata": engine.Given("answered", "ja"),
    }
    summary = build_summary(
        framework=flow.framework,
        header={"child_name": "Testbarn"},
        child_part=None,
        guardian_parts=[Part(flow=flow, answers=answers, name="Förälder", ref=1)],
    )
    shown = summary["guardians"][0]["other"]
    other = {o["question"]: [i["text"] for i in o["items"]] for o in shown}
    how = flow.step("syskon_hur")
    assert how is not None
    assert other["Har barnet syskon?"] == ["Ja"]
    assert other[how.text] == [PICKS["syskon_hur"]]
    assert other["Behöver något av syskonen också någon att prata med?"] == ["Ja"]


@pytest.mark.parametrize(
    ("flow_id", "language", "expected"),
    [
        ("vardnadshavare", "sv", "Hur har syskonen det?"),
        ("uppfoljning-vardnadshavare", "sv", "Hur har syskonen det nu?"),
        ("shanarri-uppfoljning-vardnadshavare", "en", "How are the siblings doing now?"),
        ("bbh-uppfoljning-vardnadshavare", "ar", "كيف حال الإخوة والأخوات الآن؟"),
    ],
)
def test_the_guardians_own_copy_shows_the_sibling_answers(
    app, client, start, flow_id, language, expected
):
    """The review (and the copy made from it) lists the sibling questions, in their language."""
    conversation, _path = start("barn-7-9", age=8)
    with app.test_request_context():
        session = get_session()
        child = session.get(Child, conversation.child_id)
        flow = library.flows().get(flow_id)
        assert child is not None and flow is not None
        issued = invitations.issue(
            session=session, child=child, flow=flow, guardian_name="Förälder", language=language
        )
        finish(session, issued.conversation, PICKS)
    copy = client.get(f"/v/{issued.token}/kopia")
    assert copy.status_code == 200
    page = copy.get_data(as_text=True)
    assert expected in page and PICKS["syskon_hur"] in page
