"""Tests for geo.gcj02 (WGS84 -> GCJ-02 shift for Gaode/Tencent tiles).

Reference points are from /work/shared/reference/NEIGHBOURHOOD.md.
"""
from __future__ import annotations

import copy
import json

import geopandas as gpd
import numpy as np
import pyproj
import pytest
import shapely
from shapely.geometry import (
    GeometryCollection,
    LineString,
    MultiPoint,
    MultiPolygon,
    Point,
    Polygon,
)

from geo.gcj02 import (
    GCJ02_ATTR,
    gcj02_to_wgs84,
    in_china_box,
    shift_geojson_to_gcj02,
    shift_geometries_to_gcj02,
    wgs84_to_gcj02,
)

GEOD = pyproj.Geod(ellps="WGS84")

# Reference test point: WGS84 -> GCJ-02 (published to 6 decimals).
REF_WGS = (121.440464, 31.219467)
REF_GCJ = (121.445076, 31.217594)
# 小南门警钟楼: WGS84 per Wikipedia, GCJ-02 per Amap (a point of interest, so
# the two sources disagree by ~15 m after conversion).
BELL_WGS = (121.49344, 31.21789)
BELL_GCJ_AMAP = (121.49804, 31.215929)
# Shift around the neighbourhood.
DLON, DLAT = 0.00446, -0.00200
LONDON = (-0.1276, 51.5072)


def dist_m(a, b) -> np.ndarray | float:
    """Geodesic distance in metres between (lon, lat) points or arrays."""
    _, _, d = GEOD.inv(a[0], a[1], b[0], b[1])
    return d


# --------------------------------------------------------------------------
# point transform
# --------------------------------------------------------------------------
def test_reference_point_within_1m():
    gcj = wgs84_to_gcj02(*REF_WGS)
    assert dist_m(gcj, REF_GCJ) < 1.0
    # ...in fact within the 6-decimal rounding of the published value
    assert dist_m(gcj, REF_GCJ) < 0.15


def test_reference_point_inverse_within_1m():
    wgs = gcj02_to_wgs84(*REF_GCJ)
    assert dist_m(wgs, REF_WGS) < 1.0


# Test vectors published with googollee/eviltransform (python/test.py), as
# (wgs lon, wgs lat, gcj lon, gcj lat): an independent check of the formula.
EVILTRANSFORM_VECTORS = [
    (121.5272106, 31.1774276, 121.531541859215, 31.17530398364597),  # Shanghai
    (113.912316, 22.543847, 113.9171764808363, 22.540796131694766),  # Shenzhen
    (116.377817, 39.911954, 116.38404722455657, 39.91334545536069),  # Beijing
]


@pytest.mark.parametrize("wlon, wlat, glon, glat", EVILTRANSFORM_VECTORS)
def test_published_eviltransform_vectors(wlon, wlat, glon, glat):
    assert wgs84_to_gcj02(wlon, wlat) == pytest.approx((glon, glat), abs=1e-9)
    assert gcj02_to_wgs84(glon, glat) == pytest.approx((wlon, wlat), abs=1e-9)


def test_bell_tower_within_20m_of_amap():
    gcj = wgs84_to_gcj02(*BELL_WGS)
    assert dist_m(gcj, BELL_GCJ_AMAP) < 20.0
    wgs = gcj02_to_wgs84(*BELL_GCJ_AMAP)
    assert dist_m(wgs, BELL_WGS) < 20.0


def test_shift_size_around_neighbourhood():
    # Inside the J (lon 121.490-121.497, lat 31.215-31.223) the shift is
    # +0.00444..0.00447 lon / -0.00202..-0.00199 lat.
    for lon, lat in (BELL_WGS, (121.4915, 31.2232), (121.4965, 31.2187), (121.4900, 31.2150)):
        glon, glat = wgs84_to_gcj02(lon, lat)
        assert glon - lon == pytest.approx(DLON, abs=3e-5)
        assert glat - lat == pytest.approx(DLAT, abs=3e-5)
    # The reference point 5 km further west already shifts +0.00461 lon
    # (as the published pair says: 121.445076 - 121.440464): the offset is
    # not a constant, so never shift by a fixed (dlon, dlat).
    glon, glat = wgs84_to_gcj02(*REF_WGS)
    assert glon - REF_WGS[0] == pytest.approx(REF_GCJ[0] - REF_WGS[0], abs=2e-6)
    assert glon - REF_WGS[0] - DLON > 1e-4


def shanghai_grid():
    lon, lat = np.meshgrid(np.linspace(120.85, 122.0, 47), np.linspace(30.68, 31.88, 41))
    return lon, lat


def test_round_trip_over_shanghai_grid():
    lon, lat = shanghai_grid()
    glon, glat = wgs84_to_gcj02(lon, lat)
    # the grid really is shifted by hundreds of metres...
    assert np.all(dist_m((lon, lat), (glon, glat)) > 300)
    back_lon, back_lat = gcj02_to_wgs84(glon, glat)
    err = dist_m((lon, lat), (back_lon, back_lat))
    assert err.max() < 0.01
    # ...and the inverse is far tighter than the 1e-7 degree requirement
    assert np.abs(back_lon - lon).max() < 1e-7
    assert np.abs(back_lat - lat).max() < 1e-7
    assert np.abs(back_lon - lon).max() < 1e-11
    assert np.abs(back_lat - lat).max() < 1e-11


def test_inverse_is_exact_inverse_of_forward():
    lon, lat = shanghai_grid()
    wlon, wlat = gcj02_to_wgs84(lon, lat)
    flon, flat = wgs84_to_gcj02(wlon, wlat)
    assert np.abs(flon - lon).max() < 1e-11
    assert np.abs(flat - lat).max() < 1e-11


@pytest.mark.parametrize(
    "pt",
    [LONDON, (-74.006, 40.7128), (151.2093, -33.8688), (150.0, 35.0), (100.0, 60.0), (100.0, 0.5)],
)
def test_outside_china_unchanged(pt):
    assert not in_china_box(*pt)
    assert wgs84_to_gcj02(*pt) == pt
    assert gcj02_to_wgs84(*pt) == pt


def test_in_china_box():
    assert in_china_box(*BELL_WGS)
    assert in_china_box(*LONDON) is False
    assert in_china_box([121.49, -0.1276], [31.2, 51.5]).tolist() == [True, False]
    assert not in_china_box(np.nan, 31.2)


def test_scalar_input_returns_float_tuple():
    out = wgs84_to_gcj02(*BELL_WGS)
    assert isinstance(out, tuple) and len(out) == 2
    assert all(isinstance(v, float) for v in out)
    back = gcj02_to_wgs84(*out)
    assert all(isinstance(v, float) for v in back)
    # numpy scalars and ints are accepted too
    np_out = wgs84_to_gcj02(np.float64(BELL_WGS[0]), np.float32(BELL_WGS[1]))
    assert np_out == pytest.approx(out, abs=1e-6)  # float32 lat loses ~1e-6 deg
    assert wgs84_to_gcj02(121, 31) == wgs84_to_gcj02(121.0, 31.0)


def test_array_input_keeps_shape_and_matches_scalar():
    lon, lat = shanghai_grid()
    glon, glat = wgs84_to_gcj02(lon, lat)
    assert glon.shape == lon.shape and glat.shape == lat.shape
    for i, j in [(0, 0), (10, 20), (-1, -1)]:
        s = wgs84_to_gcj02(float(lon[i, j]), float(lat[i, j]))
        assert (glon[i, j], glat[i, j]) == s
    wlon, wlat = gcj02_to_wgs84(glon, glat)
    assert wlon.shape == lon.shape
    # lists, and broadcasting of a scalar against an array
    l_lon, l_lat = wgs84_to_gcj02([121.49, 121.50], [31.21, 31.22])
    assert isinstance(l_lon, np.ndarray) and l_lon.shape == (2,)
    b_lon, b_lat = wgs84_to_gcj02([121.49, 121.50], 31.21)
    assert b_lon.shape == b_lat.shape == (2,)
    assert b_lon[0] == l_lon[0] and b_lat[0] == l_lat[0]


def test_array_input_not_modified_and_mixed_inside_outside():
    lon = np.array([BELL_WGS[0], LONDON[0], np.nan])
    lat = np.array([BELL_WGS[1], LONDON[1], 31.2])
    lon0, lat0 = lon.copy(), lat.copy()
    glon, glat = wgs84_to_gcj02(lon, lat)
    np.testing.assert_array_equal(lon, lon0)
    np.testing.assert_array_equal(lat, lat0)
    assert (glon[0], glat[0]) == wgs84_to_gcj02(*BELL_WGS)
    assert (glon[1], glat[1]) == LONDON
    assert np.isnan(glon[2]) and glat[2] == 31.2
    wlon, wlat = gcj02_to_wgs84(glon, glat)
    assert dist_m((wlon[:2], wlat[:2]), (lon[:2], lat[:2])).max() < 0.01
    assert np.isnan(wlon[2])


def test_empty_array():
    glon, glat = wgs84_to_gcj02(np.array([]), np.array([]))
    assert glon.shape == (0,)
    wlon, _ = gcj02_to_wgs84(np.array([]), np.array([]))
    assert wlon.shape == (0,)


# --------------------------------------------------------------------------
# GeoDataFrame / GeoSeries
# --------------------------------------------------------------------------
def sample_gdf() -> gpd.GeoDataFrame:
    shell = [(121.4900, 31.2170), (121.4960, 31.2170), (121.4960, 31.2232), (121.4900, 31.2232)]
    hole = [(121.4920, 31.2190), (121.4940, 31.2190), (121.4940, 31.2210), (121.4920, 31.2210)]
    geoms = [
        Polygon(shell, [hole]),
        LineString([(121.4929, 31.2232), (121.4932, 31.2187), (121.4965, 31.2187)]),
        MultiPoint([BELL_WGS, (121.4915, 31.2232)]),
        MultiPolygon(
            [
                Polygon(shell, [hole]),
                Polygon([(121.49, 31.21), (121.491, 31.21), (121.491, 31.211)]),
            ]
        ),
    ]
    return gpd.GeoDataFrame(
        {"name": ["block", "street", "pois", "multi"], "n": [1, 2, 3, 4]},
        geometry=geoms,
        index=["a", "b", "c", "d"],
        crs="EPSG:4326",
    )


def test_gdf_shift_keeps_attributes_and_moves_every_vertex():
    gdf = sample_gdf()
    before = gdf.copy()
    out = shift_geometries_to_gcj02(gdf)

    assert isinstance(out, gpd.GeoDataFrame)
    assert out.crs == "EPSG:4326"
    assert list(out.index) == list(gdf.index)
    assert list(out.columns) == list(gdf.columns)
    assert out.geometry.name == gdf.geometry.name
    assert out["name"].tolist() == gdf["name"].tolist()
    assert out["n"].tolist() == gdf["n"].tolist()
    assert out.geom_type.tolist() == gdf.geom_type.tolist()
    assert out.attrs[GCJ02_ATTR] is True
    # polygon keeps its hole
    assert len(out.geometry.iloc[0].interiors) == 1
    assert all(g.is_valid for g in out.geometry)
    # input untouched
    assert gdf.geom_equals_exact(before, tolerance=0).all()
    assert GCJ02_ATTR not in gdf.attrs

    for g0, g1 in zip(gdf.geometry, out.geometry):
        c0 = shapely.get_coordinates(g0)
        c1 = shapely.get_coordinates(g1)
        assert c0.shape == c1.shape
        exp_lon, exp_lat = wgs84_to_gcj02(c0[:, 0], c0[:, 1])
        np.testing.assert_allclose(c1[:, 0], exp_lon, rtol=0, atol=1e-12)
        np.testing.assert_allclose(c1[:, 1], exp_lat, rtol=0, atol=1e-12)
        np.testing.assert_allclose(c1[:, 0] - c0[:, 0], DLON, atol=3e-5)
        np.testing.assert_allclose(c1[:, 1] - c0[:, 1], DLAT, atol=3e-5)


def test_geoseries_input():
    gs = sample_gdf().geometry
    out = shift_geometries_to_gcj02(gs)
    assert isinstance(out, gpd.GeoSeries)
    assert out.crs == "EPSG:4326"
    assert list(out.index) == list(gs.index)
    assert out.name == gs.name
    expected = shift_geometries_to_gcj02(sample_gdf()).geometry
    assert out.geom_equals_exact(expected, tolerance=0).all()


def test_z_none_and_empty_geometries():
    gdf = gpd.GeoDataFrame(
        {"k": [1, 2, 3, 4]},
        geometry=[
            LineString([(121.49, 31.21, 5.0), (121.50, 31.22, 7.0)]),
            None,
            Polygon(),
            GeometryCollection([Point(BELL_WGS), LineString([(121.49, 31.21), (121.5, 31.22)])]),
        ],
        crs="EPSG:4326",
    )
    out = shift_geometries_to_gcj02(gdf)
    line = out.geometry.iloc[0]
    assert line.has_z
    np.testing.assert_array_equal(shapely.get_coordinates(line, include_z=True)[:, 2], [5.0, 7.0])
    assert out.geometry.iloc[1] is None
    assert out.geometry.iloc[2].is_empty
    coll = out.geometry.iloc[3]
    assert coll.geom_type == "GeometryCollection"
    assert not coll.has_z
    assert coll.geoms[0].coords[0] == wgs84_to_gcj02(*BELL_WGS)


def test_other_crs_is_reprojected_first():
    gdf = sample_gdf()
    direct = shift_geometries_to_gcj02(gdf)
    via_metric = shift_geometries_to_gcj02(gdf.to_crs("EPSG:4549"))
    assert via_metric.crs == "EPSG:4326"
    for g0, g1 in zip(direct.geometry, via_metric.geometry):
        c0, c1 = shapely.get_coordinates(g0), shapely.get_coordinates(g1)
        assert dist_m(c0.T, c1.T).max() < 0.001


def test_every_geometry_column_is_shifted():
    gdf = sample_gdf()
    gdf["centre"] = gdf.geometry.to_crs("EPSG:4549").centroid
    out = shift_geometries_to_gcj02(gdf)
    assert out["centre"].crs == "EPSG:4326"
    assert out.geometry.name == "geometry"
    exp = gdf["centre"].to_crs("EPSG:4326")
    exp_lon, exp_lat = wgs84_to_gcj02(exp.x.to_numpy(), exp.y.to_numpy())
    np.testing.assert_allclose(out["centre"].x, exp_lon, atol=1e-8)
    np.testing.assert_allclose(out["centre"].y, exp_lat, atol=1e-8)


def test_missing_crs_rejected():
    gdf = sample_gdf().set_crs(None, allow_override=True)
    with pytest.raises(ValueError, match="no CRS"):
        shift_geometries_to_gcj02(gdf)
    with pytest.raises(ValueError, match="no CRS"):
        shift_geometries_to_gcj02(gdf.geometry)


def test_double_shift_rejected():
    out = shift_geometries_to_gcj02(sample_gdf())
    with pytest.raises(ValueError, match="already shifted"):
        shift_geometries_to_gcj02(out)
    with pytest.raises(ValueError, match="already shifted"):
        shift_geometries_to_gcj02(out.to_crs("EPSG:4549"))


def test_wrong_type_rejected():
    with pytest.raises(TypeError):
        shift_geometries_to_gcj02(Point(BELL_WGS))


# --------------------------------------------------------------------------
# GeoJSON
# --------------------------------------------------------------------------
def _coords(obj):
    """All positions of a GeoJSON object, in document order."""
    if isinstance(obj, (list, tuple)) and obj and isinstance(obj[0], (int, float)):
        return [list(obj)]
    if isinstance(obj, (list, tuple)):
        return [p for c in obj for p in _coords(c)]
    if isinstance(obj, dict):
        if obj.get("type") == "FeatureCollection":
            return _coords(obj["features"])
        if obj.get("type") == "Feature":
            return _coords(obj["geometry"]) if obj["geometry"] else []
        if obj.get("type") == "GeometryCollection":
            return _coords(obj["geometries"])
        return _coords(obj["coordinates"])
    return []


def test_geojson_feature_collection_matches_gdf_path():
    gdf = sample_gdf()
    fc = json.loads(gdf.to_json())
    fc_before = copy.deepcopy(fc)
    shifted = shift_geojson_to_gcj02(fc)
    assert fc == fc_before  # input not modified
    assert shifted is not fc
    expected = json.loads(shift_geometries_to_gcj02(gdf).to_json())

    assert shifted["type"] == "FeatureCollection"
    assert len(shifted["features"]) == len(expected["features"])
    for f, e in zip(shifted["features"], expected["features"]):
        assert f["id"] == e["id"]
        assert f["properties"] == e["properties"]
        assert f["geometry"]["type"] == e["geometry"]["type"]
        np.testing.assert_allclose(_coords(f), _coords(e), rtol=0, atol=1e-12)
    # and the result is plain JSON
    json.dumps(shifted)


def test_geojson_geo_interface_with_bbox_and_tuples():
    gdf = sample_gdf()
    gi = gdf.__geo_interface__  # tuples, bbox members
    shifted = shift_geojson_to_gcj02(gi)
    expected = shift_geometries_to_gcj02(gdf)
    np.testing.assert_allclose(shifted["bbox"], expected.total_bounds, atol=1e-12)
    for f, (minx, miny, maxx, maxy) in zip(shifted["features"], expected.bounds.to_numpy()):
        np.testing.assert_allclose(f["bbox"], [minx, miny, maxx, maxy], atol=1e-12)
    json.dumps(shifted)


def test_geojson_feature_geometry_and_collection():
    feat = {
        "type": "Feature",
        "id": 7,
        "properties": {"name": "小南门警钟楼", "tags": ["a"]},
        "geometry": {"type": "Point", "coordinates": [BELL_WGS[0], BELL_WGS[1], 12.5]},
    }
    out = shift_geojson_to_gcj02(feat)
    assert out["id"] == 7
    assert out["properties"] == feat["properties"]
    assert out["properties"] is not feat["properties"]
    assert out["properties"]["tags"] is not feat["properties"]["tags"]
    assert out["geometry"]["coordinates"] == [*wgs84_to_gcj02(*BELL_WGS), 12.5]
    assert feat["geometry"]["coordinates"] == [BELL_WGS[0], BELL_WGS[1], 12.5]

    geom = {
        "type": "GeometryCollection",
        "geometries": [
            {"type": "Point", "coordinates": list(BELL_WGS)},
            {"type": "LineString", "coordinates": [list(LONDON), list(REF_WGS)]},
        ],
    }
    out = shift_geojson_to_gcj02(geom)
    assert out["geometries"][0]["coordinates"] == list(wgs84_to_gcj02(*BELL_WGS))
    assert out["geometries"][1]["coordinates"][0] == list(LONDON)
    assert out["geometries"][1]["coordinates"][1] == list(wgs84_to_gcj02(*REF_WGS))

    null_feat = {"type": "Feature", "properties": {}, "geometry": None}
    assert shift_geojson_to_gcj02(null_feat) == null_feat

    empty_fc = {"type": "FeatureCollection", "features": []}
    assert shift_geojson_to_gcj02(empty_fc) == empty_fc


def test_geojson_crs_member():
    fc = json.loads(sample_gdf().to_json())
    ok = dict(fc, crs={"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}})
    assert "crs" in shift_geojson_to_gcj02(ok)
    bad = dict(fc, crs={"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::4549"}})
    with pytest.raises(ValueError, match="not WGS84"):
        shift_geojson_to_gcj02(bad)


@pytest.mark.parametrize(
    "obj",
    [
        {"type": "Circle", "coordinates": [121.49, 31.21]},
        {"type": "Point", "coordinates": [121.49]},
        {"type": "LineString", "coordinates": "nope"},
        [121.49, 31.21],
    ],
)
def test_geojson_invalid_rejected(obj):
    with pytest.raises(ValueError):
        shift_geojson_to_gcj02(obj)
