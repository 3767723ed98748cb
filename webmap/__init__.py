"""The web layer: Flask blueprints, Folium map builders, templates, static assets.

Thin by design: it calls `geo/` for everything geospatial.
"""
