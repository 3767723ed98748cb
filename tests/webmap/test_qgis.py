"""QGIS 3.22 (Debian's python3-qgis, offscreen) draws every project and issue however it loads them: over OGC API
- Features from a live server, and from the .gpkg, .geojson and .csv exports; and reads reported_at as a time.

QGIS 3.22 drops the time zone of every OGR time: issues.gpkg's reported_at (UTC, as GeoPackage requires) shows the
UTC clock time, the GeoJSON's and OGC API's (+08:00) the Shanghai clock time. The README says so."""
from __future__ import annotations

import json
import subprocess
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from tests.live_server import ServerProcess

SYSTEM_PYTHON = "/usr/bin/python3"
SCRIPT = Path(__file__).parent / "qgis" / "read_layers.py"
SHANGHAI = timezone(timedelta(hours=8))


def _has_qgis() -> bool:
    if not Path(SYSTEM_PYTHON).exists():
        return False
    done = subprocess.run([SYSTEM_PYTHON, "-c", "import qgis.core"], capture_output=True, timeout=120)
    return done.returncode == 0


pytestmark = pytest.mark.skipif(not _has_qgis(),
                                reason="QGIS missing: scripts/install_system_deps.sh installs python3-qgis")


def qgis_reads(layers: dict[str, tuple[str, str]], home: Path) -> dict:
    env = {"PATH": "/usr/bin:/bin", "QT_QPA_PLATFORM": "offscreen", "TZ": "Asia/Shanghai", "HOME": str(home),
           "XDG_RUNTIME_DIR": str(home), "LANG": "C.UTF-8"}
    done = subprocess.run([SYSTEM_PYTHON, str(SCRIPT)], input=json.dumps({"layers": layers}), capture_output=True,
                          text=True, env=env, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout)


def test_qgis_draws_every_project_and_issue_whichever_way_it_loads_them(demo_app, tmp_path):
    client = demo_app.test_client()
    files = {}
    for subject in ("projects", "issues"):
        for extension in ("gpkg", "geojson", "csv"):
            path = tmp_path / f"{subject}.{extension}"
            path.write_bytes(client.get(f"/api/v1/{subject}.{extension}").get_data())
            files[subject, extension] = path
    projects = client.get("/api/v1/projects.geojson").get_json()["features"]
    issues = client.get("/api/v1/issues.geojson").get_json()["features"]
    assert len(projects) >= 5 and any(p["properties"]["works_kind"] != "Polygon" for p in projects)

    csv = "file://{path}?type=csv&detectTypes=yes&crs=EPSG:4326&encoding=UTF-8&{geometry}"
    layers = {
        "projects gpkg": (f"{files['projects', 'gpkg']}|layername=projects", "ogr"),
        "projects geojson": (str(files["projects", "geojson"]), "ogr"),
        "projects csv": (csv.format(path=files["projects", "csv"], geometry="wktField=wkt"), "delimitedtext"),
        "issues gpkg": (f"{files['issues', 'gpkg']}|layername=issues", "ogr"),
        "issues geojson": (str(files["issues", "geojson"]), "ogr"),
        "issues csv": (csv.format(path=files["issues", "csv"], geometry="xField=lon&yField=lat"), "delimitedtext"),
    }
    with ServerProcess(DATABASE_URL=demo_app.config["DATABASE_URL"]) as server:
        for collection in ("projects", "issues"):
            layers[f"{collection} oapif"] = (f"url='{server.url}/ogcapi' typename='{collection}'", "OAPIF")
        found = qgis_reads(layers, tmp_path)

    for name, result in found.items():
        expected = len(projects) if name.startswith("projects") else len(issues)
        assert result["valid"], (name, result.get("error"))
        assert result["count"] == expected and result["with_geometry"] == expected, (name, result)
        if name.startswith("projects"):
            assert result["geometry_type"] in ("MultiPolygon", "Polygon"), (name, result["geometry_type"])

    reported = {f["id"]: datetime.fromisoformat(f["properties"]["reported_at"]) for f in issues}
    for name, zone in (("issues gpkg", timezone.utc), ("issues geojson", SHANGHAI), ("issues oapif", SHANGHAI)):
        read = found[name]["reported_at"]
        assert read.keys() == reported.keys(), name
        for issue_id, instant in reported.items():
            assert read[issue_id]["type"] == "QDateTime", name
            assert read[issue_id]["clock"] == f"{instant.astimezone(zone):%Y-%m-%dT%H:%M:%S}", (name, issue_id)
