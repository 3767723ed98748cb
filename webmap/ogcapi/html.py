"""What the HTML pages of /ogcapi show of a feature: headings, values as text, where on the site to see it."""
from __future__ import annotations

from typing import Any

from flask import url_for
from flask_babel import lazy_gettext as _l

from webmap.i18n import current_language
from webmap.ogcapi.collection import Collection, Feature

HEADINGS = {
    "id": _l("编号"),
    "name": _l("名称"),
    "name_en": _l("英文名称"),
    "title": _l("标题"),
    "address": _l("地址"),
    "compound": _l("所属小区"),
    "type": _l("类型"),
    "kind": _l("类型"),
    "kind_name": _l("类型"),
    "category_name": _l("类别"),
    "category_name_zh": _l("类别"),
    "kind_name_zh": _l("类型"),
    "floors": _l("层数"),
    "households": _l("户数"),
    "year_built": _l("建成年份"),
    "protected": _l("历史保护建筑"),
    "width": _l("宽度"),
    "height": _l("安装高度"),
    "power": _l("功率"),
    "luminaire": _l("灯具"),
    "status": _l("状态"),
    "installed": _l("安装日期"),
    "reported_at": _l("上报时间"),
    "planned_start": _l("计划开工"),
    "planned_end": _l("计划完工"),
}
def heading(name: str, collection: Collection | None = None) -> str:
    """The property's label: as its collection declares it (geo.record_fields), else as above, else its name."""
    declared = {f.name: f for f in collection.fields} if collection is not None else {}
    if name in declared:
        return declared[name].label(current_language())
    return str(HEADINGS.get(name, name))


def shown(collection: Collection, name: str, value: Any) -> str:
    if value is None or value == "":
        return "—"
    labels = collection.labels.get(name, {})
    return str(labels[value]) if value in labels else str(value)


def site_map(collection: Collection) -> str:
    """The site's map of the collection's features."""
    endpoint = {"issues": "issue_pages.issue_map", "projects": "project_pages.project_map"}.get(collection.id)
    return url_for(endpoint or "pages.index")


def site_page(collection: Collection, feature: Feature) -> str:
    """Where the site shows the feature to people: its record, or the map."""
    if collection.id == "issues":
        return url_for("issue_pages.issue_detail", issue_id=feature["id"])
    if collection.id == "projects":
        return url_for("project_pages.project_detail", project_id=feature["id"])
    return url_for("pages.index")


def row(collection: Collection, feature: Feature, names: tuple[str, ...]) -> dict[str, Any]:
    properties = feature.get("properties") or {}
    return {
        "id": str(feature["id"]),
        "cells": [shown(collection, name, properties.get(name)) for name in names],
        "site": site_page(collection, feature),
    }
