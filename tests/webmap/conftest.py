"""Fixtures shared by the tests that read the service with real clients (GDAL, OWSLib, QGIS, ogrinfo)."""
from __future__ import annotations

import pytest

from tests.conftest import make_app

SEED_TODAY = "2021-03-31"  # the survey and nine months after it


@pytest.fixture(scope="session")
def demo_app():
    """An app holding the demo data as seeded on SEED_TODAY; the tests that use it only read."""
    app = make_app()
    result = app.test_cli_runner().invoke(args=["seed", "--today", SEED_TODAY])
    assert result.exit_code == 0, result.output
    return app
