"""The child's screen over HTTP: a whole conversation, refused links and input, safe headers."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from itsdangerous import URLSafeTimedSerializer

from samtal.conversation import links
from samtal.db import get_session
from samtal.models import Conversation
from tests.builders import FAST_ANSWERS, answer, form_token, page_of, reload_conversation, rows


class Links(HTMLParser):
    """Collects the href of every <a> on a page."""

    def __init__(self):
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self.hrefs.append(dict(attrs).get("href") or "")


def hrefs(html: str) -> list[str]:
    parser = Links()
    parser.feed(html)
    return parser.hrefs


def test_link_opens_the_assent_question(client, start):
    """Opening the tablet link asks whether the child wants to talk."""
    _conversation, path = start()
    html = page_of(client, path)
    assert "Vill du prata?" in html
    assert 'value="ja"' in html and 'value="nej"' in html


def test_a_conversation_goes_on_with_the_version_it_began_with(client, start):
    """A 4–6 conversation begun before its flow changed goes on with its own version's steps
    (version 1's "no wrong answers" screen comes after the yes); a new one gets the new one."""
    _earlier, path = start("barn-4-6", version=1)
    assert answer(client, path, value="ja").status_code == 303
    assert "Vi ska prata om hur du har det." in page_of(client, path)
    _new, new_path = start("barn-4-6")
    assert "Det finns inga fel svar. Vill du prata med mig i dag?" in page_of(client, new_path)
    answer(client, new_path, value="ja")
    assert "Vi ska prata om hur du har det." not in page_of(client, new_path)


def test_whole_conversation_reaches_the_goodbye(app, client, start):
    """Answering every question ends at the goodbye and the conversation is completed."""
    conversation, path = start()
    for fields in FAST_ANSWERS:
        response = answer(client, path, **fields)
        assert response.status_code == 303
        assert response.headers["Location"].endswith(path)
    html = page_of(client, path)
    assert "Tack!" in html
    assert 'name="form_token"' not in html
    assert reload_conversation(app, conversation.id).status == "completed"
    stored = {row.step_id: row for row in rows(app, conversation.id)}
    assert stored["mat.bra"].value == ["godis", "frukt"]
    assert stored["vanner.ord"].words == "Jag har en vän som heter Ali."
    assert (stored["dela"].status, stored["dela"].value) == ("vill_inte_svara", None)


def test_review_shows_what_was_said(client, start):
    """The review screen lists the child's answers with a way to change each."""
    _conversation, path = start()
    for fields in FAST_ANSWERS[:-1]:
        answer(client, path, **fields)
    html = page_of(client, path)
    assert "Det här berättade du." in html
    for said in ("Godis", "Frukt", "Jag har en vän som heter Ali.", "Vill inte svara"):
        assert said in html
    assert f"{path}andra/mat.hur" in html


def test_no_ends_kindly_and_declines(app, client, start):
    """A no shows the kind end text and marks the conversation declined."""
    conversation, path = start()
    assert answer(client, path, value="nej").status_code == 303
    html = page_of(client, path)
    assert "Okej. Hej då!" in html and 'name="form_token"' not in html
    assert reload_conversation(app, conversation.id).status == "declined"


def test_htmx_gets_only_the_conversation_block(client, start):
    """An htmx request gets the conversation block alone; a normal request the whole page."""
    _conversation, path = start()
    partial = client.get(path, headers={"HX-Request": "true"}).get_data(as_text=True)
    whole = page_of(client, path)
    assert "<html" not in partial and 'id="samtal"' in partial and "Vill du prata?" in partial
    assert "<html" in whole and 'id="samtal"' in whole


def test_tampered_link_is_refused_in_swedish(client, start):
    """A link that is not whole, or signed by someone else, shows a kind Swedish 404."""
    conversation, path = start()
    token = path.split("/")[2]
    payload, stamp, signature = token.split(".")
    flipped = f"{payload}.{stamp}.{'A' if signature[0] != 'A' else 'B'}{signature[1:]}"
    forged = URLSafeTimedSerializer("not-the-secret", salt=links.TABLET_SALT).dumps(
        {"c": conversation.id, "n": conversation.link_nonce}
    )
    for bad in (flipped, forged, token[:-5], "inte-en-lank"):
        response = client.get(f"/samtal/{bad}/")
        assert response.status_code == 404
        assert "Länken fungerar inte" in response.get_data(as_text=True)


def test_expired_link_says_it_has_expired(app, client, start):
    """An old link gets 410 and says in Swedish that it has expired."""
    _conversation, path = start()
    app.config["TABLET_LINK_DAYS"] = -1
    response = client.get(path)
    assert response.status_code == 410
    assert "gått ut" in response.get_data(as_text=True)
    assert client.post(f"{path}svar", data={"value": "ja"}).status_code == 410


def test_revoked_link_is_refused(app, client, start):
    """Once the link is revoked (a new nonce) the old link opens nothing."""
    conversation, path = start()
    with app.app_context():
        session = get_session()
        stored = session.get(Conversation, conversation.id)
        stored.link_nonce = "ny-nonce"
        session.add(stored)
        session.commit()
    assert client.get(path).status_code == 404


def test_answer_is_post_redirect_get(client, start):
    """Answering redirects (303) back to the conversation, which then shows the next step."""
    _conversation, path = start()
    response = answer(client, path, value="ja")
    assert response.status_code == 303
    assert "Hur är maten?" in page_of(client, response.headers["Location"])


def test_post_without_form_token_stores_nothing(app, client, start):
    """A form without its token is sent back to the question, nothing stored."""
    conversation, path = start()
    response = client.post(f"{path}svar", data={"value": "ja"})
    assert response.status_code == 303
    assert rows(app, conversation.id) == []
    assert "Sidan var för gammal" in page_of(client, path)


def test_form_token_of_another_conversation_stores_nothing(app, client, start):
    """A form from another child's conversation cannot answer this one."""
    mine, path = start()
    theirs, their_path = start()
    other_token = form_token(page_of(client, their_path))
    response = client.post(f"{path}svar", data={"form_token": other_token, "value": "ja"})
    assert response.status_code == 303
    assert rows(app, mine.id) == [] and rows(app, theirs.id) == []


def test_step_that_is_not_current_stores_nothing(app, client, start):
    """A form for a later question is refused while an earlier one waits."""
    conversation, path = start()
    with app.test_request_context():
        later = links.step_form_token(conversation.id, "lek.hur")
    response = client.post(f"{path}svar", data={"form_token": later, "value": "2"})
    assert response.status_code == 303
    assert rows(app, conversation.id) == []


def test_value_not_offered_is_refused_in_swedish(app, client, start):
    """An answer that is not on the screen gets 422 and a Swedish message, nothing stored."""
    conversation, path = start()
    response = answer(client, path, value="kanske")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Det svaret finns inte här" in html and "Vill du prata?" in html
    assert rows(app, conversation.id) == []


def to_words_step(client, path: str) -> None:
    for fields in FAST_ANSWERS[:5]:
        answer(client, path, **fields)
    assert "Vill du säga mer?" in page_of(client, path)


def test_too_long_words_keep_the_typed_text(app, client, start):
    """Words over the limit get 422 with a message, and the text stays in the box."""
    conversation, path = start()
    to_words_step(client, path)
    typed = "Min dag var lång " * 130
    response = answer(client, path, words=typed)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Texten är för lång" in html
    assert typed.strip() in html
    assert "vanner.ord" not in {row.step_id for row in rows(app, conversation.id)}


def test_double_tap_stores_one_answer(app, client, start):
    """Sending the same form twice stores one answer."""
    conversation, path = start()
    token = form_token(page_of(client, path))
    for _ in range(2):
        response = client.post(f"{path}svar", data={"form_token": token, "value": "ja"})
        assert response.status_code == 303
    assert [row.step_id for row in rows(app, conversation.id)] == ["hej"]


def test_changing_an_earlier_answer_keeps_history(app, client, start):
    """Changing an answer via 'Ändra' stores the new one and keeps the old in history."""
    conversation, path = start()
    answer(client, path, value="ja")
    answer(client, path, value="1")
    answer(client, path, value=["lunch"])
    change = f"{path}andra/mat.hur"
    html = page_of(client, change)
    assert "Du ändrar ett svar" in html and "Hur är maten?" in html
    assert answer(client, path, page=change, value="3").status_code == 303
    revisions = [
        (r.value, r.replaced_at is None)
        for r in rows(app, conversation.id)
        if r.step_id == "mat.hur"
    ]
    assert revisions == [("1", False), ("3", True)]
    assert "Vad är bra?" in page_of(client, path)


def test_change_link_for_unanswered_step_goes_to_the_current_one(client, start):
    """A change link for a question not answered yet shows the current question instead."""
    _conversation, path = start()
    response = client.get(f"{path}andra/lek.hur")
    assert response.status_code == 303
    assert response.headers["Location"].endswith(path)


def test_every_response_has_a_strict_content_security_policy(client, start):
    """No page allows inline scripts or anything from another host."""
    _conversation, path = start()
    responses = [
        client.get(url)
        for url in (
            path,
            f"{path}vuxen/",
            "/",
            "/om-bilderna",
            "/bild/guide.svg",
            "/finns-inte",
            "/samtal/trasig/",
        )
    ]
    responses += [
        answer(client, path, value="kanske"),
        answer(client, path, value="ja"),
        client.post(f"{path}svar", data={"value": "x" * 1_400_000}),
    ]
    assert {r.status_code for r in responses} >= {200, 303, 404, 413, 422}
    for response in responses:
        url = response.request.path
        policy = response.headers["Content-Security-Policy"]
        assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
        for directive in policy.split(";"):
            name, *sources = directive.split()
            assert all(s in ("'self'", "'none'") for s in sources), (url, directive)
        assert "default-src 'none'" in policy


def test_child_page_links_only_to_the_conversation_and_the_adult_panel(client, start):
    """Nothing on the child's screen leads away from the conversation."""
    _conversation, path = start()
    pages = [page_of(client, path)]
    for fields in FAST_ANSWERS[:-1]:
        answer(client, path, **fields)
        pages.append(page_of(client, path))
    found = [href for html in pages for href in hrefs(html)]
    assert f"{path}vuxen/" in found
    assert any(href.startswith(f"{path}andra/") for href in found)
    assert all(href.startswith("#") or href.startswith(path) for href in found), found


def test_child_page_is_never_cached(client, start):
    """A page with a child's answers is never stored by a cache, even with ?v= added."""
    _conversation, path = start()
    for url in (path, f"{path}?v=1"):
        assert client.get(url).headers["Cache-Control"] == "no-store"


GARBAGE = [
    ("get", "x/y/z", None),
    ("get", "%ff%fe", None),
    ("get", "andra/%ff", None),
    ("get", "andra/" + "a" * 3000, None),
    ("get", "?step=%00%ff&v=<script>", None),
    ("get", "svar", None),
    ("put", "svar", {"value": "ja"}),
    ("delete", "", None),
    ("patch", "andra/mat.hur", None),
    ("post", "", {"value": "ja"}),
    ("post", "andra/mat.hur", {"value": "1"}),
    ("post", "svar", {"form_token": "x" * 10000}),
    ("post", "svar", {"form_token": "a.b.c", "value": ["ja", "nej"]}),
    ("post", "svar", {"value": "x" * 70000}),
    ("post", "svar", b"form_token=%ff%fe&value=\xff\xfe\x00"),
    ("post", "svar", {"form_token": "", "skip": "\x00"}),
]


@pytest.mark.parametrize(("method", "suffix", "data"), GARBAGE)
def test_garbage_never_breaks_the_server(client, start, method, suffix, data):
    """Odd paths, wrong methods, huge or broken input never give a server error."""
    _conversation, path = start()
    kwargs = {}
    if isinstance(data, bytes):
        kwargs = {"data": data, "content_type": "application/x-www-form-urlencoded"}
    elif data is not None:
        kwargs = {"data": data}
    response = getattr(client, method)(f"{path}{suffix}", **kwargs)
    assert response.status_code < 500
    assert client.get(path).status_code == 200


@pytest.mark.parametrize(
    "fields",
    [
        {"words": "a" * 60000},
        {"words": "Hej\x00då\x07!"},
        {"value": "ja", "skip": "vet_inte"},
    ],
)
def test_garbage_in_a_valid_form_never_breaks_the_server(client, start, fields):
    """Broken input sent with a real form token is refused or cleaned, never a server error."""
    _conversation, path = start()
    to_words_step(client, path)
    assert answer(client, path, **fields).status_code < 500


def test_pictures_are_svg_and_cached_for_a_year(client):
    """A versioned picture is SVG and may be cached for a year."""
    html = page_of(client, "/om-bilderna")
    url = re.search(r'src="(/bild/guide\.svg\?v=[0-9a-f]+)"', html)
    assert url
    response = client.get(url.group(1))
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    assert "max-age=31536000" in response.headers["Cache-Control"]
    assert b"<svg" in response.data
    assert client.get("/bild/finns.inte.svg").status_code == 404


def test_picture_credits_name_openmoji_and_the_licence(client):
    """The credits page names OpenMoji and CC BY-SA 4.0."""
    html = page_of(client, "/om-bilderna")
    assert "OpenMoji" in html and "CC BY-SA 4.0" in html
