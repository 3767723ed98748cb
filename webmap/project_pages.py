"""The project pages: /projects, a map and list of renovation projects; /projects/new and
/projects/<id>?edit=1, a project's area drawn or picked on a map with its form; /projects/<id>,
one project's record with what it touches (buildings, households, issues, other projects).

The pages read and write projects through /api/v1/projects: the browser with fetch, and the
record page with the API's own record of the project, so both always say the same thing.
"""
from __future__ import annotations

import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

import folium
from flask import Blueprint, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l, ngettext
from folium.plugins import Draw

from store.errors import NotFound
from store.issues import list_categories
from store.project_vocabulary import KIND_NAMES, ProjectKind
from store.projects import get_project
from store.user_vocabulary import Permission
from webmap.access import refusal, requires
from webmap.api.projects import project_record
from webmap.base_layers import base_layers
from webmap.base_map import build_backdrop_map, display_shift, home_bounds
from webmap.database import session
from webmap.folium_page import cached_map_page, render_page, vendored
from webmap.i18n import current_language, plural_forms
from webmap.layer_display import backdrop_style
from webmap.map_elements import AppBinding, Legend
from webmap.page_context import ISSUE_STATUS_LABELS, api_root, label, people
from webmap.tiles import TileProvider

bp = Blueprint("project_pages", __name__)

LOCAL_TIME = ZoneInfo("Asia/Shanghai")
YEARS = list(range(2018, 2028))
LIST_LIMIT = 500  # projects asked for at a time; the page asks again until it has them all
DETAIL_MAP_MARGIN_DEG = 0.0003  # about 30 m of base map around the project

STATUS_LABELS = {
    "proposed": _l("拟建"),
    "approved": _l("已批准"),
    "in_construction": _l("施工中"),
    "completed": _l("已完工"),
    "accepted": _l("已验收"),
}
# The project's life in order, light to dark, with construction standing out in orange.
STATUS_COLOURS = {
    "proposed": "#9e9ac8",
    "approved": "#3182bd",
    "in_construction": "#e6550d",
    "completed": "#31a354",
    "accepted": "#006d2c",
}
EVENT_LABELS = {
    "created": _l("登记"),
    "name": _l("名称"),
    "status": _l("状态"),
    "planned_start": _l("计划开工"),
    "planned_end": _l("计划完工"),
    "actual_start": _l("实际开工"),
    "actual_end": _l("实际完工"),
    "budget": _l("预算"),
    "contractor": _l("施工单位"),
    "description": _l("说明"),
    "geometry": _l("项目范围"),
    "linked": _l("关联问题"),
    "unlinked": _l("取消关联"),
    "comment": _l("备注"),
}
FIELDS = ("name", "kind", "status", "planned_start", "planned_end", "actual_start", "actual_end",
          "budget", "contractor", "description")


def status_options() -> list[tuple[str, str, str]]:
    return [(value, str(text), STATUS_COLOURS[value]) for value, text in STATUS_LABELS.items()]


def kind_name(kind: str | None) -> str:
    names = KIND_NAMES.get(kind)
    return names[current_language()] if names else (kind or "")


def kind_options() -> list[tuple[str, str]]:
    return [(str(kind), kind_name(kind)) for kind in ProjectKind]


def period(start: str | None, end: str | None) -> str:
    if not start and not end:
        return ""
    return f"{start or '…'} – {end or '…'}"


def money(budget) -> str:
    if budget is None or budget == "":
        return ""
    value = float(budget)
    return f"¥{value:,.0f}" if value == int(value) else f"¥{value:,.2f}"


def local_time(iso: str | None) -> str:
    if not iso:
        return ""
    try:
        return datetime.fromisoformat(iso).astimezone(LOCAL_TIME).strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return iso


# --- Folium maps, built once per language and tiles ------------------------------------------------

def _common_config(layers, tiles, lang: str) -> dict:
    return {
        "lang": lang,
        "api": api_root(),
        "detail": url_for("project_pages.project_map") + "/",
        "shift": display_shift(layers, tiles),
        "home": home_bounds(layers, tiles),
        "statuses": {value: {"label": text, "colour": colour} for value, text, colour in status_options()},
        "kinds": dict(kind_options()),
    }


def build_project_map(layers, *, lang: str, tiles: TileProvider | None, tiles_key: str) -> folium.Map:
    """The toned-down base layers and an empty group that static/js/projects.js fills."""
    m = build_backdrop_map(layers, tiles=tiles, tiles_key=tiles_key)
    projects = folium.FeatureGroup(name=_("项目")).add_to(m)
    folium.LayerControl(collapsed=False, position="topright").add_to(m)
    Legend(_("图例"), [(_("项目状态"), [("box", colour, text) for _v, text, colour in status_options()])]).add_to(m)
    AppBinding(
        "JintanProjects",
        {"projects": projects},
        {
            **_common_config(layers, tiles, lang),
            "pageSize": LIST_LIMIT,
            "messages": {
                "loading": _("正在加载…"),
                "failed": _("加载失败，请检查网络后重试"),
                "count": plural_forms("{n} 个项目", "{n} 个项目"),
                "none": _("没有符合条件的项目"),
                "kind": _("类型"),
                "status": _("状态"),
                "period": _("工期"),
                "households": _("受影响户数"),
                "householdsValue": plural_forms("{n} 户", "{n} 户"),
                "undated": _("工期未定"),
                "details": _("查看详情"),
            },
        },
    ).add_to(m)
    return m


def build_editor_map(layers, *, lang: str, tiles: TileProvider | None, tiles_key: str) -> folium.Map:
    """Base layers, Leaflet.draw for polygons, lines and points, and a group for the picked features."""
    m = build_backdrop_map(layers, tiles=tiles, tiles_key=tiles_key)
    drawn = folium.FeatureGroup(name=_("项目范围")).add_to(m)
    draw = Draw(
        feature_group=drawn,
        position="topleft",
        show_geometry_on_click=False,
        draw_options={
            "polygon": {"allowIntersection": False, "showArea": False},
            "polyline": {"showLength": False},
            "marker": {},
            "rectangle": False,
            "circle": False,
            "circlemarker": False,
        },
        edit_options={"poly": {"allowIntersection": False}},
    ).add_to(m)
    AppBinding(
        "JintanProjectEditor",
        {"drawn": drawn, "draw": draw},
        {
            **_common_config(layers, tiles, lang),
            "layers": api_root() + "/layers/",
            "drawText": _draw_texts(),
            "messages": {
                "loading": _("正在加载…"),
                "failed": _("加载失败，请检查网络后重试"),
                "saving": _("正在保存…"),
                "saveFailed": _("保存失败，请检查网络后重试"),
                "invalid": _("请检查标出的内容"),
                "noArea": _("请在地图上画出范围，或选择小区、建筑或弄堂"),
                "drawn": _("已画 {n} 处"),
                "picked": _("已选 {n} 处"),
                "nothing": _("还没有范围"),
                "noMatch": _("没有符合的名称"),
                "households": plural_forms("{n} 户", "{n} 户"),
            },
        },
    ).add_to(m)
    return m


def _draw_texts() -> dict:
    """Leaflet.draw's own words (L.drawLocal) in the page language."""
    return {
        "draw": {
            "toolbar": {
                "actions": {"title": _("取消绘制"), "text": _("取消")},
                "finish": {"title": _("完成绘制"), "text": _("完成")},
                "undo": {"title": _("删除最后一个点"), "text": _("删除最后一点")},
                "buttons": {"polyline": _("画线（弄堂、管线）"), "polygon": _("画多边形（范围）"), "marker": _("标一个点")},
            },
            "handlers": {
                "marker": {"tooltip": {"start": _("点按地图放置标记")}},
                "polygon": {"tooltip": {
                    "start": _("点按地图开始画范围"),
                    "cont": _("继续点按，画出范围的各个角"),
                    "end": _("点按第一个点闭合范围"),
                }},
                "polyline": {
                    "error": _("边线不能交叉"),
                    "tooltip": {
                        "start": _("点按地图开始画线"),
                        "cont": _("继续点按画线"),
                        "end": _("点按最后一个点结束"),
                    },
                },
            },
        },
        "edit": {
            "toolbar": {
                "actions": {
                    "save": {"title": _("保存修改"), "text": _("保存")},
                    "cancel": {"title": _("放弃修改"), "text": _("取消")},
                    "clearAll": {"title": _("全部删除"), "text": _("全部删除")},
                },
                "buttons": {
                    "edit": _("修改形状"),
                    "editDisabled": _("没有可修改的形状"),
                    "remove": _("删除形状"),
                    "removeDisabled": _("没有可删除的形状"),
                },
            },
            "handlers": {
                "edit": {"tooltip": {"text": _("拖动控制点修改形状"), "subtext": _("点“取消”放弃修改")}},
                "remove": {"tooltip": {"text": _("点按要删除的形状")}},
            },
        },
    }


# --- the pages ------------------------------------------------------------------------------------

@bp.get("/projects")
def project_map():
    return cached_map_page(
        "projects", build_project_map, "projects.html",
        title=_("改造项目"),
        years=YEARS,
        statuses=status_options(),
        kinds=kind_options(),
    )


@bp.get("/projects/new")
@requires(Permission.PLAN)
def new_project():
    return cached_map_page(
        "project-editor", build_editor_map, "project_form.html",
        title=_("新建项目"),
        project=None,
        statuses=status_options(),
        kinds=kind_options(),
        back=url_for("project_pages.project_map"),
    )


@bp.get("/projects/<project_id>")
def project_detail(project_id: str):
    project = read_project(project_id)
    if project is None:
        return render_page("project_detail.html", title=_("未找到该项目"), project=None), 404
    properties = project.get("properties") or {}
    if request.args.get("edit"):
        if (refused := refusal(Permission.PLAN)) is not None:
            return refused
        return cached_map_page(
            "project-editor", build_editor_map, "project_form.html",
            title=_("修改项目"),
            project=project,
            values={name: properties.get(name) for name in FIELDS},
            kind_name=kind_name(properties.get("kind")),
            statuses=status_options(),
            kinds=kind_options(),
            back=url_for("project_pages.project_detail", project_id=project_id),
        )
    derived = project.get("derived") or {}
    lang = current_language()
    categories = {c.id: c.name_en if lang == "en" else c.name_zh for c in list_categories(session())}
    return render_page(
        "project_detail.html",
        title=_("项目详情"),
        project=project,
        p=properties,
        kind=kind_name(properties.get("kind")),
        status=label(STATUS_LABELS, properties.get("status")),
        status_colour=STATUS_COLOURS.get(properties.get("status"), "#4d4d4d"),
        facts=_facts(properties),
        derived=derived,
        issue_status=lambda value: label(ISSUE_STATUS_LABELS, value),
        issue_category=lambda value: categories.get(value, value),
        conflicts=[{**c, "status_name": label(STATUS_LABELS, c.get("status")),
                    "period": period(c.get("planned_start"), c.get("planned_end"))}
                   for c in derived.get("conflicts") or []],
        history=_history(project.get("events") or [], _issue_titles(derived)),
        statuses=status_options(),
        map_data=_detail_map_data(project),
        leaflet_js=vendored(folium.Map.default_js, "leaflet"),
        leaflet_css=vendored(folium.Map.default_css, "leaflet_css"),
        icons_css=vendored(folium.Map.default_css, "awesome_markers_font_css"),
        config={
            "api": api_root(),
            "id": properties.get("id") or project.get("id"),
            "messages": {
                "saving": _("正在保存…"),
                "failed": _("保存失败，请检查网络后重试"),
                "invalid": _("请检查标出的内容"),
            },
        },
        back=url_for("project_pages.project_map"),
        edit=url_for("project_pages.project_detail", project_id=project_id, edit=1),
    )


def read_project(project_id: str) -> dict | None:
    """The project as GET /api/v1/projects/<id> answers it (derived facts and events too), or None."""
    try:
        project_id = str(uuid.UUID(project_id))
    except ValueError:
        return None
    try:
        return project_record(session(), get_project(session(), project_id))
    except NotFound:
        return None


def _facts(p: dict) -> list[tuple[str, str]]:
    households = p.get("households_affected")
    return [
        (_("类型"), kind_name(p.get("kind"))),
        (_("状态"), label(STATUS_LABELS, p.get("status"))),
        (_("计划工期"), period(p.get("planned_start"), p.get("planned_end"))),
        (_("实际工期"), period(p.get("actual_start"), p.get("actual_end"))),
        (_("预算"), money(p.get("budget"))),
        (_("施工单位"), p.get("contractor") or ""),
        (_("受影响户数"), "" if households is None else ngettext("{n} 户", "{n} 户", households).replace("{n}", f"{households:,}")),
    ]


def _issue_titles(derived: dict) -> dict[str, str]:
    """The titles of the issues the record knows, for naming them in the history."""
    return {i["id"]: i["title"] for key in ("open_issues_inside", "linked_issues") for i in derived.get(key) or []}


def _history(events: list[dict], issue_titles: dict[str, str]) -> list[dict]:
    entries = []
    names = people({event.get("actor") for event in events if event.get("actor")})
    for event in events:
        kind = event.get("kind")
        before, after, issue = event.get("from"), event.get("to"), None
        if kind in ("status", "created"):
            before, after = label(STATUS_LABELS, before), label(STATUS_LABELS, after)
        elif kind == "budget":
            before, after = money(before), money(after)
        elif kind in ("geometry", "description"):
            before, after = None, None  # whole shapes and texts: the record shows the current one
        elif kind in ("linked", "unlinked"):
            issue, before, after = after or before, None, None
        entries.append(
            {
                "at": local_time(event.get("at")),
                "iso": event.get("at") or "",
                "kind": label(EVENT_LABELS, kind),
                "from": before or "",
                "to": after or "",
                "issue": issue,
                "issue_title": issue_titles.get(issue) or (issue or "")[:8],
                "comment": event.get("comment") or "",
                "actor": names.get(event.get("actor"), event.get("actor") or ""),
            }
        )
    return entries


def _detail_map_data(project: dict) -> dict:
    """The project's geometry and the base layers around it, as plain GeoJSON in WGS84 (no tiles, no shift)."""
    from shapely.geometry import shape

    geometry = project.get("geometry")
    layers = base_layers().layers
    if geometry:
        minx, miny, maxx, maxy = shape(geometry).bounds
    else:
        minx, miny, maxx, maxy = layers["boundary"].total_bounds
    r = DETAIL_MAP_MARGIN_DEG
    around = {}
    for name in ("roads", "lanes", "buildings", "boundary"):
        near = layers[name].cx[minx - r * 1.2: maxx + r * 1.2, miny - r: maxy + r]
        around[name] = {
            "type": "FeatureCollection",
            "features": [
                {"type": "Feature", "geometry": row.geometry.__geo_interface__,
                 "properties": {"style": backdrop_style(name, row)}}
                for _i, row in near.iterrows()
            ],
        }
    status = (project.get("properties") or {}).get("status")
    return {
        "geometry": geometry,
        "bounds": [[miny, minx], [maxy, maxx]],
        "colour": STATUS_COLOURS.get(status, "#4d4d4d"),
        "layers": around,
    }
