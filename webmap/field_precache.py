"""What the tablet app's service worker keeps for working offline, and the cache version naming it.

The version is a hash of every precached file, the base layers and the service worker itself,
computed once when the app starts: change any of them and tablets fetch the new set.
Paths stay relative here (files to the static folder); the service worker route makes them URLs.
"""
from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from webmap.assets import STATIC_DIR, load_manifest
from webmap.map_assets import page_asset_urls

SERVICE_WORKER = "field/sw.js"
# Our own files the tablet page loads (base.html's, the base map's, the app's), and its icons.
OWN_FILES = (
    "css/app.css",
    "js/pagekit.js",
    "js/basemap.js",
    "field/field.css",
    "field/kit.js",
    "field/idb.js",
    "field/outbox.js",
    "field/places.js",
    "field/photos.js",
    "field/report.js",
    "field/work.js",
    "field/outbox_view.js",
    "field/field.js",
    "field/icons/icon.svg",
    "field/icons/icon-192.png",
    "field/icons/icon-512.png",
)
# url(...) in a stylesheet, unquoted or quoted; fonts and sprites it names are fetched too.
_CSS_URL = re.compile(r"""url\(\s*(?:"([^"]*)"|'([^']*)'|([^)\s]*))\s*\)""")


@dataclass(frozen=True)
class OfflineBundle:
    files: tuple[str, ...]  # relative to the static folder
    layers: tuple[str, ...]  # base layer names, read from /api/v1/layers/<name>
    version: str


def folium_files() -> list[str]:
    """Our copies of the scripts and stylesheets Folium puts on the tablet app's map (webmap/map_assets.py)."""
    assets = load_manifest()["assets"]
    return [assets[url] for url in page_asset_urls(icons=True) if assets.get(url)]


def stylesheet_files(static_dir: Path, stylesheet: str) -> list[str]:
    """The files a stylesheet in the static folder refers to that exist there (fonts, sprites)."""
    base = (static_dir / stylesheet).parent
    found = []
    for match in _CSS_URL.finditer((static_dir / stylesheet).read_text(encoding="utf-8")):
        reference = next(g for g in match.groups() if g is not None).split("#")[0].split("?")[0]
        if not reference or reference.startswith(("data:", "/")) or "//" in reference:
            continue
        target = (base / reference).resolve()
        if target.is_file() and target.is_relative_to(static_dir.resolve()):
            found.append(target.relative_to(static_dir.resolve()).as_posix())
    return found


def precached_files(static_dir: Path = STATIC_DIR, own: Iterable[str] = OWN_FILES) -> tuple[str, ...]:
    """Every static file the tablet page needs, each once, in a stable order."""
    files = [*folium_files(), *own]
    for stylesheet in [f for f in files if f.endswith(".css")]:
        files.extend(stylesheet_files(static_dir, stylesheet))
    return tuple(dict.fromkeys(files))


def cache_version(static_dir: Path, files: Iterable[str], layers: Mapping[str, bytes]) -> str:
    """A hash of the files (and the service worker), and of the layers' GeoJSON."""
    digest = hashlib.sha256()
    for part in (*files, SERVICE_WORKER):
        digest.update(part.encode() + b"\0" + (static_dir / part).read_bytes() + b"\0")
    for name in sorted(layers):
        digest.update(name.encode() + b"\0" + layers[name] + b"\0")
    return digest.hexdigest()[:16]


def offline_bundle(layers: Mapping[str, bytes], static_dir: Path = STATIC_DIR) -> OfflineBundle:
    """The files and layers to precache and their version; `layers` maps a layer name to its GeoJSON."""
    files = precached_files(static_dir)
    return OfflineBundle(files, tuple(layers), cache_version(static_dir, files, layers))
