#!/usr/bin/env python3
"""Vendor every JS/CSS/font/image file that Folium and the plugins we use load from CDNs.

Run from the repository root:   .venv/bin/python scripts/vendor_assets.py

What it does, deterministically (running it twice gives the same tree):

1. checks that the installed folium is the pinned one and that every CDN URL that folium's
   ``Map`` and the plugins in ``PLUGINS`` declare (``default_js`` / ``default_css``) is mapped
   in ``ASSETS`` (so a folium upgrade that adds or changes a URL fails loudly here); our own
   pages' assets (``PAGE_ASSETS``: Swagger UI for /api/v1/docs) are listed beside them;
2. ``npm pack``s each pinned package from the npm registry into a temporary directory, checks
   the tarball against the pinned integrity hash, and reads the listed files (plus the package's
   licence) straight out of the tarball with ``tarfile``;
3. copies the assets that ship only inside the folium Python package from the installed package;
4. writes everything under ``webmap/static/vendor/<package>@<version>/...`` keeping each package's
   own layout (so relative ``url(...)`` references inside the CSS keep working), removes any file
   there that is no longer wanted (``README.md`` is kept), and writes ``manifest.json``.

Trailing ``sourceMappingURL`` comments are stripped from the JS/CSS we copy, since the source maps
are deliberately not vendored.  Nothing but the npm registry (through ``npm``) is contacted.
"""
from __future__ import annotations

import argparse
import base64
import hashlib
import json
import re
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

# --------------------------------------------------------------------------------------------
# The pinned table.  One row per vendored package.
#   version   exact version we vendor
#   license   SPDX expression
#   files     paths inside the npm tarball (below "package/"), or inside the folium package
#   license_file  path of the licence inside the tarball; None = written by this script (see
#                 LICENSE_TEXTS) because the published tarball does not contain one
#   integrity npm "dist.integrity" of the tarball (sha512), checked after `npm pack`
#   requested what folium asks the CDN for, when it differs from what we vendor
#   notice_file  path of an Apache-2.0 NOTICE inside the tarball, shipped beside the licence
# --------------------------------------------------------------------------------------------
FOLIUM_VERSION = "0.20.0"

PACKAGES: dict[str, dict] = {
    "leaflet": {
        "version": "1.9.3",
        "license": "BSD-2-Clause",
        "license_file": "LICENSE",
        "integrity": "sha512-iB2cR9vAkDOu5l3HAay2obcUHZ7xwUBBjph8+PGtmW/2lYhbLizWtG7nTeYht36WfOslixQF9D/uSIzhZgGMfQ==",
        "files": [
            "dist/leaflet.js",
            "dist/leaflet.css",
            "dist/images/layers.png",
            "dist/images/layers-2x.png",
            "dist/images/marker-icon.png",
            "dist/images/marker-icon-2x.png",
            "dist/images/marker-shadow.png",
        ],
    },
    "jquery": {
        "version": "3.7.1",
        "license": "MIT",
        "license_file": "LICENSE.txt",
        "integrity": "sha512-m4avr8yL8kmFN8psrbFFFmB/If14iN5o9nw/NgnnM+kybDJpRsAynV2BsfpTYrTRysYUdADVD7CkUUizgkpLfg==",
        "files": ["dist/jquery.min.js"],
    },
    "bootstrap": {
        "version": "5.2.2",
        "license": "MIT",
        "license_file": "LICENSE",
        "integrity": "sha512-dEtzMTV71n6Fhmbg4fYJzQsw1N29hJKO1js5ackCgIpDcGid2ETMGC6zwSYw09v05Y+oRdQ9loC54zB1La3hHQ==",
        "files": ["dist/js/bootstrap.bundle.min.js", "dist/css/bootstrap.min.css"],
    },
    "leaflet.awesome-markers": {
        # npm has 2.0.0, 2.0.4 and 2.0.5 (no 2.0.2).  All three ship byte-identical dist/
        # files; 2.0.0's bundled bower.json says "2.0.2", i.e. it is the 2.0.2 release that
        # cdnjs serves, so we take it.  The tarball's LICENSE is the MIT text (its package.json
        # says ISC; the JS/CSS headers and bower.json say MIT).
        "version": "2.0.0",
        "requested": "Leaflet.awesome-markers 2.0.2 (cdnjs)",
        "substitution": "2.0.2 is not on npm; 2.0.0 has the same dist files (its bower.json says 2.0.2)",
        "license": "MIT",
        "license_file": "LICENSE",
        "integrity": "sha512-rqIvmmk+hNfRLkm7ccjYhokKuUej0ZJVRSmGJaCEuW1Oglp4nidSXEdnz2S6/UKS1bn0dP92t4JV19yIlVCmxw==",
        "files": [
            "dist/leaflet.awesome-markers.js",
            "dist/leaflet.awesome-markers.css",
            "dist/images/markers-soft.png",
            "dist/images/markers-soft@2x.png",
            "dist/images/markers-shadow.png",
            "dist/images/markers-shadow@2x.png",
        ],
    },
    "@fortawesome/fontawesome-free": {
        "version": "6.2.0",
        "license": "CC-BY-4.0 AND OFL-1.1 AND MIT",
        "license_file": "LICENSE.txt",
        "integrity": "sha512-CNR7qRIfCwWHNN7FnKUniva94edPdyQzil/zCwk3v6k4R6rR2Fr8i4s3PM7n/lyfPA6Zfko9z5WDzFxG9SW1uQ==",
        "files": ["css/all.min.css"]
        + [
            f"webfonts/{font}.{ext}"
            for font in ("fa-brands-400", "fa-regular-400", "fa-solid-900", "fa-v4compatibility")
            for ext in ("woff2", "ttf")
        ],
    },
    "leaflet.markercluster": {
        "version": "1.1.0",
        "license": "MIT",
        "license_file": "MIT-LICENCE.txt",
        "integrity": "sha512-eI+XkCiLiHwCC3uZ4/n4+Vq3rXcqEHN2lhHRVG1WVziy/3Q0TTipWkzEa1zO0dKZI2AnI5ppFDWrOjnQ7MJLKQ==",
        "files": [
            "dist/leaflet.markercluster.js",
            "dist/MarkerCluster.css",
            "dist/MarkerCluster.Default.css",
        ],
    },
    "leaflet-draw": {
        # cdnjs calls it "leaflet.draw"; on npm it is "leaflet-draw".  The npm tarball has no
        # licence file, so LICENSE is written from LICENSE_TEXTS below.
        "version": "1.0.2",
        "requested": "leaflet.draw 1.0.2 (cdnjs)",
        "license": "MIT",
        "license_file": None,
        "integrity": "sha512-iCcbXE9okhwznoTXjxVjoGFoKeiWGsgmWPKrPAeHUvtWZWK4t6YF6815D13wZoMxX2UM6tOmD7/VofCxx3S0+w==",
        "files": [
            "dist/leaflet.draw.js",
            "dist/leaflet.draw.css",
            "dist/images/spritesheet.png",
            "dist/images/spritesheet-2x.png",
            "dist/images/spritesheet.svg",
        ],
    },
    "leaflet.locatecontrol": {
        # cdnjs calls it "leaflet-locatecontrol"; on npm it is "leaflet.locatecontrol".
        "version": "0.66.2",
        "requested": "leaflet-locatecontrol 0.66.2 (cdnjs)",
        "license": "MIT",
        "license_file": "LICENSE",
        "integrity": "sha512-33xCfRydyjLfh9nGvf4kSTM0tA1EFFgM0z4uj75QkUwIc9cz0vJqWABsyDirLm1GBKeEr8/krcnc10X1YuK7oA==",
        "files": ["dist/L.Control.Locate.min.js", "dist/L.Control.Locate.min.css"],
    },
    "leaflet.fullscreen": {
        # Folium asks jsDelivr for Control.FullScreen.min.js, a file jsDelivr minifies on the
        # fly: the npm tarball has only Control.FullScreen.js, which we serve instead.
        "version": "3.0.0",
        "license": "MIT",
        "license_file": "LICENSE",
        "integrity": "sha512-81wWSUXz1ZtdneR0v5eJDWXUSx+Zo5J50WXWeydG/UcILfIEAgz/iOjZSi3p00Z9MJ/FC/P5i3CgdYuEAos0yQ==",
        "files": ["Control.FullScreen.js", "Control.FullScreen.css", "icon-fullscreen.svg"],
    },
    "leaflet.heat": {
        # Licence only: folium's leaflet_heat.min.js is Leaflet.heat (+ simpleheat) with a
        # patch; we copy folium's file but ship Leaflet.heat's BSD licence next to it.
        "version": "0.2.0",
        "license": "BSD-2-Clause",
        "license_file": "LICENSE",
        "integrity": "sha512-Cd5PbAA/rX3X3XKxfDoUGi9qp78FyhWYurFg3nsfhntcM/MCNK08pRkf4iEenO1KNqwVPKCmkyktjW3UD+h9bQ==",
        "files": [],
        "license_only_for": "folium",
    },
    "swagger-ui-dist": {
        # Not folium's: the API documentation page (/api/v1/docs, webmap/templates/api_docs.html).
        # The bundle includes everything the page needs; its third-party licences come with it.
        "version": "5.35.0",
        "license": "Apache-2.0",
        "license_file": "LICENSE",
        "notice_file": "NOTICE",
        "integrity": "sha512-U06rpMtW9V3XPGOBeamTUSr0Z09jMX4IJuANpE/EZbAhw0G8CgwrzU4YmXkn/h0wCDNsXdGarTNNHC3sU8yVUQ==",
        "files": ["swagger-ui-bundle.js", "swagger-ui.css"],
        "extra_license_files": ["swagger-ui-bundle.js.LICENSE.txt"],
    },
    "folium": {
        # Not on npm: copied from the installed folium Python package.
        "version": FOLIUM_VERSION,
        "license": "MIT",
        "license_file": "LICENSE.txt",  # from folium-<version>.dist-info/licenses/
        "python": True,
        "files": [
            "templates/leaflet_heat.min.js",
            "templates/leaflet.awesome.rotate.min.css",  # generated if not in the package
        ],
    },
}

# Folium classes whose default_js / default_css we serve.  To add a plugin: add it here, run the
# script, and map every URL it reports as missing in ASSETS (adding a PACKAGES row if needed).
PLUGINS = ["MarkerCluster", "HeatMap", "Draw", "LocateControl", "Fullscreen"]

# Every CDN URL exactly as folium emits it -> (package, file in PACKAGES[package]["files"]),
# or None for a stylesheet/script we drop (the reason goes to the manifest's "notes").
ASSETS: dict[str, tuple[str, str] | None] = {
    # folium.Map
    "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js": ("leaflet", "dist/leaflet.js"),
    "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.css": ("leaflet", "dist/leaflet.css"),
    "https://code.jquery.com/jquery-3.7.1.min.js": ("jquery", "dist/jquery.min.js"),
    "https://cdn.jsdelivr.net/npm/bootstrap@5.2.2/dist/js/bootstrap.bundle.min.js": (
        "bootstrap", "dist/js/bootstrap.bundle.min.js"),
    "https://cdn.jsdelivr.net/npm/bootstrap@5.2.2/dist/css/bootstrap.min.css": (
        "bootstrap", "dist/css/bootstrap.min.css"),
    "https://netdna.bootstrapcdn.com/bootstrap/3.0.0/css/bootstrap-glyphicons.css": None,
    "https://cdn.jsdelivr.net/npm/@fortawesome/fontawesome-free@6.2.0/css/all.min.css": (
        "@fortawesome/fontawesome-free", "css/all.min.css"),
    "https://cdnjs.cloudflare.com/ajax/libs/Leaflet.awesome-markers/2.0.2/leaflet.awesome-markers.js": (
        "leaflet.awesome-markers", "dist/leaflet.awesome-markers.js"),
    "https://cdnjs.cloudflare.com/ajax/libs/Leaflet.awesome-markers/2.0.2/leaflet.awesome-markers.css": (
        "leaflet.awesome-markers", "dist/leaflet.awesome-markers.css"),
    "https://cdn.jsdelivr.net/gh/python-visualization/folium/folium/templates/leaflet.awesome.rotate.min.css": (
        "folium", "templates/leaflet.awesome.rotate.min.css"),
    # folium.plugins.MarkerCluster
    "https://cdnjs.cloudflare.com/ajax/libs/leaflet.markercluster/1.1.0/leaflet.markercluster.js": (
        "leaflet.markercluster", "dist/leaflet.markercluster.js"),
    "https://cdnjs.cloudflare.com/ajax/libs/leaflet.markercluster/1.1.0/MarkerCluster.css": (
        "leaflet.markercluster", "dist/MarkerCluster.css"),
    "https://cdnjs.cloudflare.com/ajax/libs/leaflet.markercluster/1.1.0/MarkerCluster.Default.css": (
        "leaflet.markercluster", "dist/MarkerCluster.Default.css"),
    # folium.plugins.HeatMap
    "https://cdn.jsdelivr.net/gh/python-visualization/folium@main/folium/templates/leaflet_heat.min.js": (
        "folium", "templates/leaflet_heat.min.js"),
    # folium.plugins.Draw
    "https://cdnjs.cloudflare.com/ajax/libs/leaflet.draw/1.0.2/leaflet.draw.js": (
        "leaflet-draw", "dist/leaflet.draw.js"),
    "https://cdnjs.cloudflare.com/ajax/libs/leaflet.draw/1.0.2/leaflet.draw.css": (
        "leaflet-draw", "dist/leaflet.draw.css"),
    # folium.plugins.LocateControl
    "https://cdnjs.cloudflare.com/ajax/libs/leaflet-locatecontrol/0.66.2/L.Control.Locate.min.js": (
        "leaflet.locatecontrol", "dist/L.Control.Locate.min.js"),
    "https://cdnjs.cloudflare.com/ajax/libs/leaflet-locatecontrol/0.66.2/L.Control.Locate.min.css": (
        "leaflet.locatecontrol", "dist/L.Control.Locate.min.css"),
    # folium.plugins.Fullscreen
    "https://cdn.jsdelivr.net/npm/leaflet.fullscreen@3.0.0/Control.FullScreen.min.js": (
        "leaflet.fullscreen", "Control.FullScreen.js"),
    "https://cdn.jsdelivr.net/npm/leaflet.fullscreen@3.0.0/Control.FullScreen.css": (
        "leaflet.fullscreen", "Control.FullScreen.css"),
}

# Assets of our own pages, not folium's: the CDN URL of each file (so localize() maps it too)
# -> (package, file). The pages link the local copies (webmap/api/docs.py looks them up here).
PAGE_ASSETS: dict[str, tuple[str, str]] = {
    # webmap/templates/api_docs.html (/api/v1/docs)
    "https://cdn.jsdelivr.net/npm/swagger-ui-dist@5.35.0/swagger-ui-bundle.js": (
        "swagger-ui-dist", "swagger-ui-bundle.js"),
    "https://cdn.jsdelivr.net/npm/swagger-ui-dist@5.35.0/swagger-ui.css": (
        "swagger-ui-dist", "swagger-ui.css"),
}

NOTES = {
    "https://netdna.bootstrapcdn.com/bootstrap/3.0.0/css/bootstrap-glyphicons.css":
        "dropped: Bootstrap 3 glyphicons are not used (icons are Font Awesome); localize() "
        "removes the <link> tag",
    "https://cdn.jsdelivr.net/npm/leaflet.fullscreen@3.0.0/Control.FullScreen.min.js":
        "served unminified: the npm tarball has no .min.js (jsDelivr minifies on the fly)",
    "https://cdnjs.cloudflare.com/ajax/libs/Leaflet.awesome-markers/2.0.2/leaflet.awesome-markers.js":
        "npm leaflet.awesome-markers@2.0.0 (bower.json 2.0.2) stands in for cdnjs 2.0.2",
    "https://cdnjs.cloudflare.com/ajax/libs/Leaflet.awesome-markers/2.0.2/leaflet.awesome-markers.css":
        "npm leaflet.awesome-markers@2.0.0 (bower.json 2.0.2) stands in for cdnjs 2.0.2",
    "https://cdn.jsdelivr.net/gh/python-visualization/folium/folium/templates/leaflet.awesome.rotate.min.css":
        "not shipped in the folium wheel: the rule set (.fa-rotate-1 ... .fa-rotate-360) is "
        "generated by scripts/vendor_assets.py",
    "https://cdn.jsdelivr.net/npm/swagger-ui-dist@5.35.0/swagger-ui-bundle.js":
        "not folium's: Swagger UI for the API documentation page /api/v1/docs",
    "https://cdn.jsdelivr.net/npm/swagger-ui-dist@5.35.0/swagger-ui.css":
        "not folium's: Swagger UI for the API documentation page /api/v1/docs",
}

# Licence texts for packages whose published tarball has none.
LICENSE_TEXTS = {
    "leaflet-draw": """\
Leaflet.draw is released under the MIT licence
(MIT-LICENSE.md in https://github.com/Leaflet/Leaflet.draw; the npm tarball omits it).

Copyright 2012-2016 Jacob Toye and Leaflet

Permission is hereby granted, free of charge, to any person obtaining
a copy of this software and associated documentation files (the
"Software"), to deal in the Software without restriction, including
without limitation the rights to use, copy, modify, merge, publish,
distribute, sublicense, and/or sell copies of the Software, and to
permit persons to whom the Software is furnished to do so, subject to
the following conditions:

The above copyright notice and this permission notice shall be
included in all copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND,
EXPRESS OR IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF
MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND
NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR COPYRIGHT HOLDERS BE
LIABLE FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER IN AN ACTION
OF CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN CONNECTION
WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.
""",
}

ROOT = Path(__file__).resolve().parent.parent
STATIC_DIR = ROOT / "webmap" / "static"
VENDOR_DIR = STATIC_DIR / "vendor"
KEEP = {"README.md"}  # hand-written files in VENDOR_DIR that the sync leaves alone

_SOURCEMAP_RE = re.compile(
    rb"(?:\r?\n)?[ \t]*(?://[#@] sourceMappingURL=[^\r\n]*|/\*[#@] sourceMappingURL=[^*]*\*/)[ \t]*(?:\r?\n)?\Z"
)


def package_dir(name: str) -> str:
    """vendor/<name>@<version>, relative to the static folder."""
    return f"vendor/{name}@{PACKAGES[name]['version']}"


def strip_source_map(path: str, data: bytes) -> bytes:
    if not path.endswith((".js", ".css")):
        return data
    stripped = _SOURCEMAP_RE.sub(b"", data)
    if stripped != data and not stripped.endswith(b"\n"):
        stripped += b"\n"
    return stripped


def rotate_css() -> bytes:
    """folium's leaflet.awesome.rotate CSS: one rotation class per degree, 1..360."""
    header = (
        "/* leaflet.awesome.rotate.min.css, as used by folium.Icon(angle=...).\n"
        f" * The rule set of folium's folium/templates/leaflet.awesome.rotate.css (folium {FOLIUM_VERSION}\n"
        " * links it from jsDelivr but does not ship it), regenerated by scripts/vendor_assets.py.\n"
        " * Copyright (C) 2013-, Folium developers. MIT licence: see LICENSE.txt beside this folder. */\n"
    )
    rules = "".join(
        f".fa-rotate-{n}{{-ms-transform:rotate({n}deg);-webkit-transform:rotate({n}deg);"
        f"transform:rotate({n}deg)}}\n"
        for n in range(1, 361)
    )
    return (header + rules).encode()


def check_folium() -> Path:
    import folium
    import folium.plugins

    if folium.__version__ != FOLIUM_VERSION:
        sys.exit(
            f"folium {folium.__version__} is installed but {FOLIUM_VERSION} is pinned: "
            "update FOLIUM_VERSION, PACKAGES and ASSETS together."
        )
    classes = [folium.Map] + [getattr(folium.plugins, name) for name in PLUGINS]
    declared = []
    for cls in classes:
        for _name, url in list(cls.default_js) + list(cls.default_css):
            declared.append((cls.__name__, url))
    missing = [(c, u) for c, u in declared if u not in ASSETS]
    if missing:
        sys.exit(
            "These CDN URLs are declared by folium but not mapped in ASSETS:\n"
            + "\n".join(f"  {c}: {u}" for c, u in missing)
        )
    unused = set(ASSETS) - {u for _c, u in declared}
    for url in sorted(unused):
        print(f"warning: ASSETS maps {url}, which none of Map/{'/'.join(PLUGINS)} declares")
    return Path(folium.__file__).resolve().parent


def npm_pack(name: str, spec: dict, workdir: Path) -> Path:
    version = spec["version"]
    out = subprocess.run(
        ["npm", "pack", f"{name}@{version}", "--json", "--silent"],
        cwd=workdir,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    info = json.loads(out)[0]
    tarball = workdir / info["filename"]
    digest = "sha512-" + base64.b64encode(hashlib.sha512(tarball.read_bytes()).digest()).decode()
    if digest != spec["integrity"]:
        sys.exit(f"{name}@{version}: tarball integrity {digest} != pinned {spec['integrity']}")
    return tarball


def read_member(tar: tarfile.TarFile, path: str, label: str) -> bytes:
    try:
        member = tar.getmember(f"package/{path}")
    except KeyError:
        sys.exit(f"{label}: {path} is not in the npm tarball")
    if not member.isfile():
        sys.exit(f"{label}: {path} is not a regular file in the npm tarball")
    return tar.extractfile(member).read()


def notice_text(name: str, spec: dict, notice: bytes) -> bytes:
    """The package's NOTICE, which its Apache License 2.0 (section 4(d)) says must go with it."""
    header = (
        f"NOTICE of {name} {spec['version']}, distributed with it under the Apache License 2.0\n"
        f"(section 4(d)); the licence itself is in {spec['license_file']} beside this file.\n\n"
    )
    return header.encode() + notice


def collect(folium_dir: Path) -> tuple[dict[str, bytes], dict]:
    """Return ({path relative to static/: content}, manifest)."""
    files: dict[str, bytes] = {}
    packages_meta: dict[str, dict] = {}
    extra_licenses: dict[str, list[str]] = {}
    with tempfile.TemporaryDirectory(prefix="vendor-assets-") as tmp:
        for name, spec in PACKAGES.items():
            if spec.get("python"):
                continue
            label = f"{name}@{spec['version']}"
            tarball = npm_pack(name, spec, Path(tmp))
            print(f"npm pack {label}: {tarball.name} (integrity ok)")
            with tarfile.open(tarball, "r:gz") as tar:
                if "license_only_for" in spec:
                    owner = spec["license_only_for"]
                    dest = f"{package_dir(owner)}/LICENSE.{name}.txt"
                    files[dest] = read_member(tar, spec["license_file"], label)
                    extra_licenses.setdefault(owner, []).append(dest)
                    continue
                base = package_dir(name)
                for path in spec["files"]:
                    files[f"{base}/{path}"] = strip_source_map(path, read_member(tar, path, label))
                if spec["license_file"]:
                    license_path = f"{base}/{spec['license_file']}"
                    files[license_path] = read_member(tar, spec["license_file"], label)
                else:
                    license_path = f"{base}/LICENSE"
                    files[license_path] = LICENSE_TEXTS[name].encode()
                for path in spec.get("extra_license_files", []):
                    files[f"{base}/{path}"] = read_member(tar, path, label)
                    extra_licenses.setdefault(name, []).append(f"{base}/{path}")
                if "notice_file" in spec:
                    dest = f"{base}/{spec['notice_file']}.txt"
                    files[dest] = notice_text(name, spec, read_member(tar, spec["notice_file"], label))
                    extra_licenses.setdefault(name, []).append(dest)
            packages_meta[name] = {
                "version": spec["version"],
                "license": spec["license"],
                "license_file": license_path,
                "source": f"npm:{name}@{spec['version']}",
            }
            for key in ("requested", "substitution"):
                if key in spec:
                    packages_meta[name][key] = spec[key]

    # Assets that ship inside the folium Python package.
    spec = PACKAGES["folium"]
    base = package_dir("folium")
    for path in spec["files"]:
        src = folium_dir / path
        if src.is_file():
            data = src.read_bytes()
            print(f"copy folium/{path}")
        elif path.endswith("leaflet.awesome.rotate.min.css"):
            data = rotate_css()
            print(f"generate {path} (not in the folium package)")
        else:
            sys.exit(f"folium/{path} is not in the installed folium package")
        files[f"{base}/{path}"] = strip_source_map(path, data)
    dist_info = folium_dir.parent / f"folium-{FOLIUM_VERSION}.dist-info"
    candidates = [dist_info / "licenses" / "LICENSE.txt", dist_info / "LICENSE.txt"]
    license_src = next((p for p in candidates if p.is_file()), None)
    if license_src is None:
        sys.exit(f"no LICENSE.txt in {dist_info}")
    files[f"{base}/{spec['license_file']}"] = license_src.read_bytes()
    print(f"copy {license_src.relative_to(folium_dir.parent)}")
    packages_meta["folium"] = {
        "version": FOLIUM_VERSION,
        "license": spec["license"],
        "license_file": f"{base}/{spec['license_file']}",
        "source": f"python:folium=={FOLIUM_VERSION}",
    }
    for owner, paths in extra_licenses.items():
        packages_meta[owner]["extra_license_files"] = sorted(paths)
    packages_meta["folium"]["note"] = (
        "leaflet_heat.min.js is Leaflet.heat 0.2.0 + simpleheat (BSD-2-Clause, (c) 2014 "
        "Vladimir Agafonkin) as patched by folium; its licence is in extra_license_files"
    )

    assets: dict[str, str | None] = {}
    for url, target in {**ASSETS, **PAGE_ASSETS}.items():
        if target is None:
            assets[url] = None
            continue
        name, path = target
        local = f"{package_dir(name)}/{path}"
        if local not in files:
            sys.exit(f"ASSETS maps {url} to {local}, which is not in PACKAGES[{name!r}]['files']")
        assets[url] = local
    manifest = {
        "assets": assets,
        "packages": packages_meta,
        "notes": NOTES,
        "generated_by": "scripts/vendor_assets.py",
    }
    return files, manifest


def sync(files: dict[str, bytes]) -> None:
    """Make STATIC_DIR/vendor hold exactly `files` (plus KEEP); report every change."""
    written = unchanged = 0
    for rel, data in sorted(files.items()):
        dest = STATIC_DIR / rel
        if dest.is_file() and dest.read_bytes() == data:
            unchanged += 1
            continue
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_bytes(data)
        written += 1
        print(f"wrote   {rel} ({len(data):,} bytes)")
    wanted = {STATIC_DIR / rel for rel in files} | {VENDOR_DIR / k for k in KEEP}
    removed = 0
    for path in sorted(VENDOR_DIR.rglob("*"), reverse=True):
        if path.is_file() and path not in wanted:
            path.unlink()
            removed += 1
            print(f"removed {path.relative_to(STATIC_DIR)}")
        elif path.is_dir() and not any(path.iterdir()):
            path.rmdir()
    print(f"{written} written, {unchanged} unchanged, {removed} removed")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.parse_args(argv)
    folium_dir = check_folium()
    files, manifest = collect(folium_dir)
    files["vendor/manifest.json"] = (json.dumps(manifest, indent=2, ensure_ascii=False) + "\n").encode()
    VENDOR_DIR.mkdir(parents=True, exist_ok=True)
    sync(files)
    total = sum(len(d) for d in files.values())
    print(f"vendored {len(files)} files, {total:,} bytes ({total / 1024 / 1024:.2f} MiB) "
          f"in {VENDOR_DIR.relative_to(ROOT)}")
    for name, meta in manifest["packages"].items():
        print(f"  {name:32} {meta['version']:8} {meta['license']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
