"""Statistics tests run on each database the product runs on: the figures are SQL."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial

import pytest
from flask import Flask

from tests.builders import make_app, store_child


@pytest.fixture
def app(any_database_url: str) -> Iterator[Flask]:
    """The app on SQLite and on PostgreSQL."""
    app = make_app(any_database_url)
    yield app
    app.extensions["samtal.engine"].dispose()


@pytest.fixture
def add_child(app: Flask) -> Callable[..., int]:
    """add_child(unit=…, age=…, child={area: value}, …) → id: tests.conftest.store_child."""
    return partial(store_child, app)
