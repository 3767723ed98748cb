"""Persistence for community issues: SQLite by default, PostgreSQL + PostGIS in production.

Import Flask nowhere in here: the web layer calls these functions with plain
values and turns `errors.NotFound` / `errors.ValidationError` into responses.
"""
