"""Settings read from the environment, with the defaults a fresh clone runs on."""
from __future__ import annotations

import os
import secrets
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

BASEMAPS = ("none", "osm", "tianditu", "gaode")


def from_environment(environ: dict[str, str] | None = None) -> dict:
    env = os.environ if environ is None else environ
    return {
        "DATA_DIR": env.get("DATA_DIR", str(ROOT / "data" / "shapefiles")),
        "BASEMAP": env.get("BASEMAP", "none"),
        "TIANDITU_KEY": env.get("TIANDITU_KEY", ""),
        "SECRET_KEY": env.get("SECRET_KEY", ""),  # empty: a random key kept in instance/secret_key
        "DATABASE_URL": env.get("DATABASE_URL", f"sqlite:///{ROOT / 'instance' / 'jintan.sqlite3'}"),
        # Uploaded photos and their thumbnails, served only through the API (never from the static folder).
        "PHOTO_DIR": env.get("PHOTO_DIR", str(ROOT / "instance" / "photos")),
        # The largest body any route takes (a 10 MB photo and its form); refused before anything reads it, CSRF included.
        "MAX_CONTENT_LENGTH": 11 * 1024 * 1024,
        "AUTO_MIGRATE": _flag(env.get("AUTO_MIGRATE", "1")),
        # Seconds a hot spot answer is reused for the same parameters (0: worked out for every request).
        "HOTSPOT_MAX_AGE": float(env.get("HOTSPOT_MAX_AGE", "60")),
        # Whether visitors who have not signed in may see the maps, issues and projects (never change them).
        "ANONYMOUS_VIEW": _flag(env.get("ANONYMOUS_VIEW", "1")),
        # Set to 1 when served over HTTPS: cookies are then never sent over plain HTTP.
        "SESSION_COOKIE_SECURE": _flag(env.get("SESSION_COOKIE_SECURE", "0")),
        # Failed sign-in attempts allowed per client address (the `limits` notation).
        "SIGN_IN_RATE_LIMIT": env.get("SIGN_IN_RATE_LIMIT", "10 per minute;50 per hour"),
        # memory:// counts per process; give several workers one store, e.g. redis://host:6379.
        "RATELIMIT_STORAGE_URI": env.get("RATELIMIT_STORAGE_URI", "memory://"),
    }


def _flag(value: str) -> bool:
    return value.strip().lower() not in ("0", "false", "no", "off", "")


def secret_key(instance_path: Path) -> str:
    """A random key made once and kept in the instance folder, so sessions survive restarts without a setting."""
    path = Path(instance_path) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        draft = path.with_name(f"secret_key.{secrets.token_hex(8)}")
        descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as file:
            file.write(secrets.token_urlsafe(48))
        try:
            os.link(draft, path)  # whole or not at all; if another process won the race, its key stands
        except FileExistsError:
            pass
        finally:
            os.unlink(draft)
    return path.read_text().strip()


def check(config: dict) -> None:
    """Refuse settings that cannot work, naming the setting."""
    if config["BASEMAP"] not in BASEMAPS:
        raise ValueError(
            f"BASEMAP={config['BASEMAP']!r} is not one of {', '.join(BASEMAPS)}"
        )
    if config["BASEMAP"] == "tianditu" and not config["TIANDITU_KEY"]:
        raise ValueError("BASEMAP=tianditu needs TIANDITU_KEY (a Tianditu browser key)")
