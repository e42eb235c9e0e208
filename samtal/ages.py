"""A child's age: the one rule, from the birth date (or only the year, if that is all we have)."""

from __future__ import annotations

from datetime import date

from samtal.models import Child, utcnow


def age_from(birth_date: date | None, birth_year: int | None, day: date) -> int | None:
    """Age in whole years on a day, from the birth date (or only the year, if that is all)."""
    if birth_date is not None:
        before_birthday = (day.month, day.day) < (birth_date.month, birth_date.day)
        return day.year - birth_date.year - before_birthday
    return day.year - birth_year if birth_year is not None else None


def age_of(child: Child, on: date | None = None) -> int | None:
    """The child's age in whole years on a day (today if not given)."""
    return age_from(child.birth_date, child.birth_year, on or utcnow().date())
