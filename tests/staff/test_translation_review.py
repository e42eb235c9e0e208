"""Translators review a catalog in context, per message, and export their corrections as .po."""

from __future__ import annotations

import io
import re
from pathlib import Path

from babel.messages.pofile import read_po
from sqlmodel import select

from samtal import library
from samtal.config import ROOT
from samtal.db import get_session
from samtal.models import MessageReview
from samtal.tools.review import message_key
from tests.builders import csrf_token_of

REVIEW = "/arbete/oversattning/ti/granskning"
I18N = ROOT / "i18n"


def tigrinya(app):
    """The Tigrinya catalog as it is in the repository."""
    path = Path(app.config["BABEL_TRANSLATION_DIRECTORIES"]) / "ti" / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        return read_po(handle)


def review(client, key: str, translation: str, show: str = "alla"):
    """Post one message's review from the review page."""
    page = client.get(f"{REVIEW}?visa={show}").get_data(as_text=True)
    return client.post(
        REVIEW,
        data={
            "csrf_token": csrf_token_of(page),
            "message": key,
            "translation": translation,
            "visa": show,
            "sida": "1",
        },
    )


def test_a_correction_is_reviewed_shown_in_the_preview_and_exported(app, staff_client):
    translator, _staff = staff_client("oversattare")
    with app.app_context():
        hello = next(library.flows().flows["barn-4-6"].all_steps())
    key = message_key(None, hello.text)
    page = translator.get(f"{REVIEW}?visa=alla&sida=1").get_data(as_text=True)
    assert "0 av" in page
    corrected = "ሰላም! ኣነ ኪም እየ። ሎሚ ምሳይ ክትዛረብ ትደሊዶ?"
    assert tigrinya(app).get(hello.text).string != corrected
    assert review(translator, key, corrected).status_code == 303

    # The step's preview now shows the corrected question, in Tigrinya's direction and language.
    search = f"sok={hello.text[:12]}"
    listing = translator.get(f"{REVIEW}?visa=alla&{search}").get_data(as_text=True)
    assert "1 av" in listing
    item = listing.split(f'id="m-{key[:12]}"')[1].split("</li>")[0]
    preview = item.split('<div class="review-preview')[1]
    assert 'lang="ti" dir="ltr"' in preview and corrected in preview
    # The unreviewed list leaves it out.
    assert hello.text not in translator.get(f"{REVIEW}?{search}").get_data(as_text=True)
    overview = translator.get("/arbete/oversattning/").get_data(as_text=True)
    assert re.search(r"1 av \d+", overview)

    exported = translator.get(f"{REVIEW}/messages.po")
    assert exported.status_code == 200
    assert "ti-messages.po" in exported.headers["Content-Disposition"]
    catalog = read_po(io.BytesIO(exported.data))
    assert catalog.get(hello.text).string == corrected
    original = tigrinya(app)
    assert len([m for m in catalog if m.id]) == len([m for m in original if m.id])
    assert catalog.get("Ja").string == original.get("Ja").string
    # Written as the repository's file is: committed over it, only the correction changes.
    repository = (I18N / "ti" / "LC_MESSAGES" / "messages.po").read_text("utf-8").splitlines()
    changed = set(exported.get_data(as_text=True).splitlines()) ^ set(repository)
    assert changed == {f'msgstr "{corrected}"', f'msgstr "{tigrinya(app).get(hello.text).string}"'}


def test_a_correction_that_drops_a_placeholder_or_is_empty_is_refused(app, staff_client):
    translator, _staff = staff_client("admin")
    source = "%(first)d–%(last)d år"
    key = message_key(None, source)
    refused = review(translator, key, "ዓመት")
    assert refused.status_code == 400
    assert "%(first)d saknas" in refused.get_data(as_text=True)
    assert ">ዓመት</textarea>" in refused.get_data(as_text=True)  # what was typed is kept
    assert review(translator, key, "   ").status_code == 400
    with app.app_context():
        assert get_session().exec(select(MessageReview)).all() == []
    # Accepting the catalog's own translation records the review without a correction.
    assert review(translator, key, tigrinya(app).get(source).string).status_code == 303
    with app.app_context():
        (row,) = get_session().exec(select(MessageReview)).all()
        assert (row.language, row.correction) == ("ti", None)


def test_only_translators_and_admins_review_and_swedish_has_nothing_to_review(staff_client):
    barnkontakt, _staff = staff_client("barnkontakt")
    assert barnkontakt.get(REVIEW).status_code == 403
    admin, _staff = staff_client("admin")
    assert admin.get("/arbete/oversattning/sv/granskning").status_code == 404
    assert "Översättning" in admin.get("/arbete/admin/").get_data(as_text=True)


def test_the_admins_language_page_shows_what_is_reviewed(app, staff_client):
    admin, _staff = staff_client("admin")
    page = admin.get("/arbete/admin/sprak").get_data(as_text=True)
    assert page.count("inte granskad av en människa ännu") == len(app.config["LANGUAGES"]) - 1
    assert "granskat" not in page
    with app.app_context():
        source = tigrinya(app).get("Ja")
    assert review(admin, message_key(None, "Ja"), source.string).status_code == 303
    page = admin.get("/arbete/admin/sprak").get_data(as_text=True)
    assert "(1 meddelande granskat)" in page
    assert "/arbete/oversattning/" in page
