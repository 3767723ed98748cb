"""Every export as real clients read it: Debian's GDAL 3.6 `ogrinfo` (what QGIS 3.22 reads with) opens each
without a warning and types its fields as declared (geo.record_fields); every GeoJSON the service publishes
passes RFC 7946 (exterior rings counter-clockwise, holes clockwise, valid) by `geojson-validator` and shapely."""
from __future__ import annotations

import json
import re
import shutil
import subprocess

import geojson_validator
import pytest
import shapely

from geo.record_fields import ISSUE_FIELDS, PROJECT_FIELDS, RecordField, layer_fields
from geo.schema import LAYERS
from geo.shapefile_names import shapefile_names

SUBJECTS = [*(f"layers/{name}" for name in LAYERS), "issues", "projects"]
FILE_FORMATS = ("gpkg", "geojson", "shp.zip", "csv")
CSV_OPTIONS = ("-oo", "AUTODETECT_TYPE=YES", "-oo", "GEOM_POSSIBLE_NAMES=wkt", "-oo", "X_POSSIBLE_NAMES=lon,x",
               "-oo", "Y_POSSIBLE_NAMES=lat,y", "-oo", "KEEP_GEOM_COLUMNS=NO")
OGR_TYPES = {"str": {"String"}, "int": {"Integer", "Integer64"}, "float": {"Real"}, "bool": {"Integer(Boolean)"},
             "date": {"Date"}, "datetime": {"DateTime"}}
# A DBF has no time or boolean type: times are ISO 8601 text, yes/no integers 1/0 (README, Exports).
SHAPEFILE_TYPES = {**OGR_TYPES, "bool": {"Integer"}, "datetime": {"String"}}
FIELD_LINE = re.compile(r"^(\S+): (\w+(?:\(\w+\))?) \(\d+\.\d+\)$")
RFC7946_INVALID = ("unclosed", "less_three_unique_nodes", "exterior_not_ccw", "interior_not_cw")
RFC7946_PROBLEMS = ("inner_and_exterior_ring_intersect", "self_intersection", "duplicate_nodes", "3d_coordinates",
                    "outside_lat_lon_boundaries")
OGRINFO = shutil.which("ogrinfo")
needs_ogrinfo = pytest.mark.skipif(OGRINFO is None, reason="ogrinfo missing: scripts/install_system_deps.sh installs gdal-bin")


@pytest.fixture(scope="module")
def client(demo_app):
    return demo_app.test_client()


def declared(subject: str) -> tuple[RecordField, ...]:
    if subject == "issues":
        return ISSUE_FIELDS
    if subject == "projects":
        return PROJECT_FIELDS
    return layer_fields(LAYERS[subject.removeprefix("layers/")])


def ogrinfo(target: str, *options: str, layer: str | None = None, summary: bool = True) -> str:
    """ogrinfo's whole output (of every layer, or of `layer`), after checking it said nothing of a warning or an
    error."""
    args = [OGRINFO, "-ro", *(["-so"] if summary else []), *options, target, *([layer] if layer else ["-al"])]
    done = subprocess.run(args, capture_output=True, text=True, timeout=300, env={"LC_ALL": "C.UTF-8", "PATH": "/usr/bin:/bin"})
    said = done.stdout + done.stderr
    assert done.returncode == 0, said[-2000:]
    problems = [line for line in said.splitlines() if re.search(r"\b(Warning|ERROR)\b", line)]
    assert not problems, problems
    return done.stdout


def field_types(output: str) -> dict[str, str]:
    return {m[1]: m[2] for m in map(FIELD_LINE.match, output.splitlines()) if m}


def _all_empty(client, subject: str) -> set[str]:
    """The properties no feature has a value for: GDAL cannot type those from GeoJSON or CSV."""
    features = client.get(f"/api/v1/{subject}.geojson").get_json()["features"]
    names = {name for f in features for name in f["properties"]}
    return {name for name in names if all(f["properties"].get(name) is None for f in features)}


@needs_ogrinfo
@pytest.mark.parametrize("extension", FILE_FORMATS)
@pytest.mark.parametrize("subject", SUBJECTS)
def test_ogrinfo_reads_every_export_without_a_warning_typed_as_declared(client, tmp_path, subject, extension):
    response = client.get(f"/api/v1/{subject}.{extension}")
    assert response.status_code == 200
    path = tmp_path / f"{subject.replace('/', '-')}.{extension}"
    path.write_bytes(response.get_data())
    target = f"/vsizip/{path}" if extension == "shp.zip" else str(path)
    options = CSV_OPTIONS if extension == "csv" else ()
    summary = ogrinfo(target, *options)
    whole = ogrinfo(target, *options, summary=False)
    rows = len(client.get(f"/api/v1/{subject}.geojson").get_json()["features"])
    assert f"Feature Count: {rows}\n" in summary and rows > 0
    assert whole.count("OGRFeature(") == rows
    # Every feature has its geometry (QGIS draws it): no feature line is followed by an empty geometry.
    assert "POINT EMPTY" not in whole and "POLYGON EMPTY" not in whole and "LINESTRING EMPTY" not in whole
    geometry_lines = [line for line in whole.splitlines()
                      if re.match(r"^  (MULTI)?(POINT|LINESTRING|POLYGON) \(", line)]
    assert len(geometry_lines) == rows

    types = field_types(summary)
    fields = [f for f in declared(subject) if extension != "shp.zip" or f.in_shapefile]
    names = shapefile_names(f.name for f in fields) if extension == "shp.zip" else {f.name: f.name for f in fields}
    untyped = _all_empty(client, subject) if extension in ("geojson", "csv") else set()
    expected_types = SHAPEFILE_TYPES if extension == "shp.zip" else OGR_TYPES
    for f in fields:
        if f.name in untyped or (extension == "csv" and f.name in ("lon", "lat")):
            continue  # GDAL types these from their values (none), or reads them as the geometry
        assert types.get(names[f.name]) in expected_types[f.type], (f.name, types.get(names[f.name]))
    if subject == "issues" and extension in ("gpkg", "geojson", "csv"):
        assert types["reported_at"] == "DateTime"
    if subject == "projects":
        assert "Geometry: Multi Polygon" in summary or extension in ("csv", "shp.zip")


@needs_ogrinfo
def test_geopackage_times_are_utc_instants_with_milliseconds(client, tmp_path):
    path = tmp_path / "issues.gpkg"
    path.write_bytes(client.get("/api/v1/issues.gpkg?sort=reported_at").get_data())
    whole = ogrinfo(str(path), summary=False)
    first = client.get("/api/v1/issues.geojson?sort=reported_at").get_json()["features"][0]["properties"]
    shown = re.search(r"reported_at \(DateTime\) = (\S+ \S+)", whole)[1]
    from datetime import datetime, timezone
    at = datetime.fromisoformat(first["reported_at"]).astimezone(timezone.utc)
    assert shown == f"{at:%Y/%m/%d %H:%M:%S}+00"
    import sqlite3
    with sqlite3.connect(path) as db:
        stored = db.execute("SELECT reported_at FROM issues ORDER BY fid LIMIT 1").fetchone()[0]
        declared_type = {row[1]: row[2] for row in db.execute("PRAGMA table_info(issues)")}
    assert stored == f"{at:%Y-%m-%dT%H:%M:%S}.{at.microsecond // 1000:03d}Z"
    assert (declared_type["reported_at"], declared_type["due_date"]) == ("DATETIME", "DATE")


# --- RFC 7946 ------------------------------------------------------------------------------------


def geojson_outputs(client) -> dict[str, dict]:
    """Every GeoJSON the service makes, by where it comes from."""
    found = {}
    for name in LAYERS:
        found[f"/api/v1/layers/{name}"] = client.get(f"/api/v1/layers/{name}").get_json()
    for subject in SUBJECTS:
        found[f"/api/v1/{subject}.geojson"] = client.get(f"/api/v1/{subject}.geojson").get_json()
    for collection in [*LAYERS, "issues", "projects"]:
        path = f"/ogcapi/collections/{collection}/items?f=json&limit=10000"
        found[path] = client.get(path).get_json()
    found["/api/v1/projects"] = client.get("/api/v1/projects?limit=1000").get_json()
    found["/api/v1/hotspots"] = client.get("/api/v1/hotspots").get_json()
    found["/api/v1/lighting/gaps?area=hjl55"] = client.get("/api/v1/lighting/gaps?area=hjl55").get_json()
    return found


def _collections(document: dict):
    """The FeatureCollections in an answer (some answers carry them as members)."""
    if document.get("type") == "FeatureCollection":
        yield document
    for value in document.values():
        if isinstance(value, dict) and value.get("type") == "FeatureCollection":
            yield value


def rfc7946_problems(collection: dict) -> list[str]:
    problems = []
    checked = geojson_validator.validate_geometries(collection, criteria_invalid=RFC7946_INVALID,
                                                    criteria_problematic=RFC7946_PROBLEMS)
    features = collection["features"]
    for kind, where in {**checked["invalid"], **checked["problematic"]}.items():
        problems.append(f"{kind}: {[features[i].get('id') for i in where]}")
    for feature in features:
        if feature.get("geometry") and not shapely.geometry.shape(feature["geometry"]).is_valid:
            problems.append(f"invalid: {feature.get('id')} "
                            f"({shapely.is_valid_reason(shapely.geometry.shape(feature['geometry']))})")
    return problems


def test_every_geojson_output_passes_rfc7946_orientation_and_validity(client):
    geojson_validator.configure_logging(enabled=False)
    found = {}
    for source, document in geojson_outputs(client).items():
        collections = list(_collections(document))
        assert collections, source
        problems = [p for c in collections for p in rfc7946_problems(c)]
        if problems:
            found[source] = problems
    assert not found, json.dumps(found, ensure_ascii=False, indent=1)


def test_the_check_catches_clockwise_rings_and_invalid_polygons():
    clockwise = {"type": "Polygon", "coordinates": [[[121.49, 31.22], [121.49, 31.221], [121.491, 31.221],
                                                      [121.491, 31.22], [121.49, 31.22]]]}
    bowtie = {"type": "Polygon", "coordinates": [[[121.49, 31.22], [121.491, 31.221], [121.491, 31.22],
                                                  [121.49, 31.221], [121.49, 31.22]]]}
    collection = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "id": "cw", "geometry": clockwise, "properties": {}},
        {"type": "Feature", "id": "bowtie", "geometry": bowtie, "properties": {}},
    ]}
    problems = rfc7946_problems(collection)
    assert any(p.startswith("exterior_not_ccw") and "'cw'" in p for p in problems)
    assert any(p.startswith("invalid: bowtie") for p in problems)


# --- OGC API - Features, as GDAL 3.6 reads it ---------------------------------------------------


@needs_ogrinfo
def test_gdal_types_the_ogcapi_fields_from_the_schema_without_a_warning(demo_app):
    from tests.live_server import ServerProcess

    with ServerProcess(DATABASE_URL=demo_app.config["DATABASE_URL"]) as server:
        service = f"OAPIF:{server.url}/ogcapi"
        issues = field_types(ogrinfo(service, layer="issues"))
        projects_summary = ogrinfo(service, layer="projects")
        buildings = field_types(ogrinfo(service, layer="buildings"))
    # The first page alone would leave these as text (its issues have no accuracy): the schema says.
    assert issues["location_accuracy_m"] == "Real" and issues["photo_count"] == "Integer"
    assert (issues["reported_at"], issues["due_date"], issues["typical_case"]) == ("DateTime", "Date", "Integer(Boolean)")
    assert "Geometry: Multi Polygon" in projects_summary
    projects = field_types(projects_summary)
    assert (projects["budget"], projects["households_affected"], projects["planned_start"]) == ("Real", "Integer", "Date")
    assert (buildings["floors"], buildings["protected"]) == ("Integer", "Integer(Boolean)")


@pytest.mark.parametrize("crs", ["4326", "4549"])
def test_every_exported_geometry_is_valid_as_published(client, tmp_path, crs):
    """Valid after the rounding each CRS is published with (1e-7 degree, or the millimetre)."""
    import pyogrio

    invalid = {}
    for subject in SUBJECTS:
        if crs != "4326" and not subject.startswith("layers/"):
            continue
        path = tmp_path / f"{subject.replace('/', '-')}-{crs}.gpkg"
        path.write_bytes(client.get(f"/api/v1/{subject}.gpkg?crs={crs}" if crs != "4326" else
                                    f"/api/v1/{subject}.gpkg").get_data())
        table = pyogrio.read_dataframe(path)
        bad = table[~table.geometry.is_valid]
        if len(bad):
            invalid[subject] = [f"{row.id}: {shapely.is_valid_reason(row.geometry)}" for row in bad.itertuples()]
    assert not invalid, invalid
