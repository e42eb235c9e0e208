"""The statistics page and its CSV: who sees them, and that they show no child."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from samtal import settings
from samtal.db import get_session
from tests.builders import YESTERDAY, login, make_app, make_child, months_back

NAME = "Hemliga Hilda"
WORDS = "Jag är rädd för pappa"


def seed(add_child) -> None:
    """Two units with a few children each, one named, one with own words, one small unit."""
    for n in range(6):
        add_child(
            unit="Ekskolan",
            child={"omsorg": "3" if n else "1", "trygghet": "2"},
            guardian={"omsorg": "4"},
            followup={"omsorg": "2"},
            wishes={"omsorg": ["mer_mat"]},
            decision="barnteam",
            concern=n == 0,
            name=NAME if n == 0 else f"Barn {n}",
            words=WORDS if n == 0 else None,
        )
    for n in range(5):
        add_child(unit="Björkens förskola", age=5, child={"omsorg": "3"}, name=f"Litet barn {n}")
    add_child(unit="Lilla skolan", age=14, child={"omsorg": "vet_inte"}, name="Ensam Elsa")


def test_statistik_lands_on_the_page_and_sees_no_child(add_child, staff_client):
    """After signing in the statistik role is on the statistics page: tables by age band and
    by unit, no child's name, no words anyone wrote, no link to a child, small groups hidden."""
    seed(add_child)
    client, _staff = staff_client("statistik")
    landing = client.get("/arbete/", follow_redirects=False)
    assert landing.headers["Location"].endswith("/arbete/statistik")
    for split in ("age", "unit"):
        page = client.get(f"/arbete/statistik?ar={YESTERDAY.year}&dela={split}")
        assert page.status_code == 200
        html = page.get_data(as_text=True)
        for secret in (NAME, WORDS, "Ensam Elsa", "Lilla skolan", "Vårdnadshavare till"):
            assert secret not in html
        assert not re.search(r'href="[^"]*/arbete/barn', html)
        assert "färre än 5" in html
        main = html[html.index("<main") : html.index("</main>")]
        assert "<svg" in main and "<script" not in main
    by_unit = client.get(f"/arbete/statistik?ar={YESTERDAY.year}&dela=unit").get_data(as_text=True)
    assert "Ekskolan" in by_unit and "Björkens förskola" in by_unit
    assert "Övriga enheter och barn utan enhet" in by_unit


def test_csv_has_the_same_protection_as_the_page(add_child, staff_client):
    """The CSV carries the page's figures and hides the same cells, and no child either."""
    seed(add_child)
    client, _staff = staff_client("statistik")
    response = client.get(f"/arbete/statistik.csv?ar={YESTERDAY.year}")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    text = response.get_data(as_text=True)
    for secret in (NAME, WORDS, "Ensam Elsa", "Lilla skolan"):
        assert secret not in text
    rows = [line.split(";") for line in text.lstrip("\ufeff").splitlines()]
    cells = {(r[1], r[2], r[3], r[4]): r[5] for r in rows[1:]}
    assert cells[("child.omsorg", "Enhet", "Ekskolan", "Inte bra")] == "färre än 5"
    assert cells[("activity", "Enhet", "Alla", "Barn med samtal")] == "12"
    assert cells[("activity", "Åldersgrupp", "Alla", "Barn med samtal")] == "12"
    page = client.get(f"/arbete/statistik?ar={YESTERDAY.year}&dela=unit").get_data(as_text=True)
    assert page.count("färre än 5") >= 1
    assert ("dold" in page) == any(value == "dold" for value in cells.values())


def test_barnkontakt_is_refused_and_admin_may_look(add_child, staff_client):
    """Statistics are for the statistik role and admins; a barnkontakt gets 403."""
    seed(add_child)
    barnkontakt, _ = staff_client("barnkontakt")
    assert barnkontakt.get("/arbete/statistik").status_code == 403
    assert barnkontakt.get("/arbete/statistik.csv").status_code == 403
    admin, _ = staff_client("admin")
    assert admin.get("/arbete/statistik").status_code == 200


def test_odd_choices_get_a_message_not_an_error(add_child, staff_client):
    """An unknown year or split falls back to the latest year by age band, with a message."""
    seed(add_child)
    client, _staff = staff_client("statistik")
    for query in ("ar=1066", "ar=abc", "dela=kommun"):
        response = client.get(f"/arbete/statistik?{query}")
        assert response.status_code == 200
        assert 'role="status"' in response.get_data(as_text=True)


def test_an_empty_database_says_so(staff_client):
    """Before any conversation the page says there is nothing to count yet; the CSV is empty."""
    client, _staff = staff_client("statistik")
    assert "inga samtal att räkna" in client.get("/arbete/statistik").get_data(as_text=True)
    assert client.get("/arbete/statistik.csv").get_data(as_text=True).count("\n") == 1


def test_figures_stay_the_same_all_day(app, add_child, staff_client):
    """Counted once a day and kept: a child added since does not change today's figures,
    also not in another app process on the same database."""
    seed(add_child)
    client, _staff = staff_client("statistik")
    before = client.get(f"/arbete/statistik.csv?ar={YESTERDAY.year}").get_data(as_text=True)
    for _ in range(6):
        add_child(unit="Ekskolan", child={"omsorg": "1"})
    assert client.get(f"/arbete/statistik.csv?ar={YESTERDAY.year}").get_data(as_text=True) == before
    other = make_app(app.config["DATABASE_URL"])
    try:
        other_client = other.test_client()
        login(other_client, _staff.email)
        after = other_client.get(f"/arbete/statistik.csv?ar={YESTERDAY.year}")
        assert after.get_data(as_text=True) == before
    finally:
        other.extensions["samtal.engine"].dispose()


def test_an_installation_on_another_framework_counts_its_own_children(app, staff_client):
    """Barnets bästa-hjulet chosen: the statistics count its children under its own areas.
    (They counted the framework most shipped flows use, and showed an empty page here.)"""
    with app.test_request_context():
        settings.save_framework(
            session=get_session(), chosen="barnets_basta", names={"sv": "Barnets bästa-ansvarig"}
        )
    _client, staff = staff_client("barnkontakt")
    for n in range(5):
        child_id = make_child(
            app, staff.id, flow_id="bbh-barn-7-9", picks={}, guardians=(), name=f"Barn {n}"
        )
        months_back(app, child_id, days=2)
    client, _statistik = staff_client("statistik")
    year = (datetime.now(UTC) - timedelta(days=2)).year
    text = client.get(f"/arbete/statistik.csv?ar={year}").get_data(as_text=True)
    rows = [line.split(";") for line in text.lstrip("\ufeff").splitlines()]
    cells = {(r[1], r[2], r[3], r[4]): r[5] for r in rows[1:]}
    assert cells[("activity", "Åldersgrupp", "Alla", "Barn med samtal")] == "5"
    assert any(key[0] == "child.hemmet" for key in cells)  # an area only this framework has
