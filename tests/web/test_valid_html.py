"""Valid HTML: the Nu Html Checker (vnu.jar) finds no error on any kind of page Samtal serves.

The pages are rendered by the app as a child, a guardian and each staff role see them, with
data made through the real forms where there is one, and checked in one vnu run: the JVM
takes seconds to start, a page a moment. htmx is written data-hx-* in the templates (htmx
reads both spellings, the checker only knows data-*), so no message is filtered out.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import select

from samtal import library
from samtal.conversation import engine, invitations, records
from samtal.db import get_session
from samtal.flows.model import Step
from samtal.models import Child, Conversation, SafetyConcern
from samtal.staff import children
from tests.builders import (
    YESTERDAY,
    answer_steps,
    form_token,
    months_back,
    panel_pin,
    post,
    register,
    run_through,
    start_conversation_in,
    store_child,
)

VNU = Path(__file__).resolve().parents[2] / "node_modules/vnu-jar/build/dist/vnu.jar"
# "Bad value “2026-…” for attribute …": one mistake with many values is one line.
BAD_VALUE = re.compile(r"^Bad value “.*?” for")

Pages = dict[str, str]


def checker() -> list[str]:
    """The command that runs the Nu Html Checker; skip (fail in CI) when it is not installed."""
    java = shutil.which("java")
    if java is None or not VNU.is_file():
        message = "the Nu Html Checker needs java and node_modules/vnu-jar: run scripts/setup.sh"
        if os.environ.get("SAMTAL_REQUIRE_SERVICES") == "1":
            pytest.fail(message)
        pytest.skip(message)
    return [java, "-jar", str(VNU), "--format", "json", "--errors-only", "--exit-zero-always"]


def nu_errors(pages: Pages, folder: Path) -> list[str]:
    """What vnu finds wrong, per page: each kind of message once, with where it came first
    and how often, so one mistake in a loop reads as one line."""
    names = {}
    for number, (name, html) in enumerate(pages.items()):
        file = folder / f"{number:03d}.html"
        file.write_text(html, encoding="utf-8")
        names[str(file)] = name
    ran = subprocess.run([*checker(), *names], capture_output=True, text=True, check=True)
    found: dict[str, dict[str, list[str]]] = {}
    for message in json.loads(ran.stderr)["messages"]:
        page = names.get(message.get("url", "").removeprefix("file:"), "the checker")
        extract = " ".join(message.get("extract", "").split())
        seen = f"{message['message']}\n    line {message.get('lastLine', '?')}: …{extract}…"
        kind = BAD_VALUE.sub("Bad value for", message["message"])
        found.setdefault(page, {}).setdefault(kind, []).append(seen)
    report = []
    for page, kinds in found.items():
        report.append(f"{page}:")
        for places in kinds.values():
            times = f"\n    ({len(places)} times)" if len(places) > 1 else ""
            report.append(f"  {places[0]}{times}")
    return report


def text_of(response, expected: tuple[int, ...] = (200,)) -> str:
    """A page's HTML; it must be the page meant, not a redirect or a refusal by mistake."""
    assert response.status_code in expected, (response.request.path, response.status_code)
    return response.get_data(as_text=True)


def get(client: FlaskClient, path: str) -> str:
    return text_of(client.get(path))


def posted(client: FlaskClient, path: str, page: str, **data) -> str:
    """Send a page's form; → where the answer sends the browser (it must redirect)."""
    response = post(client, path, page, **data)
    assert response.status_code == 303, (path, response.status_code)
    return response.headers["Location"]


# ------------------------------------------------------------------ the families' pages


def current_step(app: Flask, conversation_id: int) -> Step | None:
    """The step a conversation is at now (None once it has ended)."""
    with app.test_request_context():
        session = get_session()
        conversation = session.get(Conversation, conversation_id)
        flow = library.flows().get(conversation.flow_id)
        return engine.position(flow, records.stored_answers(session, conversation_id)).step


def every_kind_of_step(
    app: Flask, client: FlaskClient, path: str, conversation_id: int, label: str
) -> Pages:
    """Walk a conversation with plain answers, keeping the first page of each kind of step
    (single and multiple choice apart), the page to change an answer from the review, and
    the goodbye."""
    pages: Pages = {}
    changeable = None
    for _ in range(300):
        step = current_step(app, conversation_id)
        if step is None or step.kind == "goodbye":
            pages[f"{label}: goodbye"] = get(client, path)
            return pages
        kind = step.kind + (" multiple" if step.multiple else "")
        pages.setdefault(f"{label}: {kind}", get(client, path))
        if step.kind == "rating" and changeable is None:
            changeable = step.id
        if step.kind == "review" and changeable is not None:
            pages[f"{label}: change an answer"] = get(client, f"{path}andra/{changeable}")
        answer_steps(app, conversation_id, step.id)
    raise AssertionError(f"{label}: the conversation never ended")


def unlock_panel(app: Flask, client: FlaskClient, path: str) -> str:
    """Open the adult's panel of a tablet path with its PIN; → the panel's path."""
    panel = f"{path}vuxen/"
    posted(client, panel, panel, pin=panel_pin(app, path))
    return panel


def child_pages(app: Flask) -> Pages:
    """Every kind of step in each style (young, standard, teen), right to left in Arabic and
    in a follow-up, with the adult's panel, the stop question and "Så går det till"."""
    pages: Pages = {}
    for flow_id, language, label in (
        ("barn-4-6", "sv", "child 4–6 (young)"),
        ("barn-7-9", "sv", "child 7–9 (standard)"),
        ("barn-13-17", "sv", "child 13–17 (teen)"),
        ("barn-7-9", "ar", "child 7–9 in Arabic (RTL)"),
        ("uppfoljning-7-9", "sv", "child's follow-up 7–9"),
    ):
        client = app.test_client()
        conversation, path = start_conversation_in(app, flow_id, language=language)
        pages[f"{label}: Så går det till"] = get(client, f"{path}sa-gar-det-till")
        pages[f"{label}: stop?"] = get(client, f"{path}sluta")
        pages[f"{label}: adult panel, confirm"] = get(client, f"{path}vuxen/")
        pages[f"{label}: adult panel"] = get(client, unlock_panel(app, client, path))
        pages.update(every_kind_of_step(app, client, path, conversation.id or 0, label))
    return pages


def guardian_pages(app: Flask) -> Pages:
    """The guardian's questionnaire in Swedish and Arabic with the copy of the answers, an
    answer refused, the code asked for, a link refused."""
    conversation, _tablet = start_conversation_in(app, "barn-7-9", age=8)

    def invite(language: str, with_code: bool = False) -> tuple[str, int]:
        with app.test_request_context():
            session = get_session()
            issued = invitations.issue(
                session=session,
                child=session.get(Child, conversation.child_id),
                flow=library.flows().for_audience("guardian")[0],
                guardian_name="Förälder",
                language=language,
                with_code=with_code,
            )
        return f"/v/{issued.token}/", issued.conversation.id or 0

    pages: Pages = {}
    for language in ("sv", "ar"):
        client = app.test_client()
        path, conversation_id = invite(language)
        label = f"guardian ({language})"
        pages[f"{label}: Så går det till"] = get(client, f"{path}sa-gar-det-till")
        pages.update(every_kind_of_step(app, client, path, conversation_id, label))
        pages[f"{label}: copy"] = get(client, f"{path}kopia")
    client = app.test_client()
    path, conversation_id = invite("sv")
    while (step := current_step(app, conversation_id)) and step.kind != "words":
        answer_steps(app, conversation_id, step.id)
    too_long = {"form_token": form_token(get(client, path)), "words": "å" * 2100}
    pages["guardian: words too long"] = text_of(client.post(f"{path}svar", data=too_long), (422,))
    path, _conversation_id = invite("sv", with_code=True)
    pages["guardian: asked for the code"] = get(app.test_client(), path)
    pages["guardian: refused link"] = text_of(app.test_client().get("/v/nonsense/"), (404,))
    return pages


def public_pages(app: Flask) -> Pages:
    client = app.test_client()
    pages = {
        "start page": get(client, "/"),
        "accessibility statement": get(client, "/tillganglighet"),
        "about the pictures": get(client, "/om-bilderna"),
        "staff login": get(client, "/logga-in"),
    }
    pages["not found"] = text_of(client.get("/finns-inte"), (404,))
    pages["tablet link refused"] = text_of(client.get("/samtal/nonsense/"), (404,))
    pages["password link refused"] = text_of(client.get("/nytt-losenord/nonsense"), (404,))
    return pages


# ------------------------------------------------------------------ the staff's pages


def years_ago(years: int) -> str:
    today = date.today()
    return today.replace(year=today.year - years, day=min(today.day, 28)).isoformat()


def latest_conversation(app: Flask, child_id: int) -> int:
    with app.app_context():
        found = get_session().exec(select(Conversation.id).where(Conversation.child_id == child_id))
        return max(i for i in found if i is not None)


def first_guardian(app: Flask, child_id: int) -> str:
    with app.app_context():
        return str(children.guardians_of(get_session(), child_id)[0].id)


def sign(client: FlaskClient, summary: str):
    """Send the summary's sign form, confirmed."""
    return post(client, f"{summary}/signera", summary, anteckningar="1", bekrafta="ja")


def registered_with_consent(app: Flask, client: FlaskClient, pages: Pages) -> int:
    """A child registered through the form, with the guardians' consent (refused first)."""
    pages["caseload, empty"] = get(client, "/arbete/barn")
    pages["register a child"] = get(client, "/arbete/barn/ny")
    child_id = register(client, birth_date=years_ago(8))
    child = f"/arbete/barn/{child_id}"
    pages["child page, new"] = get(client, child)
    with app.app_context():
        guardian_ids = [str(g.id) for g in children.guardians_of(get_session(), child_id)]
    consent = {
        "giver": guardian_ids,
        "information": "sammanstallning",
        "barnteam": "barnteam",
        "given_on": date.today().isoformat(),
        "valid_until": (date.today() + timedelta(days=200)).isoformat(),
    }
    form = f"{child}/samtycke"
    pages["consent"] = get(client, form)
    pages["consent refused"] = text_of(post(client, form, form, **consent), (422,))
    posted(client, form, form, **consent, informed="yes")
    post(client, f"{child}/vardnadshavare", child, new_guardian_name="")
    pages["child page with a message"] = get(client, child)
    return child_id


def first_conversation(app: Flask, client: FlaskClient, child_id: int, pages: Pages) -> None:
    """The child's conversation on another device with a concern marked in the adult's panel
    and decided in the workspace, a guardian's answers, the summary and its pages, signed."""
    child = f"/arbete/barn/{child_id}"
    summary = f"{child}/sammanstallning"
    link_page = get(client, posted(client, f"{child}/samtal/annan", child, flow="barn-7-9"))
    pages["conversation link (QR)"] = link_page
    tablet = urlsplit(link_page.split('id="link" value="', 1)[1].split('"', 1)[0]).path
    device = app.test_client()
    panel = unlock_panel(app, device, tablet)
    posted(device, f"{panel}oro", panel, note="Hen är rädd hemma")
    pages["adult panel with a concern"] = get(device, panel)
    run_through(app, latest_conversation(app, child_id))
    guardian_id = first_guardian(app, child_id)
    invitation = posted(client, f"{child}/inbjudan", child, guardian_id=guardian_id)
    pages["invitation"] = get(client, invitation)
    pages["invitation letter"] = get(client, f"{invitation}/brev")
    run_through(app, latest_conversation(app, child_id))
    pages["child page with an open concern"] = get(client, child)
    pages["summary of a first conversation"] = get(client, summary)
    pages["sign"] = get(client, f"{summary}/signera")
    pages["sign refused: open concern"] = text_of(sign(client, summary), (422,))
    with app.app_context():
        concern_id = get_session().exec(select(SafetyConcern.id)).one()
    posted(client, f"{child}/oro/{concern_id}/ingen-anmalan", child, reason="Redan känt")
    pages["consultation"] = get(client, f"{summary}/konsultation")
    choice = get(client, f"{summary}/barnets-kopia/val")
    pages["child's copy, what goes home"] = choice
    every = re.findall(r'name="med" value="([^"]+)"', choice)
    posted(client, f"{summary}/barnets-kopia/val", f"{summary}/barnets-kopia/val", med=every)
    pages["child's copy"] = get(client, f"{summary}/barnets-kopia")
    assert sign(client, summary).status_code == 303


def followup(app: Flask, client: FlaskClient, child_id: int, pages: Pages) -> None:
    """A round later, the child's follow-up and the guardian's, the summary of the follow-up
    (what changed since the first round) signed: the child page's timeline, the print view,
    the versions and the comparison."""
    child = f"/arbete/barn/{child_id}"
    summary = f"{child}/sammanstallning"
    months_back(app, child_id)
    posted(client, f"{child}/samtal/annan", child, followup="1", language="sv")
    run_through(app, latest_conversation(app, child_id), {"omsorg.hur": "1", "fritid.hur": "4"})
    guardian_id = first_guardian(app, child_id)
    posted(client, f"{child}/inbjudan", child, guardian_id=guardian_id, followup="1")
    run_through(app, latest_conversation(app, child_id))
    pages["child page with conversations, guardians, follow-up"] = get(client, child)
    pages["summary of a follow-up"] = get(client, summary)
    pages["print view"] = get(client, f"{summary}/utskrift")
    assert sign(client, summary).status_code == 303
    pages["versions"] = get(client, f"{summary}/versioner")
    pages["version 1"] = get(client, f"{summary}/version/1")
    pages["compare"] = get(client, f"{summary}/jamfor?a=1&b=2")
    pages["caseload"] = get(client, "/arbete/barn")
    pages["account"] = get(client, "/arbete/konto")
    pages["two-step sign-in, enrolment"] = get(client, "/arbete/konto/tvasteg")


def kiosk(client: FlaskClient) -> str:
    """A conversation started on this tablet: the page that asks the password to leave it."""
    child = f"/arbete/barn/{register(client, name='Vera Ek', birth_date=years_ago(11))}"
    posted(client, f"{child}/samtal/har", child, language="sv")
    return get(client, "/arbete/kiosk/lamna")


def admin_pages(client: FlaskClient, child_id: int, staff_id: int) -> Pages:
    paths = {
        "admin": "/arbete/admin/",
        "admin: children": "/arbete/admin/barn",
        "admin: a child": f"/arbete/admin/barn/{child_id}",
        "admin: break the seal": f"/arbete/barn/{child_id}/bryt-forseglingen",
        "admin: erase a child": f"/arbete/admin/barn/{child_id}/radera",
        "admin: units": "/arbete/admin/enheter",
        "admin: retention": "/arbete/admin/gallring",
        "admin: audit log": "/arbete/admin/logg",
        "admin: areas": "/arbete/admin/omraden",
        "admin: staff": "/arbete/admin/personal",
        "admin: a staff member": f"/arbete/admin/personal/{staff_id}",
        "admin: new staff member": "/arbete/admin/personal/ny",
        "admin: framework": "/arbete/admin/ramverk",
        "admin: languages": "/arbete/admin/sprak",
        "admin: two-step sign-in": "/arbete/admin/tvasteg",
    }
    pages = {name: get(client, path) for name, path in paths.items()}
    account = {"name": "Bo Barnkontakt", "email": "bo@kommun.example", "role": "barnkontakt"}
    created = get(client, posted(client, "/arbete/admin/personal/ny", "/arbete/admin/", **account))
    pages["admin: account created, its one-time link"] = created
    link = re.findall(r'value="http://localhost(/nytt-losenord/[^"]+)"', created)[0]
    pages["set a password"] = get(client.application.test_client(), link)
    return pages


def statistics_pages(app: Flask, client: FlaskClient) -> Pages:
    """Enough children in one unit for the figures to be shown, by age band and by unit."""
    for n in range(6):
        store_child(
            app,
            child={"omsorg": str(1 + n % 5)},
            guardian={"omsorg": "4"},
            followup={"omsorg": "2"},
            decision="barnteam",
            name=f"Barn {n}",
        )
    return {
        f"statistics by {split}": get(client, f"/arbete/statistik?ar={YESTERDAY.year}&dela={split}")
        for split in ("age", "unit")
    }


def test_every_kind_of_page_is_valid_html(app: Flask, staff_client, tmp_path: Path):
    """The families', the guardians' and the staff's pages have no error in the Nu checker."""
    checker()
    pages = public_pages(app)
    pages.update(child_pages(app))
    pages.update(guardian_pages(app))
    barnkontakt, barnkontakt_staff = staff_client("barnkontakt")
    child_id = registered_with_consent(app, barnkontakt, pages)
    first_conversation(app, barnkontakt, child_id, pages)
    followup(app, barnkontakt, child_id, pages)
    pages["kiosk: leave the child's screen"] = kiosk(barnkontakt)
    admin, _admin = staff_client("admin")
    pages.update(admin_pages(admin, child_id, barnkontakt_staff.id))
    statistik, _statistik = staff_client("statistik")
    pages.update(statistics_pages(app, statistik))
    translator, _translator = staff_client("oversattare")
    pages["translation"] = get(translator, "/arbete/oversattning/")
    pages["translation: review (ar)"] = get(translator, "/arbete/oversattning/ar/granskning")
    pages["translation: recordings (ar)"] = get(translator, "/arbete/oversattning/ar/inspelningar")
    errors = nu_errors(pages, tmp_path)
    assert not errors, f"The Nu Html Checker, {len(pages)} pages:\n" + "\n".join(errors)
