"""A municipality's own wheel beside the code: a folder with its framework, its flow and its own
catalogs; the app runs it in Swedish and in a family's language, and each mistake in it is
explained in plain Swedish with the file and the step."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.pofile import read_po, write_po

from samtal.flows import FlowError
from samtal.tools.translations import update_wheel
from tests.builders import make_app, start_conversation_in

FRAMEWORK = """id = "vart_hjul"
version = 1
name = "Vårt hjul"
role = "trygg vuxen"

[[areas]]
id = "skolan"
label = "Skolgården"
description = "Rasterna och leken ute."
picture = "area.fritid"

[[areas]]
id = "maten"
label = "Maten"
description = "Att äta och bli mätt."
picture = "area.omsorg"

[[areas]]
id = "vilan"
label = "Vilan"
description = "Att sova och vila."
picture = "area.ma_bra"
"""

FLOW = """id = "vart-barn"
version = 1
audience = "child"
framework = "vart_hjul"
ages = [30, 31]
scale = "faces3"

[[intro]]
id = "hej"
kind = "assent"
text = "Hej! Ska vi prata om skolgården?"
options = [
  { value = "ja", text = "Ja" },
  { value = "nej", text = "Nej", ends_conversation = true },
]
end_text = "Okej. Hej då!"

[[areas.skolan]]
id = "skolan.hur"
kind = "rating"
summary = "rating"
text = "Hur är det på skolgården?"

[[areas.maten]]
id = "maten.hur"
kind = "rating"
summary = "rating"
text = "Hur är maten i skolan?"

[[areas.vilan]]
id = "vilan.hur"
kind = "rating"
summary = "rating"
text = "Hur sover du?"

[[outro]]
id = "granska"
kind = "review"
text = "Stämmer det här?"

[[outro]]
id = "hejda"
kind = "goodbye"
text = "Tack för att du pratade med mig!"
"""


def own_wheel(root: Path, framework: str = FRAMEWORK, flow: str = FLOW) -> Path:
    """A folder as a municipality would make it: flows/vart_hjul/{frameworks/, flow file}."""
    pack = root / "flows" / "vart_hjul"
    (pack / "frameworks").mkdir(parents=True)
    (pack / "frameworks" / "vart_hjul.toml").write_text(framework, encoding="utf-8")
    (pack / "barn.toml").write_text(flow, encoding="utf-8")
    return pack


def test_own_wheel_runs_with_its_own_catalogs(tmp_path):
    pack = own_wheel(tmp_path)
    with pytest.raises(FlowError) as refused:
        make_app(
            f"sqlite:///{tmp_path / 'a.db'}",
            EXTRA_FLOW_DIRS=[str(tmp_path / "flows")],
            CHECK_TRANSLATION_TEMPLATE=True,
        )
    assert "saknas i översättningsmallen" in str(refused.value)

    counts = dict((language, (done, left)) for language, done, left in update_wheel(pack))
    assert (pack / "i18n" / "messages.pot").is_file()
    # "Ja", "Nej", "Maten" … are translated by the app already; the wheel's own texts are left.
    assert counts["en"][0] >= 3 and counts["en"][1] >= 5
    english = pack / "i18n" / "en" / "LC_MESSAGES" / "messages.po"
    with english.open("rb") as handle:
        catalog = read_po(handle, locale="en")
    catalog["Hur är det på skolgården?"].string = "How is it in the schoolyard?"
    catalog["Skolgården"].string = "The schoolyard"
    catalog["Hej! Ska vi prata om skolgården?"].string = "Hi! Shall we talk about the schoolyard?"
    with english.open("wb") as handle:
        write_po(handle, catalog, width=76)
    update_wheel(pack)

    app = make_app(
        f"sqlite:///{tmp_path / 'b.db'}",
        EXTRA_FLOW_DIRS=[str(tmp_path / "flows")],
        CHECK_TRANSLATION_TEMPLATE=True,
    )
    assert "vart_hjul" in app.extensions["samtal.flows"].frameworks
    client = app.test_client()
    _conversation, path = start_conversation_in(app, "vart-barn", language="en")
    page = client.get(path).get_data(as_text=True)
    assert "Hi! Shall we talk about the schoolyard?" in page  # the wheel's own catalog
    assert "Yes" in page  # "Ja" from the app's own catalog
    _conversation, swedish = start_conversation_in(app, "vart-barn", language="sv")
    assert "Hej! Ska vi prata om skolgården?" in client.get(swedish).get_data(as_text=True)
    with app.test_request_context():
        from flask_babel import force_locale, gettext

        with force_locale("en"):
            assert gettext("Hur är det på skolgården?") == "How is it in the schoolyard?"
            assert gettext("Skolgården") == "The schoolyard"
            assert gettext("Ja") == "Yes"
    app.extensions["samtal.engine"].dispose()


BROKEN = {
    "two areas only": (
        FRAMEWORK[: FRAMEWORK.index('[[areas]]\nid = "vilan"')],
        FLOW,
        "vart_hjul.toml",
        None,
        "ett ramverk ska ha mellan 3 och 12 områden; det här har 2",
    ),
    "an area without questions": (
        FRAMEWORK,
        FLOW.replace('[[areas.vilan]]\nid = "vilan.hur"', '[[outro]]\nid = "vilan.hur"', 1)
        .replace('summary = "rating"\ntext = "Hur sover du?"', 'summary = "other"\ntext = "Hur?"')
        .replace('kind = "rating"\nsummary = "other"', 'kind = "words"\nsummary = "other"'),
        "barn.toml",
        None,
        "området 'vilan' saknas: varje område behöver minst ett steg",
    ),
    "no summary role": (
        FRAMEWORK,
        FLOW.replace(
            'kind = "rating"\nsummary = "rating"\ntext = "Hur sover du?"',
            'kind = "rating"\ntext = "Hur sover du?"',
        ),
        "barn.toml",
        "vilan.hur",
        "steget säger inte vad svaret är i sammanställningen",
    ),
    "an unknown picture": (
        FRAMEWORK.replace('picture = "area.ma_bra"', 'picture = "area.vilan"'),
        FLOW,
        "barn.toml",
        "area vilan",
        "okänd bild 'area.vilan'",
    ),
}


@pytest.mark.parametrize(
    ("framework", "flow", "file", "step", "says"), BROKEN.values(), ids=BROKEN.keys()
)
def test_a_broken_own_wheel_is_explained(tmp_path, framework, flow, file, step, says):
    own_wheel(tmp_path, framework, flow)
    with pytest.raises(FlowError) as refused:
        make_app(f"sqlite:///{tmp_path / 'c.db'}", EXTRA_FLOW_DIRS=[str(tmp_path / "flows")])
    assert refused.value.file.endswith(file)
    assert refused.value.step == step
    assert says in refused.value.message
