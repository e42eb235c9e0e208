"""Strict reading of what a request sends: ids and page numbers, dates, and text without
control characters (PostgreSQL refuses NUL; none of them is ever meant)."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from flask import Flask, Request
from werkzeug.datastructures import ImmutableMultiDict, MultiDict
from werkzeug.routing import IntegerConverter
from werkzeug.utils import cached_property

# The largest id either database stores in an integer column.
MAX_ID = 2**31 - 1
EARLIEST = date(1900, 1, 1)
LATEST = date(2200, 12, 31)
_ASCII_NUMBER = re.compile(r"[0-9]{1,10}")
# Control characters other than tab and newline (a pasted \r\n keeps its \n).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def number(text: str | None, *, minimum: int = 1, maximum: int = MAX_ID) -> int | None:
    """A whole number written in ASCII digits within [minimum, maximum], else None."""
    text = (text or "").strip()
    if not _ASCII_NUMBER.fullmatch(text):
        return None
    value = int(text)
    return value if minimum <= value <= maximum else None


def day(text: str | None) -> date | None:
    """A date written YYYY-MM-DD between 1900 and 2200, else None."""
    text = (text or "").strip()
    if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text):
        return None
    try:
        found = date.fromisoformat(text)
    except ValueError:
        return None
    return found if EARLIEST <= found <= LATEST else None


def clean_text(text: str) -> str:
    """Text without control characters (tab and newline stay)."""
    return _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def _cleaned(values: MultiDict[str, Any]) -> ImmutableMultiDict[str, Any]:
    return ImmutableMultiDict(
        [
            (clean_text(key), clean_text(value) if isinstance(value, str) else value)
            for key, value in values.items(multi=True)
        ]
    )


class CleanRequest(Request):
    """A request whose query and form values never carry control characters to a view."""

    @cached_property
    def args(self) -> ImmutableMultiDict[str, str]:  # type: ignore[override]
        return _cleaned(super().args)

    def _load_form_data(self) -> None:
        super()._load_form_data()
        self.__dict__["form"] = _cleaned(self.__dict__["form"])


class IdConverter(IntegerConverter):
    """<int:…> in a URL: ASCII digits only, and never beyond what the database stores."""

    regex = r"[0-9]{1,10}"

    def __init__(self, url_map: Any, fixed_digits: int = 0, min: int | None = None, **_kw: Any):
        super().__init__(url_map, fixed_digits=fixed_digits, min=min, max=MAX_ID)


def init_app(app: Flask) -> None:
    """Clean every request's text and bound every id in a URL (before any route is added)."""
    app.request_class = CleanRequest
    app.url_map.converters["int"] = IdConverter
