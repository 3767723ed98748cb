"""OGC API - Features Part 1 Core at /ogcapi: the base layers, issues and projects as collections, GeoJSON and HTML.

A framework-neutral core (`query`, `collection` and its providers, `documents`,
`openapi`) under a thin Flask adapter (`views`). GDAL's OAPIF driver and QGIS read it.
"""
from webmap.ogcapi.views import bp

__all__ = ["bp"]
