"""Consent rules: who must have consented, to what, with whom, and for how long."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import cast

import pytest

from samtal.models import Consent, Guardian
from samtal.staff import consent
from samtal.staff.consent import covers, describe, missing, read_consent_form

TODAY = date(2026, 3, 10)
MOTHER, FATHER = 11, 12


def given(
    by: str = "guardian",
    guardian_id: int | None = MOTHER,
    information: tuple[str, ...] = ("sammanstallning",),
    recipients: tuple[str, ...] = ("barnteam",),
    given_on: date = date(2026, 1, 1),
    valid_until: date = date(2026, 12, 31),
    informed: bool = True,
    withdrawn_at: datetime | None = None,
) -> Consent:
    """A consent as recorded."""
    return Consent(
        id=hash((by, guardian_id, information, recipients)) % 1000,
        child_id=1,
        given_by=by,
        guardian_id=guardian_id if by == "guardian" else None,
        information=list(information),
        recipients=list(recipients),
        given_on=given_on,
        valid_until=valid_until,
        informed=informed,
        withdrawn_at=withdrawn_at,
    )


def check(
    consents,
    *,
    age=10,
    guardians=(MOTHER,),
    information="sammanstallning",
    recipient="barnteam",
    on=TODAY,
) -> bool:
    """covers() with the usual case filled in."""
    return covers(
        consents,
        information=information,
        recipient=recipient,
        on_date=on,
        child_age=age,
        guardian_ids=guardians,
        consent_age=15,
    )


def test_one_guardian_who_consented_covers_sharing():
    """The only guardian on record consented: covered."""
    assert check([given()])


def test_two_guardians_both_have_to_consent():
    """With two guardians on record, one consent is not enough; both are."""
    assert not check([given(guardian_id=MOTHER)], guardians=(MOTHER, FATHER))
    assert check([given(guardian_id=MOTHER), given(guardian_id=FATHER)], guardians=(MOTHER, FATHER))


def test_without_guardian_ids_every_guardian_named_on_record_counts():
    """Not told who the guardians are, covers() takes everyone who ever consented."""
    withdrawn = given(guardian_id=FATHER, withdrawn_at=datetime(2026, 2, 1, tzinfo=UTC))
    consents = [given(guardian_id=MOTHER), withdrawn]
    assert not covers(
        consents,
        information="sammanstallning",
        recipient="barnteam",
        on_date=TODAY,
        child_age=10,
    )


@pytest.mark.parametrize(
    ("age", "child_consented", "covered"),
    [
        (14, False, True),
        (15, False, False),
        (15, True, True),
        (17, True, True),
    ],
)
def test_the_child_consents_too_from_fifteen(age, child_consented, covered):
    """From the consent age the child's own consent is needed as well as the guardians'."""
    consents = [given()] + ([given(by="child", guardian_id=None)] if child_consented else [])
    assert check(consents, age=age) is covered


def test_the_consent_age_comes_from_the_configuration(app):
    """CHILD_CONSENT_AGE changes the age at which the child's consent is needed."""
    with app.app_context():
        app.config["CHILD_CONSENT_AGE"] = 13
        assert consent.child_must_consent(13)
        assert not covers(
            [given()],
            information="sammanstallning",
            recipient="barnteam",
            on_date=TODAY,
            child_age=13,
            guardian_ids=[MOTHER],
        )
    assert consent.child_consent_age() == 15  # outside the app: the default


def test_a_child_consent_alone_does_not_replace_the_guardians():
    """The child's consent comes in addition to the guardians', never instead."""
    assert not check([given(by="child", guardian_id=None)], age=16)


def test_withdrawn_consent_no_longer_counts_but_did_before():
    """A withdrawal takes effect from the day it was recorded."""
    withdrawn = [given(withdrawn_at=datetime(2026, 3, 1, 9, 0, tzinfo=UTC))]
    assert not check(withdrawn)
    assert check(withdrawn, on=date(2026, 2, 28))


def test_expired_and_not_yet_valid_consent_do_not_count():
    """Outside given_on … valid_until a consent is not in force."""
    assert not check([given(valid_until=date(2026, 3, 9))])
    assert check([given(valid_until=TODAY)])
    assert not check([given(given_on=date(2026, 3, 11))])


def test_wrong_information_or_recipient_is_not_covered():
    """Consent is for named information and named recipients only."""
    assert not check([given()], information="barnets_svar")
    assert not check([given()], recipient="Socialtjänsten")
    named = [given(recipients=("Elevhälsan Norra",))]
    assert check(named, recipient="elevhälsan  norra")
    assert not check(named, recipient="barnteam")


def test_consent_without_informed_does_not_count():
    """They must have been told what it means."""
    assert not check([given(informed=False)])


def test_nobody_to_consent_means_no_consent():
    """No guardian on record and a child under the consent age: nothing is covered."""
    assert not check([], guardians=())
    assert missing(
        [],
        information="sammanstallning",
        recipient="barnteam",
        on_date=TODAY,
        child_age=8,
        guardian_ids=[],
        consent_age=15,
    ) == [("guardian", None)]


def test_missing_names_who_still_has_to_consent():
    """missing() says which guardians (and whether the child) still have to consent."""
    lacking = missing(
        [given(guardian_id=MOTHER)],
        information="sammanstallning",
        recipient="barnteam",
        on_date=TODAY,
        child_age=16,
        guardian_ids=[MOTHER, FATHER],
        consent_age=15,
    )
    assert lacking == [("guardian", FATHER), ("child", None)]


def test_describe_shows_who_what_with_whom_and_state(app):
    """describe() gives readable lines, newest first, with the state on that day."""
    consents = [
        given(guardian_id=MOTHER, recipients=("barnteam", "BUP")),
        given(
            guardian_id=FATHER,
            withdrawn_at=datetime(2026, 3, 2, tzinfo=UTC),
            given_on=date(2026, 2, 1),
        ),
    ]
    with app.test_request_context():
        lines = describe(consents, on_date=TODAY, guardian_names={MOTHER: "Amira", FATHER: "Jonas"})
    assert [line.giver for line in lines] == ["Jonas", "Amira"]
    assert lines[0].state == "withdrawn" and lines[0].withdrawn_on == date(2026, 3, 2)
    assert lines[1].state == "valid"
    assert lines[1].recipients == ["Barnteam", "BUP"]
    assert lines[1].information == ["Sammanställningen"]


def form(**fields) -> dict[str, list[str]]:
    """A submitted consent form, filled in unless told otherwise."""
    base = {
        "giver": [str(MOTHER)],
        "information": ["sammanstallning"],
        "barnteam": ["barnteam"],
        "services": ["Elevhälsan\n\n  BUP  "],
        "given_on": [TODAY.isoformat()],
        "valid_until": ["2027-03-01"],
        "informed": ["yes"],
    }
    base.update({k: v if isinstance(v, list) else [v] for k, v in fields.items()})
    return base


class Guardianish:
    """Just enough of a Guardian for the form reader."""

    def __init__(self, id_: int):
        self.id = id_


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"giver": []}, "giver"),
        ({"giver": ["999"]}, "giver"),
        ({"information": ["hemligt"]}, "information"),
        ({"barnteam": [], "services": [""]}, "recipients"),
        ({"services": ["x" * 81]}, "services"),
        ({"given_on": "igår"}, "given_on"),
        ({"given_on": "2026-03-11"}, "given_on"),
        ({"valid_until": ""}, "valid_until"),
        ({"valid_until": "2026-03-09"}, "valid_until"),
        ({"valid_until": "2030-01-01"}, "valid_until"),
        ({"informed": []}, "informed"),
    ],
)
def test_the_consent_form_refuses_what_is_missing_in_swedish(app, fields, field):
    """Each missing or wrong part of the form gets its own Swedish message."""
    with app.test_request_context():
        checked, errors = read_consent_form(
            form(**fields),
            guardians=[cast(Guardian, Guardianish(MOTHER))],
            child_age=9,
            today=TODAY,
        )
    assert checked is None
    assert field in errors and errors[field]


def test_the_consent_form_reads_recipients_and_the_child_from_fifteen(app):
    """Named services one per line; the child's box counts only from the consent age."""
    with app.test_request_context():
        checked, errors = read_consent_form(
            form(giver=[str(MOTHER), "child"]),
            guardians=[cast(Guardian, Guardianish(MOTHER))],
            child_age=15,
            today=TODAY,
        )
        young, _ = read_consent_form(
            form(giver=[str(MOTHER), "child"]),
            guardians=[cast(Guardian, Guardianish(MOTHER))],
            child_age=9,
            today=TODAY,
        )
    assert not errors and checked is not None
    assert checked.recipients == ["barnteam", "Elevhälsan", "BUP"]
    assert checked.givers == [("guardian", MOTHER), ("child", None)]
    assert young is not None and young.givers == [("guardian", MOTHER)]
