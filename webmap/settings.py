"""Settings read from the environment, with the defaults a fresh clone runs on."""
from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

BASEMAPS = ("none", "osm", "tianditu", "gaode")


def from_environment(environ: dict[str, str] | None = None) -> dict:
    env = os.environ if environ is None else environ
    return {
        "DATA_DIR": env.get("DATA_DIR", str(ROOT / "data" / "shapefiles")),
        "BASEMAP": env.get("BASEMAP", "none"),
        "TIANDITU_KEY": env.get("TIANDITU_KEY", ""),
        "SECRET_KEY": env.get("SECRET_KEY", "dev-only-change-me"),
        "DATABASE_URL": env.get("DATABASE_URL", f"sqlite:///{ROOT / 'instance' / 'jintan.sqlite3'}"),
        "AUTO_MIGRATE": env.get("AUTO_MIGRATE", "1") not in ("0", "false", "no"),
    }


def check(config: dict) -> None:
    """Refuse settings that cannot work, naming the setting."""
    if config["BASEMAP"] not in BASEMAPS:
        raise ValueError(
            f"BASEMAP={config['BASEMAP']!r} is not one of {', '.join(BASEMAPS)}"
        )
    if config["BASEMAP"] == "tianditu" and not config["TIANDITU_KEY"]:
        raise ValueError("BASEMAP=tianditu needs TIANDITU_KEY (a Tianditu browser key)")
