"""The issue pages: /issues, a map of residents' issues, and /issues/<id>, one issue's record."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import folium
from flask import Blueprint, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from folium.plugins import HeatMap, MarkerCluster

from store.errors import NotFound
from store.issues import get_issue
from store.models import Issue
from store.vocabulary import DONE_STATUSES, OPEN_STATUSES
from webmap.base_layers import base_layers
from webmap.base_map import build_backdrop_map, display_shift, home_bounds
from webmap.database import session
from webmap.folium_page import cached_map_page, render_page, vendored
from webmap.i18n import current_language, plural_forms
from webmap.layer_display import backdrop_style, local_name
from webmap.map_elements import AppBinding, Legend
from webmap.page_context import ISSUE_STATUS_LABELS, api_root, compound_names, label, people
from webmap.tiles import TileProvider

bp = Blueprint("issue_pages", __name__)

LOCAL_TIME = ZoneInfo("Asia/Shanghai")
# Above this many issues in view the map shows counts per area from /density instead of each issue.
AGGREGATE_ABOVE = 3000
DETAIL_MAP_RADIUS_DEG = 0.0008  # about 80 m around the issue

PRIORITY_LABELS = {"low": _l("低"), "normal": _l("普通"), "high": _l("高"), "urgent": _l("紧急")}
SOURCE_LABELS = {
    "visit": _l("走访"),
    "questionnaire": _l("问卷"),
    "forum": _l("座谈会"),
    "onsite_meeting": _l("现场三会"),
    "hotline_12345": _l("12345热线"),
    "patrol": _l("巡查"),
}
REJECTION_LABELS = {"duplicate": _l("重复上报"), "not_ours": _l("不属本居委职责")}
# As the tablet's report form words them.
LOCATION_SOURCE_LABELS = {"gps": _l("GPS 定位"), "map": _l("在地图上点选"), "list": _l("从列表选择")}
EVENT_LABELS = {
    "created": _l("登记"),
    "status": _l("状态"),
    "rejection_reason": _l("退回原因"),
    "priority": _l("优先级"),
    "assignment": _l("指派"),
    "due_date": _l("办理期限"),
    "comment": _l("备注"),
    "photo": _l("上传照片"),
}
EVENT_VALUE_LABELS = {"created": ISSUE_STATUS_LABELS, "status": ISSUE_STATUS_LABELS, "priority": PRIORITY_LABELS, "rejection_reason": REJECTION_LABELS}

def status_group(status: str) -> str:
    """How a marker shows its status: open (solid), done (hollow) or rejected (faded)."""
    if status in {s.value for s in OPEN_STATUSES}:
        return "open"
    if status in {s.value for s in DONE_STATUSES}:
        return "done"
    return "rejected"


def local_time(moment: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    return moment.astimezone(LOCAL_TIME).strftime(fmt) if moment else ""


# --- /issues -------------------------------------------------------------------------------------

def build_issue_map(layers, *, lang: str, tiles: TileProvider | None, tiles_key: str) -> folium.Map:
    """The toned-down base layers, an empty issue cluster and heat layer that static/js/issues.js fills."""
    m = build_backdrop_map(layers, tiles=tiles, tiles_key=tiles_key)
    issues = folium.FeatureGroup(name=_("问题")).add_to(m)
    cluster = MarkerCluster(
        control=False,
        options={
            "showCoverageOnHover": False,
            "maxClusterRadius": 70,  # wider than the widest cluster icon, so that clusters barely touch
            "spiderfyDistanceMultiplier": 1.6,
            "chunkedLoading": True,
        },
    ).add_to(issues)
    heat = HeatMap([], name=_("热力图"), show=False, radius=24, blur=18, min_opacity=0.3, max_zoom=17).add_to(m)
    folium.LayerControl(collapsed=False, position="topright").add_to(m)
    Legend(_("图例"), _issue_legend()).add_to(m)
    AppBinding(
        "JintanIssues",
        {"issues": issues, "cluster": cluster, "heat": heat},
        {
            "lang": lang,
            "api": api_root(),
            "detail": url_for("issue_pages.issue_map") + "/",
            "aggregateAbove": AGGREGATE_ABOVE,
            "shift": display_shift(layers, tiles),
            "home": home_bounds(layers, tiles),
            "openStatuses": [status.value for status in OPEN_STATUSES],  # what the map opens on
            "statuses": {status: {"label": str(text), "group": status_group(status)}
                         for status, text in ISSUE_STATUS_LABELS.items()},
            "messages": {
                "loading": _("正在加载本区域的问题…"),
                "count": plural_forms("本区域 {n} 条问题", "本区域 {n} 条问题"),
                "none": _("本区域没有符合条件的问题"),
                "aggregated": plural_forms(
                    "本区域 {n} 条问题，数量较多，按位置汇总显示；放大地图或增加筛选条件可逐条查看",
                    "本区域 {n} 条问题，数量较多，按位置汇总显示；放大地图或增加筛选条件可逐条查看",
                ),
                "failed": _("加载失败，请检查网络后重试"),
                "badFilter": _("筛选条件有误，请检查日期等条件"),
                "category": _("类别"),
                "status": _("状态"),
                "reported": _("上报时间"),
                "address": _("地址"),
                "details": _("查看详情"),
                "issues": plural_forms("{n} 条问题", "{n} 条问题"),
                "counted": _("按位置汇总"),
                "labelSeparator": _("："),
                "listSeparator": _("、"),
            },
        },
    ).add_to(m)
    return m


def _issue_legend():
    return [
        (
            _("问题状态"),
            [
                ("pin", "#4d4d4d", _("未办结：已上报、已受理、处理中")),
                ("ring", "#4d4d4d", _("已办结：已解决、已关闭")),
                ("faded", "#4d4d4d", _("已退回")),
            ],
        ),
        (
            _("数量"),
            [
                ("group", "#37474f", _("附近问题合计，外圈按类别颜色显示各占多少，点按放大")),
                ("tally", "#d1495b", _("按位置汇总的问题数")),
            ],
        ),
    ]


@bp.get("/issues")
def issue_map():
    # Built once per language and tiles: the issues themselves come from the API.
    return cached_map_page(
        "issues",
        build_issue_map,
        "issues.html",
        title=_("问题地图"),
        statuses=[(status, str(text)) for status, text in ISSUE_STATUS_LABELS.items()],
        compounds=compound_names(current_language()),
    )


# --- /issues/<id> --------------------------------------------------------------------------------

@bp.get("/issues/<issue_id>")
def issue_detail(issue_id: str):
    try:
        issue = get_issue(session(), issue_id)
    except NotFound:
        return render_page("issues_not_found.html", title=_("未找到该问题")), 404
    lang = current_language()
    return render_page(
        "issue_detail.html",
        title=_("问题详情"),
        issue=issue,
        category_name=issue.category.name_en if lang == "en" else issue.category.name_zh,
        status=label(ISSUE_STATUS_LABELS, issue.status),
        status_group=status_group(issue.status),
        facts=_facts(issue, lang),
        history=_history(issue),
        photos=_photos(issue),
        accuracy_flag=_accuracy_flag(issue),
        map_data=_detail_map_data(issue),
        leaflet_js=vendored(folium.Map.default_js, "leaflet"),
        leaflet_css=vendored(folium.Map.default_css, "leaflet_css"),
        icons_css=vendored(folium.Map.default_css, "awesome_markers_font_css"),
        # Back on the map beside this issue, whatever its status or age (no default filters hide it).
        back=url_for("issue_pages.issue_map", show="all", lat=f"{issue.lat:.6f}", lon=f"{issue.lon:.6f}", zoom=19),
    )


def _facts(issue: Issue, lang: str) -> list[tuple[str, str]]:
    layers = base_layers().layers
    buildings = layers["buildings"].set_index("id")
    compounds = layers["compounds"].set_index("id")
    building = ""
    if issue.building_id in buildings.index:
        record = buildings.loc[issue.building_id]
        building = str(record["name"]) if isinstance(record["name"], str) and record["name"] else str(record["address"])
    elif issue.building_id:
        building = issue.building_id
    compound = ""
    if issue.compound_id in compounds.index:
        compound = local_name(compounds.loc[issue.compound_id], lang)
    elif issue.compound_id:
        compound = issue.compound_id
    facts = [
        (_("优先级"), label(PRIORITY_LABELS, issue.priority)),
        (_("来源"), label(SOURCE_LABELS, issue.source)),
        (_("地址"), issue.address or ""),
        (_("所在建筑"), building),
        (_("所属小区"), compound),
        (_("上报时间"), local_time(issue.reported_at)),
        (_("解决时间"), local_time(issue.resolved_at)),
        (_("负责人"), issue.assignee or ""),
        (_("典型案例"), _("是") if issue.is_typical_case else _("否")),
    ]
    if issue.due_date:
        facts.append((_("办理期限"), issue.due_date.isoformat()))
    if issue.rejection_reason:
        facts.append((_("退回原因"), label(REJECTION_LABELS, issue.rejection_reason)))
    if issue.location_note:
        facts.append((_("位置说明"), issue.location_note))
    if issue.location_source:
        facts.append((_("定位方式"), label(LOCATION_SOURCE_LABELS, issue.location_source)))
    if issue.location_accuracy_m is not None:
        facts.append((_("定位精度"), _("±%(metres)s 米", metres=_metres(issue.location_accuracy_m))))
    return facts


def _metres(value: float) -> str:
    return f"{value:.0f}"


def _accuracy_flag(issue: Issue) -> str | None:
    if not issue.location_flagged:
        return None
    return _("定位精度 ±%(metres)s 米（低于要求）", metres=_metres(issue.location_accuracy_m))


def _history(issue: Issue) -> list[dict]:
    entries = []
    names = people({event.actor for event in issue.events})
    for event in issue.events:
        values = EVENT_VALUE_LABELS.get(event.kind, {})
        entries.append(
            {
                "at": local_time(event.at),
                "iso": event.at.astimezone(LOCAL_TIME).isoformat(),
                "kind": label(EVENT_LABELS, event.kind),
                "from": label(values, event.from_value),
                "to": label(values, event.to_value),
                "comment": event.comment or "",
                "actor": names[event.actor],
            }
        )
        if event.kind == "photo":  # to_value is the photo's id, not a value to show
            entries[-1]["to"] = ""
            entries[-1]["photo"] = url_for("api.photo_file", photo_id=event.to_value)
    return entries


def _photos(issue: Issue) -> list[dict]:
    names = people({photo.uploaded_by for photo in issue.photos})
    return [
        {
            "url": url_for("api.photo_file", photo_id=photo.public_id),
            "thumbnail": url_for("api.photo_thumbnail", photo_id=photo.public_id),
            "alt": _("问题照片 %(n)s", n=n),
            "by": names[photo.uploaded_by],
            "at": local_time(photo.uploaded_at),
            "iso": photo.uploaded_at.astimezone(LOCAL_TIME).isoformat(),
        }
        for n, photo in enumerate(issue.photos, start=1)
    ]


def _detail_map_data(issue: Issue) -> dict:
    """The issue's point and the base layers around it, as plain GeoJSON in WGS84 (no tiles, no shift)."""
    r = DETAIL_MAP_RADIUS_DEG
    around = {}
    for name in ("roads", "lanes", "buildings", "boundary"):
        gdf = base_layers().layers[name]
        near = gdf.cx[issue.lon - r * 1.2: issue.lon + r * 1.2, issue.lat - r: issue.lat + r]
        around[name] = {
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "geometry": row.geometry.__geo_interface__,
                    "properties": {"style": backdrop_style(name, row)},
                }
                for _i, row in near.iterrows()
            ],
        }
    return {
        "point": [issue.lat, issue.lon],
        "colour": issue.category.colour,
        "group": status_group(issue.status),
        "layers": around,
    }
