"""Fixtures shared by the web and browser tests."""
from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import geopandas as gpd
import pytest

# The `backend` fixture (SQLite and PostGIS) for every test that needs a database.
pytest_plugins = ["tests.backends"]

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / "data" / "shapefiles"

HOSTILE_NAME = "<img src=x onerror=alert(1)>"
HOSTILE_COMPOUND = "</script><script>alert(2)</script>"


def make_app(**config):
    """An app on the demo data with a fresh SQLite database of its own (unless given one)."""
    from app import create_app  # imported here so that geo/ tests never load Flask

    home = tempfile.mkdtemp(prefix="jintan-test-")
    config.setdefault("DATABASE_URL", f"sqlite:///{home}/test.sqlite3")
    config.setdefault("PHOTO_DIR", f"{home}/photos")
    return create_app({"TESTING": True, **config})


@pytest.fixture(scope="session")
def app():
    return make_app()


@pytest.fixture()
def client(app):
    return app.test_client()


def copy_dataset(target: Path) -> Path:
    target.mkdir(parents=True, exist_ok=True)
    for path in DATA_DIR.iterdir():
        if path.suffix in {".shp", ".shx", ".dbf", ".prj", ".cpg"}:
            shutil.copy(path, target / path.name)
    return target


def rewrite_layer(data_dir: Path, name: str, change) -> None:
    """Read a layer, let `change` alter the GeoDataFrame, write it back (UTF-8, same CRS)."""
    path = data_dir / f"{name}.shp"
    gdf = gpd.read_file(path, engine="pyogrio")
    gdf = change(gdf)
    gdf.to_file(path, engine="pyogrio", encoding="UTF-8")


@pytest.fixture(scope="session")
def hostile_data_dir(tmp_path_factory) -> Path:
    """The demo data with script and markup planted in names people will see."""
    data_dir = copy_dataset(tmp_path_factory.mktemp("hostile"))

    def plant_building(gdf):
        gdf.loc[gdf.index[0], "name"] = HOSTILE_NAME
        return gdf

    def plant_compound(gdf):
        gdf.loc[gdf.index[0], "name"] = HOSTILE_COMPOUND
        return gdf

    rewrite_layer(data_dir, "buildings", plant_building)
    rewrite_layer(data_dir, "compounds", plant_compound)
    return data_dir


@pytest.fixture(scope="session")
def hostile_app(hostile_data_dir):
    return make_app(DATA_DIR=str(hostile_data_dir))
