"""`flask --app app layers check [DIR]`."""
from __future__ import annotations

from tests.conftest import copy_dataset, rewrite_layer


def test_check_reports_every_layer_and_passes_on_the_demo_data(app):
    result = app.test_cli_runner().invoke(args=["layers", "check"])
    assert result.exit_code == 0, result.output
    for name in ("boundary", "compounds", "buildings", "roads", "lanes", "streetlights", "facilities"):
        assert name in result.output
    assert "EPSG:4549" in result.output


def test_check_fails_naming_the_broken_layer(app, tmp_path):
    data_dir = copy_dataset(tmp_path / "data")
    rewrite_layer(data_dir, "lanes", lambda gdf: gdf.drop(columns=["width"]))
    result = app.test_cli_runner().invoke(args=["layers", "check", str(data_dir)])
    assert result.exit_code == 1
    assert "width" in result.output
