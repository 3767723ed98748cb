"""Compressed responses (Flask-Compress: zstd, Brotli or gzip, as the client accepts) for pages, JSON, GeoJSON and assets.

Conditional requests still work: the ETag of a compressed body names its encoding, and a client
sending it back gets a 304.
"""
from __future__ import annotations

from flask import Flask
from flask_compress import Compress

COMPRESSED_TYPES = [
    "text/html",
    "text/css",
    "text/csv",
    "text/plain",
    "text/javascript",
    "application/javascript",
    "application/json",
    "application/geo+json",
    "application/manifest+json",
    "application/geopackage+sqlite3",  # mostly empty pages: the buildings layer 143 KB → 20 KB
    "image/svg+xml",
]


def init_app(app: Flask) -> None:
    app.config.setdefault("COMPRESS_MIMETYPES", COMPRESSED_TYPES)
    app.config.setdefault("COMPRESS_MIN_SIZE", 1024)
    app.config.setdefault("COMPRESS_LEVEL", 6)
    app.config.setdefault("COMPRESS_BR_LEVEL", 4)
    Compress(app)
