"""The API tests run on both backends: each test gets an app on a fresh, migrated database of its own."""
from __future__ import annotations

import pytest

from tests.accounts import client_as
from tests.conftest import make_app


@pytest.fixture()
def api_app(empty_url):
    """An app on the demo data whose DATABASE_URL is a new database on the backend (SQLite or PostGIS)."""
    app = make_app(DATABASE_URL=empty_url)
    yield app
    app.extensions["store"].engine.dispose()  # before the backend drops the database


@pytest.fixture()
def api(api_app):
    """A client acting as an administrator (by API token); tests of roles make their own with client_as."""
    return client_as(api_app, "admin")


@pytest.fixture()
def anonymous(api_app):
    return api_app.test_client()
