"""The installation's framework and the role's name, chosen by an admin: new conversations and
summaries follow the choice, and what was signed before stays exactly as it was."""

from __future__ import annotations

import json
import re

import jsonschema
import pytest
from sqlmodel import select

from samtal import library, settings
from samtal.config import ROOT
from samtal.conversation import followup, lifecycle
from samtal.conversation.engine import Given
from samtal.db import get_session
from samtal.models import AuditEntry, Child, Staff
from samtal.staff.summary.texts import compass
from samtal.summary import exports, store
from samtal.summary.build import Part, build_summary
from tests.builders import answer, csrf_token_of, finish, make_child, start_conversation_in

PAGE = "/arbete/admin/ramverk"
SCHEMA = json.loads((ROOT / "schema" / "summary-v1.schema.json").read_text(encoding="utf-8"))


def choose(client, framework: str, **names: str):
    """Post the framework page as an admin would."""
    page = client.get(PAGE).get_data(as_text=True)
    data = {"csrf_token": csrf_token_of(page), "framework": framework}
    data.update({f"role-{code}": name for code, name in names.items()})
    return client.post(PAGE, data=data)


def test_admin_chooses_framework_and_role_name_in_each_language(app, staff_client):
    client, _admin = staff_client("admin")
    page = client.get(PAGE).get_data(as_text=True)
    assert "Behovskompassen" in page and "Tre områden" in page
    response = choose(client, "tre_omraden", sv="trygghetsperson", en="trusted person")
    assert response.status_code == 303
    assert "är sparade" in client.get(PAGE).get_data(as_text=True)
    with app.test_request_context():
        session = get_session()
        assert settings.framework_id(session=session) == "tre_omraden"
        assert settings.role_name("sv") == "trygghetsperson"
        assert settings.role_name("en") == "trusted person"
        assert settings.role_name("fi") == "trygghetsperson"  # no Finnish name: the Swedish
        installed = settings.installed_flows()
        assert installed.for_age(20).id == "test-fast"
        assert installed.for_age(8) is None  # Behovskompassen's flows are not started now
        entry = session.exec(
            select(AuditEntry).where(AuditEntry.action == "framework_changed")
        ).one()
        assert "behovskompass → tre_omraden" in entry.detail


def test_bad_choices_are_refused_with_a_message_and_nothing_changes(app, staff_client):
    client, _admin = staff_client("admin")
    response = choose(client, "behovskompass", sv="  ")
    assert response.status_code == 422
    assert "Skriv rollens namn på svenska." in response.get_data(as_text=True)
    response = choose(client, "finns_inte", sv="barnkontakt")
    assert response.status_code == 422
    assert "Välj ett av ramverken i listan." in response.get_data(as_text=True)
    response = choose(client, "behovskompass", sv="x" * 41)
    assert response.status_code == 422
    with app.test_request_context():
        assert settings.framework_id(session=get_session()) == "behovskompass"
    barnkontakt_client, _staff = staff_client("barnkontakt")
    assert barnkontakt_client.get(PAGE).status_code in (302, 303, 403)


def test_signed_summary_and_exports_stay_byte_identical_after_a_change(app, staff_client):
    client, staff = staff_client("barnkontakt")
    child_id = make_child(app, staff.id)
    with app.test_request_context():
        session = get_session()
        signed = store.sign(
            session=session,
            child=session.get(Child, child_id),
            staff=session.get(Staff, staff.id),
        )
        assert signed.content["framework"]["role"] == "barnkontakt"
    base = f"/arbete/barn/{child_id}/sammanstallning"
    urls = [f"{base}/json?version=1", f"{base}/version/1"]

    def fetched() -> list[bytes]:
        # What differs from one download to the next by design: the export's own time stamp
        # and the page's per-response nonce and form token.
        moving = re.compile(rb'"exported_at": "[^"]*"|nonce="[^"]*"|value="[A-Za-z0-9._-]{20,}"')
        return [moving.sub(b"", client.get(url).get_data()) for url in urls]

    before = fetched()
    assert b'"role": "barnkontakt"' in before[0]

    admin, _admin = staff_client("admin")
    assert choose(admin, "tre_omraden", sv="trygghetsperson").status_code == 303

    assert fetched() == before
    with app.test_request_context():
        session = get_session()
        again = store.versions(session, child_id)[0]
        assert again.content_hash == signed.content_hash and store.verify(again)
        # The draft of a conversation run under the earlier framework keeps that framework
        # and its role's own name.
        draft = store.gather(session=session, child=session.get(Child, child_id))
        assert draft["framework"]["id"] == "behovskompass"
        assert draft["framework"]["role"] == "barnkontakt"


def test_the_summary_names_the_role_as_configured(app, staff_client):
    _client, staff = staff_client("barnkontakt")
    child_id = make_child(app, staff.id)
    admin, _admin = staff_client("admin")
    assert choose(admin, "behovskompass", sv="Barnets bästa-ansvarig").status_code == 303
    with app.test_request_context():
        session = get_session()
        content = store.gather(session=session, child=session.get(Child, child_id))
        assert content["framework"]["role"] == "Barnets bästa-ansvarig"


def test_a_conversation_under_a_new_framework_is_not_compared_area_by_area(app, staff_client):
    client, staff = staff_client("barnkontakt")
    child_id = make_child(app, staff.id, guardians=())
    admin, _admin = staff_client("admin")
    assert choose(admin, "tre_omraden", sv="trygghetsperson").status_code == 303
    with app.test_request_context():
        session = get_session()
        child = session.get(Child, child_id)
        flow = settings.installed_flows().get("test-fast")
        later = lifecycle.start_conversation(
            session=session, flow=flow, name=child.name, age=20, child=child
        )
        finish(session, later, {"mat.hur": "3"})
        # Nothing from the Behovskompassen conversation is recalled under the new framework.
        assert followup.load_previous(session, later, library.flows()) is None
    page = client.get(f"/arbete/barn/{child_id}").get_data(as_text=True)
    assert "Samtalen följer olika ramverk (Tre områden, Behovskompassen)" in page
    assert "Mat (Tre områden)" in page and "Omsorg (Behovskompassen)" in page
    assert "Förändring sedan förra gången" not in page


@pytest.mark.parametrize(
    ("flow_id", "count"), [("bbh-barn-10-12", 7), ("shanarri-barn-10-12", 8), ("test-fast", 3)]
)
def test_json_export_validates_for_each_number_of_areas(app, flow_id, count):
    """The export schema takes every shipped framework's summary (7, 8 and 3 areas)."""
    with app.test_request_context():
        flow = library.flows().get(flow_id)
        summary = build_summary(
            framework=flow.framework,
            header={"child_id": 1, "child_name": "Testbarn"},
            child_part=Part(
                flow=flow,
                answers={
                    flow.rating_step(flow.framework.areas[0].id).id: Given(
                        "answered", flow.scale[-1].value
                    )
                },
            ),
        )
        document = exports.document(summary, signed=None)
    assert len(summary["areas"]) == count
    jsonschema.validate(json.loads(exports.to_json(document)), SCHEMA)
    wheel_svg = str(compass(summary))
    assert wheel_svg.count("<line ") == count
    assert f"{flow.framework.name}: barnets och vårdnadshavarnas syn" in wheel_svg


def test_schema_refuses_two_or_thirteen_areas(app):
    with app.test_request_context():
        flow = library.flows().get("test-fast")
        summary = build_summary(framework=flow.framework, header={"child_id": 1}, child_part=None)
    areas = summary["areas"]
    for wrong in (areas[:2], areas * 5):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate({**summary, "areas": wrong}, {**SCHEMA, "$ref": "#/$defs/summary"})


def test_a_twelve_year_old_on_shanarri_talks_in_english(app, staff_client):
    """A GIRFEC installation: SHANARRI chosen, the Named Person named in English, the child's
    screens in English from the catalogs, and a summary of eight indicators."""
    admin, _admin = staff_client("admin")
    assert choose(admin, "shanarri", sv="Named Person", en="Named Person").status_code == 303
    _client, staff = staff_client("barnkontakt")
    with app.test_request_context():
        flow = settings.installed_flows().for_age(12)
        assert flow is not None and flow.id == "shanarri-barn-10-12"
    child_id = make_child(
        app, staff.id, flow_id=flow.id, age=12, language="en", picks={}, guardians=()
    )
    _conversation, path = start_conversation_in(app, "shanarri-barn-10-12", 12, "en")
    page = app.test_client().get(path).get_data(as_text=True)
    assert 'lang="en"' in page and "Hi!" in page
    with app.test_request_context():
        session = get_session()
        content = store.gather(session=session, child=session.get(Child, child_id))
        assert content["framework"]["id"] == "shanarri"
        assert content["framework"]["role"] == "Named Person"
        assert [a["id"] for a in content["areas"]] == [
            "safe",
            "healthy",
            "achieving",
            "nurtured",
            "active",
            "respected",
            "responsible",
            "included",
        ]
        from flask_babel import force_locale, gettext

        with force_locale("en"):
            assert [gettext(a.label) for a in flow.framework.areas] == [
                "Safe",
                "Healthy",
                "Achieving",
                "Nurtured",
                "Active",
                "Respected",
                "Responsible",
                "Included",
            ]


def test_every_flow_in_use_names_the_role_as_the_installation_does(app, staff_client):
    """No flow in use writes the role's name itself: a municipality that calls the
    barnkontakt something else sees its own name on the child's screen too."""
    with app.app_context():
        for flow in library.flows().flows.values():
            for step in flow.all_steps():
                for text in (step.text, step.end_text or ""):
                    assert "barnkontakt" not in text.casefold(), (flow.id, step.id)
    client, _admin = staff_client("admin")
    assert choose(client, "behovskompass", sv="trygghetsperson").status_code == 303
    _conversation, path = start_conversation_in(app, "barn-7-9", age=8)
    tablet = app.test_client()
    answer(tablet, path, value="ja")
    answer(tablet, path)  # "Det finns inga fel svar": onwards
    shown = tablet.get(path).get_data(as_text=True)
    assert "Din trygghetsperson läser det du säger." in shown


def test_a_question_naming_the_role_reads_with_the_role_in_the_summary(app, staff_client):
    """A guardian's question that names the role through %(role)s shows the role's name in
    the summary, never the placeholder."""
    client, staff = staff_client("barnkontakt")
    picks = {"ovrigt": "Han sover dåligt på söndagar."}
    child_id = make_child(app, staff.id, guardians=(("Anna", picks),))
    page = client.get(f"/arbete/barn/{child_id}/sammanstallning").get_data(as_text=True)
    assert "Är det något mer som ditt barns barnkontakt ska veta?" in page
    assert "%(role)s" not in page
