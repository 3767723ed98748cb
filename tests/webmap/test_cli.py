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


def test_check_fails_on_a_polygon_invalid_once_rounded_naming_layer_feature_and_crs(app, tmp_path):
    """Valid in full precision, a self-intersection once rounded as published (as 黄家小区 was)."""
    from shapely.geometry import Polygon

    def spike(gdf):
        x, y = gdf.loc[gdf["id"] == "huangjia"].geometry.iloc[0].centroid.coords[0]
        # a rectangle with a zero-width spike out along its south edge, its corner 1 µm off that edge
        spiked = Polygon([(x, y), (x + 20, y), (x + 10, y + 1e-6), (x + 10, y + 15), (x, y + 15)])
        assert spiked.is_valid
        gdf.loc[gdf["id"] == "huangjia", "geometry"] = spiked
        return gdf

    data_dir = copy_dataset(tmp_path / "data")
    rewrite_layer(data_dir, "compounds", spike)
    result = app.test_cli_runner().invoke(args=["layers", "check", str(data_dir)])
    assert result.exit_code == 1
    assert "compounds: NOT OK" in result.output
    for crs in ("EPSG:4326", "EPSG:4549"):
        assert "compounds huangjia: invalid once rounded to" in result.output
        assert f"decimals in {crs} (Self-intersection" in result.output
