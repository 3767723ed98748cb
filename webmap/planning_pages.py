"""/planning/lighting: where the lanes are dark and where new streetlights would light them all, and the
plan as a printable A4 page (/planning/lighting/print)."""
from __future__ import annotations

from datetime import datetime

import folium
import geopandas as gpd
import shapely
from flask import Blueprint, request, url_for
from flask_babel import gettext as _, ngettext
from folium.plugins import Draw

from geo.crs import DISPLAY_CRS, DISPLAY_DECIMALS, METRIC_CRS, rounded
from geo.in_service import in_service
from geo.lamp_placement import DEFAULT_UNIT_COST
from geo.lighting import NEW_LAMP_HEIGHT_M, NEW_LAMP_LUMINAIRE, SPACING_FACTORS
from store.errors import ValidationError
from store.timestamps import LOCAL_TZ
from webmap.api import lighting as api_lighting
from webmap.base_layers import base_layers
from webmap.base_map import build_backdrop_map, display_shift, home_bounds
from webmap.i18n import current_language, plural_forms, value_label
from webmap.folium_page import cached_map_page, render_map_page, render_page
from webmap.layer_display import LAMP_COLOURS, local_name
from webmap.map_elements import AppBinding, Legend
from webmap.page_context import ISSUE_STATUS_LABELS, api_root, compound_names, label

bp = Blueprint("planning_pages", __name__)

LIT_COLOUR = "#f2b200"
DARK_COLOUR = "#6d1a45"
PROPOSED_COLOUR = "#1565c0"
ISSUE_COLOUR = "#8a6d00"  # the lighting category's
AREA_COLOUR = "#37474f"
PROJECTS_API = "/projects"  # POST a project here (the projects API)
PROJECT_PAGE = "/projects/"  # followed by the project's id


def _style_config() -> dict:
    return {
        "lit": LIT_COLOUR,
        "dark": DARK_COLOUR,
        "proposed": PROPOSED_COLOUR,
        "issue": ISSUE_COLOUR,
        "area": AREA_COLOUR,
        "lamps": LAMP_COLOURS,
    }


def _legend() -> list:
    return [
        (
            _("照明"),
            [
                ("line", LIT_COLOUR, _("照亮的路段")),
                ("road", DARK_COLOUR, _("无灯的路段")),
                ("dot", LAMP_COLOURS["working"], _("现有路灯（正常）")),
                ("dot", LAMP_COLOURS["broken"], _("现有路灯（损坏）")),
                ("dot", PROPOSED_COLOUR, _("新增路灯（方案，带编号）")),
                ("fa-lightbulb", ISSUE_COLOUR, _("照明问题")),
                ("dash", AREA_COLOUR, _("规划范围")),
            ],
        )
    ]


def _luminaires() -> list[tuple[str, str]]:
    return [(name, value_label("luminaire", name)) for name in SPACING_FACTORS]


# --- /planning/lighting --------------------------------------------------------------------------

def build_lighting_map(layers, *, lang: str, tiles, tiles_key: str) -> folium.Map:
    """The toned-down base layers, empty groups static/js/lighting.js fills, and a tool to draw an area."""
    m = build_backdrop_map(layers, tiles=tiles, tiles_key=tiles_key)
    area = folium.FeatureGroup(name=_("规划范围"), control=False).add_to(m)
    lit = folium.FeatureGroup(name=_("照亮的路段")).add_to(m)
    dark = folium.FeatureGroup(name=_("无灯的路段")).add_to(m)
    lamps = folium.FeatureGroup(name=_("现有路灯")).add_to(m)
    issues = folium.FeatureGroup(name=_("照明问题")).add_to(m)
    proposed = folium.FeatureGroup(name=_("新增路灯（方案）")).add_to(m)
    drawn = folium.FeatureGroup(name=_("自绘范围"), control=False).add_to(m)
    shape = {"color": AREA_COLOUR, "weight": 3, "dashArray": "8 6", "fillColor": AREA_COLOUR, "fillOpacity": 0.06}
    Draw(
        feature_group=drawn,
        show_geometry_on_click=False,
        position="topleft",
        draw_options={
            "polyline": False,
            "circle": False,
            "marker": False,
            "circlemarker": False,
            "polygon": {"allowIntersection": False, "showArea": False, "shapeOptions": shape},
            "rectangle": {"showArea": False, "shapeOptions": shape},
        },
        edit_options={"edit": False, "remove": False},
    ).add_to(m)
    folium.LayerControl(collapsed=False, position="topright").add_to(m)
    Legend(_("图例"), _legend()).add_to(m)
    AppBinding(
        "JintanLighting",
        {"area": area, "lit": lit, "dark": dark, "lamps": lamps, "issues": issues, "proposed": proposed,
         "drawn": drawn},
        {
            "lang": lang,
            "api": api_root(),
            "projectsApi": api_root() + PROJECTS_API,
            "projectPage": request.script_root + PROJECT_PAGE,
            "issuePage": url_for("issue_pages.issue_map") + "/",
            "printPage": url_for("planning_pages.lighting_print"),
            "shift": display_shift(layers, tiles),
            "home": home_bounds(layers, tiles),
            "colours": _style_config(),
            "defaults": {
                "area": api_lighting.ALL,
                "mounting_height": NEW_LAMP_HEIGHT_M,
                "luminaire": NEW_LAMP_LUMINAIRE,
                "unit_cost": DEFAULT_UNIT_COST,
            },
            "luminaires": dict(_luminaires()),
            "statuses": {status: str(text) for status, text in ISSUE_STATUS_LABELS.items()},
            "messages": _messages(),
        },
    ).add_to(m)
    return m


def _messages() -> dict[str, str]:
    return {
        "loading": _("正在加载照明现状…"),
        "planning": _("正在生成方案…"),
        "failed": _("加载失败，请检查网络后重试"),
        "badInput": _("请检查标出的参数"),
        "drawFirst": _("请先用地图左上角的工具画出范围"),
        "stale": _("参数已更改，请重新生成方案"),
        "planned": plural_forms("方案已生成：新增 {n} 盏路灯", "方案已生成：新增 {n} 盏路灯"),
        "nothingDark": _("范围内的弄堂都已照亮，无需新增路灯"),
        "noLanes": _("范围内没有弄堂"),
        "litShare": _("亮灯比例"),
        "laneLength": _("弄堂总长"),
        "darkLength": _("无灯长度"),
        "lampsAround": _("周边路灯"),
        "brokenLamps": _("其中损坏"),
        "metres": _("{n} 米"),
        "stretches": plural_forms("{n} 段", "{n} 段"),
        "lampsUnit": plural_forms("{n} 盏", "{n} 盏"),
        "households": plural_forms("{n} 户", "{n} 户"),
        "buildings": plural_forms("{n} 栋楼", "{n} 栋楼"),
        "lampCount": plural_forms("{n} 盏（理论下限 {bound} 盏，等距布灯需 {naive} 盏）", "{n} 盏（理论下限 {bound} 盏，等距布灯需 {naive} 盏）"),
        "noIssues": _("无灯路段上没有未办结的照明问题"),
        "noBuildings": _("没有楼栋的出入口在新照亮的路段上"),
        "lamp": _("现有路灯 {n}"),
        "proposedLamp": _("新增路灯 {n}"),
        "lane": _("弄堂"),
        "height": _("安装高度"),
        "litRadius": _("照亮半径"),
        "status": _("状态"),
        "details": _("查看详情"),
        "working": value_label("status", "working"),
        "broken": value_label("status", "broken"),
        "drawnArea": _("自绘范围"),
        "projectName": plural_forms("{area}路灯补缺：新增 {n} 盏", "{area}路灯补缺：新增 {n} 盏"),
        "projectDescription": _(
            "亮灯比例 {before} → {after}；新增 {n} 盏 {height} 米{luminaire}路灯（理论下限 {bound} 盏）；"
            "受益 {households} 户：{addresses}"
        ),
        "projectCreating": _("正在创建项目…"),
        "projectUnavailable": _("项目功能暂未开放，请稍后再试"),
        "projectFailed": _("创建项目失败，请重试"),
        "none": _("无"),
        "luminaire": _("灯具配光"),
        "stretch": _("路段"),
        "litStretch": _("照亮的路段"),
        "darkStretch": _("无灯的路段"),
        "length": _("长度"),
        "coordinates": _("坐标"),
        "badArea": _("请选择小区或整个居民区，或在地图上画出范围"),
        "badDrawnArea": _("画出的范围无效：须是与居民区重叠、边线不交叉的多边形"),
        "badHeight": _("安装高度须在 {min}–{max} 米之间")
        .replace("{min}", f"{api_lighting.MOUNTING_HEIGHT_M[0]:g}")
        .replace("{max}", f"{api_lighting.MOUNTING_HEIGHT_M[1]:g}"),
        "badLuminaire": _("请选择灯具配光"),
        "badUnitCost": _("单价须是不小于 0 的数"),
        "badAsOf": _("日期须是 年-月-日，例如 2019-06-01"),
        "drawPolygon": _("画多边形范围"),
        "drawRectangle": _("画矩形范围"),
        "drawCancel": _("取消"),
        "drawFinish": _("完成"),
        "drawUndo": _("删除最后一点"),
        "drawStart": _("点按地图开始画范围"),
        "drawContinue": _("继续点按，画出范围的下一个角"),
        "drawEnd": _("点按第一个点完成"),
        "drawRectangleStart": _("按住并拖动，画出矩形"),
        "drawRelease": _("松开完成"),
    }


@bp.get("/planning/lighting")
def lighting_plan_page():
    # Built once per language and tiles: the analyses come from the API.
    return cached_map_page(
        "planning_lighting",
        build_lighting_map,
        "planning_lighting.html",
        title=_("路灯规划"),
        compounds=compound_names(current_language()),
        luminaires=_luminaires(),
        defaults={"mounting_height": NEW_LAMP_HEIGHT_M, "unit_cost": DEFAULT_UNIT_COST},
        height_range=api_lighting.MOUNTING_HEIGHT_M,
    )


# --- /planning/lighting/print --------------------------------------------------------------------

PRINT_PADDING_PX = 24
PRINT_MAP_WIDTH_MM = 180  # A4 less 15 mm margins
PRINT_MAP_HEIGHT_MM = 90, 110, 200  # least; most for a few lamps (the sheet stays one page); most for many
MANY_LAMPS = 40  # more than this on paper: smaller discs, so they do not cover each other


def print_map_height_mm(area, lamps: int) -> int:
    """As tall as the area's shape asks (its height-to-width ratio in metres times the page width), within limits."""
    minx, miny, maxx, maxy = gpd.GeoSeries([area.geometry], crs=DISPLAY_CRS).to_crs(METRIC_CRS).total_bounds
    ratio = (maxy - miny) / max(maxx - minx, 1.0)
    least, few, many = PRINT_MAP_HEIGHT_MM
    return int(min(max(PRINT_MAP_WIDTH_MM * ratio, least), many if lamps > MANY_LAMPS else few))


def build_print_map(layers, plan, area, lamps: gpd.GeoDataFrame) -> folium.Map:
    """A still picture of the plan for paper: base layers, the area, dark stretches, the lamps standing on the plan's
    day, numbered new lamps."""
    m = build_backdrop_map(layers)  # no tiles: paper needs none, and the page stays offline
    m.options.update(
        zoom_control=False, dragging=False, scroll_wheel_zoom=False, double_click_zoom=False, touch_zoom=False,
        box_zoom=False, keyboard=False, zoom_snap=0.1, attribution_control=False,
    )
    folium.GeoJson(
        shapely.geometry.mapping(area.geometry),
        style_function=lambda _f: {"color": AREA_COLOUR, "weight": 2, "dashArray": "6 4", "fill": False},
        interactive=False,
    ).add_to(m)
    if len(plan.dark_before):
        folium.GeoJson(
            plan.dark_before[["geometry"]].to_json(),
            style_function=lambda _f: {"color": DARK_COLOUR, "weight": 5, "opacity": 0.85},
            interactive=False,
        ).add_to(m)
    lamps = rounded(lamps[["status", "geometry"]])
    folium.GeoJson(
        lamps.to_json(),
        marker=folium.CircleMarker(radius=3.5, weight=1, color="#3d3d3d", fill=True, fill_opacity=1),
        style_function=lambda f: {"fillColor": LAMP_COLOURS.get(f["properties"]["status"], LAMP_COLOURS["working"])},
        interactive=False,
    ).add_to(m)
    size = 15 if len(plan.lamps) > MANY_LAMPS else 22
    for row in plan.lamps.itertuples(index=False):
        folium.Marker(
            [row.lat, row.lon],
            icon=folium.DivIcon(
                html=f'<span class="jt-proposed-number">{int(row.number)}</span>',
                class_name="jt-proposed" + (" jt-proposed-small" if size < 22 else ""),
                icon_size=(size, size),
                icon_anchor=(size // 2, size // 2),
            ),
            interactive=False,
        ).add_to(m)
    minx, miny, maxx, maxy = area.geometry.bounds
    m.fit_bounds([[miny, minx], [maxy, maxx]], padding=(PRINT_PADDING_PX, PRINT_PADDING_PX))
    return m


@bp.get("/planning/lighting/print")
def lighting_print():
    try:
        plan_request = api_lighting.plan_request_from_query()
    except ValidationError as problem:
        return render_page("lighting_print.html", title=_("路灯补缺方案"), problems=problem.field_errors), 400
    plan = api_lighting.lighting_plan(plan_request)
    lang = current_language()
    standing = in_service(base_layers().layers_over_time["streetlights"], plan_request.day)
    m = build_print_map(base_layers().layers, plan, plan_request.area, standing)
    html = render_map_page(
        "lighting_print.html",
        m,
        tiles=None,
        title=_("路灯补缺方案"),
        area_name=plan_request.area.name(lang),
        neighbourhood=local_name(base_layers().layers["boundary"].iloc[0], lang),
        made_on=datetime.now(LOCAL_TZ).strftime("%Y-%m-%d"),
        parameters=_print_parameters(plan_request, plan.summary),
        summary=_print_summary(plan.summary),
        lamps=_print_lamps(plan, lang),
        buildings=api_lighting.buildings_served(plan),
        households=plan.summary["households_served"],
        issues=[{**issue, "status": label(ISSUE_STATUS_LABELS, issue["status"])}
                for issue in api_lighting.plan_issues(plan)],
        back=url_for("planning_pages.lighting_plan_page", **plan_request.query(), plan=1),
        map_height_mm=print_map_height_mm(plan_request.area, len(plan.lamps)),
        dark_colour=DARK_COLOUR,
        area_colour=AREA_COLOUR,
        lamp_colours=LAMP_COLOURS,
    )
    return html


def _percent(share) -> str:
    return "—" if share is None else f"{share * 100:.0f} %"


def _money(value) -> str:
    return f"¥{value:,.0f}"


def _print_parameters(plan_request, summary) -> list[tuple[str, str]]:
    return [
        (_("规划范围"), plan_request.area.name(current_language())),
        (_("安装高度"), _("{n} 米").replace("{n}", f"{plan_request.mounting_height:g}")),
        (_("灯具配光"), value_label("luminaire", plan_request.luminaire)),
        (_("照亮半径"), _("{n} 米").replace("{n}", f"{summary['lit_radius_m']:g}")),
        (_("单价"), _money(plan_request.unit_cost)),
        (_("路灯现状日期"), plan_request.day.isoformat()),
    ]


def _print_summary(summary) -> list[tuple[str, str]]:
    metres = _("{n} 米")
    return [
        (_("亮灯比例"), f"{_percent(summary['lit_share_before'])} → {_percent(summary['lit_share_after'])}"),
        (_("弄堂总长"), metres.replace("{n}", f"{summary['lane_length_m']:,.0f}")),
        (_("无灯长度"), metres.replace("{n}", f"{summary['dark_length_before_m']:,.0f}")),
        (
            _("新增路灯"),
            ngettext("{n} 盏（理论下限 {bound} 盏，等距布灯需 {naive} 盏）", "{n} 盏（理论下限 {bound} 盏，等距布灯需 {naive} 盏）",
                     summary["lamps_proposed"])
            .replace("{n}", str(summary["lamps_proposed"]))
            .replace("{bound}", str(summary["lower_bound"]))
            .replace("{naive}", str(summary["naive_count"])),
        ),
        (_("估算费用"), _money(summary["cost"])),
        (_("受益户数"), ngettext("{n} 户", "{n} 户", summary["households_served"]).replace("{n}", str(summary["households_served"]))),
    ]


def _print_lamps(plan, lang: str) -> list[dict]:
    names = api_lighting.LineNames(lang)
    return [
        {
            "number": int(row.number),
            "lane": names("lanes", row.lane_id, row.lane),
            "lon": f"{row.lon:.{DISPLAY_DECIMALS}f}",
            "lat": f"{row.lat:.{DISPLAY_DECIMALS}f}",
            "height": f"{row.height:g}",
            "luminaire": value_label("luminaire", row.luminaire),
        }
        for row in plan.lamps.itertuples(index=False)
    ]
