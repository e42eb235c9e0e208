"""A follow-up's summary evaluates (issue 14 "Follow-up that evaluates").

Like with like: the child's follow-up beside the child's last conversation, each guardian's
follow-up beside their own last answers, each figure saying its round; a guardian who has not
answered in the child's round is not compared with the child. Only what the follow-up asked
is shown; the first round's notes stay in its signed version; the barnkontakt answers the
evaluation questions; the export is "Barnets plan – uppföljning".
"""

from __future__ import annotations

import html
import json
import re
from datetime import date, timedelta
from pathlib import Path

import jsonschema
import pytest
from sqlmodel import select

from samtal.conversation.followup import nearest_round, round_numbers
from samtal.db import get_session
from samtal.models import Conversation, utcnow
from samtal.staff import children
from samtal.summary.deidentify import deidentify, free_texts
from samtal.summary.sharing import prepare
from tests.builders import csrf_token_of, months_back, pdf_text, post, register, run_through

SCHEMA = json.loads(Path("schema/summary-v1.schema.json").read_text(encoding="utf-8"))
FIRST = {"omsorg.hur": "1", "trygghet.hur": "3", "ma_bra.hur": "2", "fritid.hur": "vet_inte"}
LATER = {"omsorg.hur": "3", "trygghet.hur": "1", "ma_bra.hur": "2", "fritid.hur": "2"}
AMIRA_FIRST = {"omsorg.hur": "2", "trygghet.hur": "5", "tolk": "ja"}
AMIRA_LATER = {"omsorg.hur": "4", "trygghet.hur": "2"}
JONAS_FIRST = {"omsorg.hur": "5", "trygghet.hur": "5", "tolk": "nej"}


def years_ago(years: int) -> str:
    today = date.today()
    return today.replace(year=today.year - years, day=min(today.day, 28)).isoformat()


def latest(app, child_id: int) -> Conversation:
    with app.app_context():
        found = (
            get_session().exec(select(Conversation).where(Conversation.child_id == child_id)).all()
        )
        return max(found, key=lambda c: c.id or 0)


def summary_json(client, child_id: int) -> dict:
    response = client.get(f"/arbete/barn/{child_id}/sammanstallning/json")
    assert response.status_code == 200
    document = response.get_json()
    jsonschema.Draft202012Validator(
        SCHEMA, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    ).validate(document)
    return document["summary"]


def area(summary: dict, area_id: str) -> dict:
    return next(a for a in summary["areas"] if a["id"] == area_id)


def text(page: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


@pytest.fixture
def followed_up(app, staff_client):
    """An 8-year-old's first round (the child, Amira and Jonas answered, the barnkontakt
    signed a summary with notes) four months ago; now the child's follow-up and Amira's are
    done, Jonas has not answered the follow-up. → (client, child id)."""
    client, _staff = staff_client("barnkontakt")
    child_id = register(client, birth_date=years_ago(8))
    page = f"/arbete/barn/{child_id}"
    assert post(client, f"{page}/samtal/annan", page, flow="barn-7-9").status_code == 303
    run_through(app, latest(app, child_id).id or 0, FIRST)
    with app.app_context():
        amira, jonas = children.guardians_of(get_session(), child_id)
    for guardian, picks in ((amira, AMIRA_FIRST), (jonas, JONAS_FIRST)):
        assert post(client, f"{page}/inbjudan", page, guardian_id=str(guardian.id)).status_code
        run_through(app, latest(app, child_id).id or 0, picks)
    summary_page = f"{page}/sammanstallning"
    signed = post(
        client,
        f"{summary_page}/signera",
        summary_page,
        anteckningar="1",
        **{"note-omsorg": "Första rundans anteckning om maten.", "q-gora_nu": "Frukost."},
        bekrafta="ja",
    )
    assert signed.status_code == 303
    months_back(app, child_id)
    assert post(client, f"{page}/samtal/annan", page, followup="1", language="sv").status_code
    run_through(app, latest(app, child_id).id or 0, LATER)
    followup = post(client, f"{page}/inbjudan", page, guardian_id=str(amira.id), followup="1")
    assert followup.status_code == 303
    run_through(app, latest(app, child_id).id or 0, AMIRA_LATER)
    return client, child_id


def test_rounds_are_counted_by_follow_ups_and_guardians_belong_to_the_nearest():
    """Round numbers: a first conversation run again is still round 0. A guardian's
    follow-up belongs to the child's follow-up nearest in time, never to the first round."""
    assert round_numbers(["first", "first", "followup", "followup"]) == [0, 0, 1, 2]
    start = utcnow()
    child = [(start, "first", 0), (start + timedelta(days=180), "followup", 1)]
    child.append((start + timedelta(days=360), "followup", 2))
    assert nearest_round(child, start + timedelta(days=3), "first") == 0
    assert nearest_round(child, start + timedelta(days=170), "followup") == 1
    assert nearest_round(child, start + timedelta(days=365), "followup") == 2
    assert nearest_round(child[:1], start + timedelta(days=200), "followup") is None


def test_the_child_is_compared_with_the_childs_last_conversation(followed_up):
    """Each area: the child's rating now, last time (with its round) and which way it went;
    Vet inte last time is no value, so no direction."""
    client, child_id = followed_up
    summary = summary_json(client, child_id)
    assert summary["header"]["purpose"] == "followup"
    assert summary["header"]["round"]["number"] == 1
    expected = {"omsorg": "better", "trygghet": "worse", "ma_bra": "same", "fritid": None}
    for area_id, change in expected.items():
        child = area(summary, area_id)["child"]
        assert child["before"]["rating"]["value"] == (FIRST[f"{area_id}.hur"] if change else None)
        assert child["before"]["round"]["number"] == 0
        assert child["change"] == change
    assert area(summary, "fritid")["child"]["before"]["rating"]["status"] == "vet_inte"


def test_guardians_are_compared_with_themselves_and_with_the_child_only_in_one_round(
    followed_up,
):
    """Amira answered the follow-up: beside her own first answers, and compared with the
    child. Jonas did not: his first answers are shown as from the first round and are not
    compared with the child's follow-up."""
    client, child_id = followed_up
    summary = summary_json(client, child_id)
    omsorg = area(summary, "omsorg")
    amira, jonas = omsorg["guardians"]
    assert (amira["round"]["number"], amira["same_round"]) == (1, True)
    assert amira["before"]["rating"]["value"] == "2" and amira["change"] == "better"
    assert amira["agreement"] == "nara"  # child 3 of 3, Amira 4 of 5
    assert (jonas["round"]["number"], jonas["same_round"]) == (0, False)
    assert "before" not in jonas
    assert jonas["agreement"] == "kan_inte_jamforas"  # 5 of 5 would have been "samma"

    page = client.get(f"/arbete/barn/{child_id}/sammanstallning").get_data(as_text=True)
    shown = text(page)
    assert "Barnets plan – uppföljning: Sam Berg" in shown
    assert "Barnet förra gången" in shown and "Förändring" in shown
    assert re.search(r"Barnet förra gången \(Första samtalet, [\d-]+\)", shown)
    assert "Omsorg Bra (3 av 3) Inte så bra (1 av 3) Bättre" in shown
    assert "Svar från Första samtalet" in shown and "Olika omgångar" in shown
    assert 'class="change-chart"' in page


def test_only_what_the_follow_up_asked_is_shown(followed_up):
    """The child's follow-up asks nothing about the meeting or the trusted adult, and
    Amira's follow-up not about an interpreter: no "Inget svar" for what was never asked.
    Jonas's first questionnaire asked about an interpreter, so his answer is there."""
    client, child_id = followed_up
    summary = summary_json(client, child_id)
    assert "meeting" not in summary["closing_asked"]
    closing = client.get(f"/arbete/barn/{child_id}/sammanstallning").get_data(as_text=True)
    closing = text(closing[closing.index('id="till-sist-rubrik"') :].split("</section>")[0])
    assert "Vem barnet vill ha med på mötet" not in closing
    assert "Den vuxna barnet helst vänder sig till" not in closing
    assert "Inget svar" not in closing
    assert closing.count("Vill ha tolk på mötet") == 1


def test_the_first_rounds_notes_stay_in_its_version_and_the_follow_up_starts_empty(
    followed_up,
):
    client, child_id = followed_up
    page = client.get(f"/arbete/barn/{child_id}/sammanstallning").get_data(as_text=True)
    assert "Första rundans anteckning" not in page
    assert "Har planen gjort skillnad för barnet?" in page
    assert "Vad står i vägen för barnets välbefinnande?" not in page
    first = client.get(f"/arbete/barn/{child_id}/sammanstallning/version/1")
    assert "Första rundans anteckning om maten." in first.get_data(as_text=True)


def test_the_evaluation_is_saved_checked_signed_and_exported(followed_up, tmp_path):
    """The barnkontakt's evaluation: a wrong choice is refused with a message and loses
    nothing typed; then it is signed, and the PDF is Barnets plan – uppföljning."""
    client, child_id = followed_up
    summary_page = f"/arbete/barn/{child_id}/sammanstallning"
    typed = {
        "anteckningar": "1",
        "e-skillnad": "Hon äter frukost i skolan varje dag nu.",
        "e-horts": "Barnet och Amira har sagt sitt. Jonas har inte svarat än.",
        "support_text": "Mer stöd med tryggheten på rasterna.",
    }
    refused = post(client, summary_page, summary_page, **typed, support="kanske")
    assert refused.status_code == 422
    again = html.unescape(refused.get_data(as_text=True))
    assert "Välj om stödet fortsätter, ändras eller avslutas." in again
    assert typed["e-skillnad"] in again and typed["support_text"] in again

    signed = post(
        client, f"{summary_page}/signera", summary_page, **typed, support="andras", bekrafta="ja"
    )
    assert signed.status_code == 303 and signed.headers["Location"].endswith("/version/2")
    evaluation = summary_json(client, child_id)["evaluation"]
    assert evaluation["questions"]["skillnad"] == typed["e-skillnad"]
    assert evaluation["support"] == {"code": "andras", "text": typed["support_text"]}

    listed = text(client.get(f"{summary_page}/versioner").get_data(as_text=True))
    assert re.search(r"Version 2 Uppföljning 1, [\d-]+ .* Version 1 Första samtalet, ", listed)
    compared = text(client.get(f"{summary_page}/jamfor?a=1&b=2").get_data(as_text=True))
    assert "Uppföljning Har planen gjort skillnad för barnet?" in compared
    assert "Första rundans anteckning om maten." in compared  # a note of round 1, not of 2

    pdf = client.get(f"{summary_page}/pdf")
    assert pdf.status_code == 200
    disposition = pdf.headers["Content-Disposition"]
    assert f'filename="barnets-plan-uppfoljning-{child_id}-v2.pdf"' in disposition
    words = " ".join(pdf_text(pdf.data, tmp_path).split())
    assert "Barnets plan – uppföljning: Sam Berg" in words
    assert "Har planen gjort skillnad för barnet?" in words
    assert typed["e-skillnad"] in words
    assert "Stödet ändras" in words
    assert "Förra gången (Första" in words  # beside each answer (columns side by side)


def test_a_guardians_copy_never_opens_what_was_kept_from_them_last_time():
    """A young person who kept an area from the guardians last time and shares it now: the
    guardians' copy has the answer now but not last time's, nor the change."""
    rating = {"status": "answered", "value": "2", "label": "", "picture": None}
    now = {**rating, "steps": 5, "position": 0.25}
    child = {"rating": now, "strengths": [], "wishes": [], "words": [], "other": []}
    child["before"] = {
        "rating": {**now, "value": "1", "position": 0.0},
        "round": {"number": 0, "date": "2026-01-12"},
        "kept_from_guardians": True,
    }
    child["change"] = "better"
    content = {
        "header": {"conversation_status": "completed"},
        "areas": [{"id": "halsa", "child": child, "guardians": [], "note": "", "translation": ""}],
        "priorities": [],
        "kept_from_guardians": [],
    }
    shown, _missing = prepare(content, audience="guardians")
    assert shown["areas"][0]["child"]["rating"]["value"] == "2"
    assert "before" not in shown["areas"][0]["child"]
    assert "change" not in shown["areas"][0]["child"]
    staff, _missing = prepare(content, audience="staff")
    assert staff["areas"][0]["child"]["before"]["rating"]["value"] == "1"


def test_csrf_token_is_on_the_evaluation_form(followed_up):
    """The evaluation is part of the one notes form: no separate, unprotected form."""
    client, child_id = followed_up
    page = client.get(f"/arbete/barn/{child_id}/sammanstallning").get_data(as_text=True)
    form = page[page.index('class="summary-form"') :].split("</form>")[0]
    assert csrf_token_of(form) and 'name="e-mer_stod"' in form and 'name="support"' in form


def test_a_consultation_carries_no_round_dates_and_only_approved_evaluation_text():
    """De-identified: the days of the rounds would date the conversations; the evaluation's
    free texts go only when approved, one by one, like every other free text."""
    summary = {
        "header": {"round": {"number": 1, "date": "2026-06-02"}},
        "areas": [
            {
                "id": "halsa",
                "child": {"before": {"round": {"number": 0, "date": "2026-01-12"}}},
                "guardians": [{"guardian_id": 7, "round": {"number": 1, "date": "2026-06-04"}}],
            }
        ],
        "guardians": [{"id": 7, "name": "Anna", "round": {"number": 1, "date": "2026-06-04"}}],
        "evaluation": {
            "questions": {"skillnad": "Hon mår bättre.", "horts": "Ja, båda."},
            "support": {"code": "fortsatta", "text": "Samma stöd, ny tid i maj."},
        },
    }
    texts = {t.key: t.text for t in free_texts(summary, ["Anna"])}
    assert set(texts) == {
        "evaluation/questions/skillnad",
        "evaluation/questions/horts",
        "evaluation/support/text",
    }
    shown = deidentify(summary, approved={"evaluation/questions/skillnad"})
    assert shown["evaluation"]["questions"] == {"skillnad": "Hon mår bättre.", "horts": ""}
    assert shown["evaluation"]["support"] == {"code": "fortsatta", "text": ""}
    assert "2026" not in json.dumps(shown)


def test_a_guardians_follow_up_sent_before_the_childs_waits_for_its_round(app, staff_client):
    """Amira answers her follow-up while the child's is still to come: the summary is still
    the first round's, so it shows her first-round answers, compared with the child's."""
    client, _staff = staff_client("barnkontakt")
    child_id = register(client, birth_date=years_ago(8))
    page = f"/arbete/barn/{child_id}"
    assert post(client, f"{page}/samtal/annan", page, flow="barn-7-9").status_code == 303
    run_through(app, latest(app, child_id).id or 0, FIRST)
    with app.app_context():
        amira, _jonas = children.guardians_of(get_session(), child_id)
    assert post(client, f"{page}/inbjudan", page, guardian_id=str(amira.id)).status_code == 303
    run_through(app, latest(app, child_id).id or 0, AMIRA_FIRST)
    months_back(app, child_id)
    followup = post(client, f"{page}/inbjudan", page, guardian_id=str(amira.id), followup="1")
    assert followup.status_code == 303
    run_through(app, latest(app, child_id).id or 0, AMIRA_LATER)

    summary = summary_json(client, child_id)
    assert summary["header"]["purpose"] == "first"
    [view] = area(summary, "omsorg")["guardians"]
    assert view["rating"]["value"] == AMIRA_FIRST["omsorg.hur"] and view["same_round"]
    assert view["agreement"] != "kan_inte_jamforas" and "before" not in view
