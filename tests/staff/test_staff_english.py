"""Staff pages in English (STAFF_LANGUAGE = "en"), e.g. for a GIRFEC installation: the catalog
covers every staff text, keeps its placeholders, and the pages speak English."""

from __future__ import annotations

import html
import re

from babel.messages.pofile import read_po

from samtal.config import ROOT
from tests.builders import csrf_token_of, login, make_app

I18N = ROOT / "i18n"
PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]")


def _ids(path):
    with path.open("rb") as handle:
        return {m.id if isinstance(m.id, str) else m.id[0]: m for m in read_po(handle) if m.id}


def test_english_staff_catalog_is_complete_and_keeps_placeholders():
    """Every staff text not in the family catalogs is translated, placeholders kept."""
    staff, family = _ids(I18N / "staff.pot"), _ids(I18N / "messages.pot")
    english = _ids(I18N / "staff" / "en" / "LC_MESSAGES" / "messages.po")

    def done(msgid):
        found = english.get(msgid)
        forms = (
            found.string if found and isinstance(found.string, tuple) else (found and found.string,)
        )
        return all(forms)

    missing = [i for i in staff if i not in family and not done(i)]
    assert not missing, f"{len(missing)} untranslated, e.g. {missing[:5]}"
    wrong = []
    for msgid, message in english.items():
        source = message.id if isinstance(message.id, tuple) else (message.id,)
        target = message.string if isinstance(message.string, tuple) else (message.string,)
        if all(target) and {p for s in source for p in PLACEHOLDER.findall(s)} != {
            p for t in target for p in PLACEHOLDER.findall(t)
        }:
            wrong.append(msgid)
    assert not wrong, wrong[:5]
    assert not [i for i, m in english.items() if m.fuzzy]


def test_staff_pages_speak_english_when_configured(tmp_path, make_staff):
    app = make_app(f"sqlite:///{tmp_path / 'en.db'}", STAFF_LANGUAGE="en")
    client = app.test_client()
    page = client.get("/logga-in").get_data(as_text=True)
    assert '<html lang="en"' in page and "Sign in" in page and "Logga in" not in page
    with app.app_context():
        from samtal.db import get_session
        from samtal.staff import accounts

        admin = accounts.create_staff(
            session=get_session(),
            email="named.person@council.example",
            name="Morag",
            role="admin",
            password="a long and good password here",
        )
    assert login(client, admin.email, "a long and good password here").status_code == 303
    page = client.get("/arbete/admin/ramverk").get_data(as_text=True)
    assert "Framework and role" in page and "The role's name" in page
    response = client.post(
        "/arbete/admin/ramverk",
        data={"csrf_token": csrf_token_of(page), "framework": "shanarri", "role-sv": ""},
    )
    assert response.status_code == 422
    assert "Write the role's name in Swedish." in html.unescape(response.get_data(as_text=True))
    # The families' pages keep their own language.
    assert '<html lang="sv"' in client.get("/").get_data(as_text=True)
    app.extensions["samtal.engine"].dispose()
