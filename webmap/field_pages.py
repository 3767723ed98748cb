"""/field/: the tablet app community workers carry through the lanes, its service worker and web app manifest.

The page is the base map with the app over it (static/field/). Reports, updates and photos wait in
an outbox on the tablet and go to the JSON API when there is a network; /field/sw.js keeps the page,
its assets, the base layers and the latest answers for when there is none.
"""
from __future__ import annotations

import json

import folium
import geopandas as gpd
from flask import Blueprint, Flask, Response, current_app, url_for
from flask.blueprints import BlueprintSetupState
from flask_babel import gettext as _

from store.intake import BOUNDARY_STREETS_M
from store.user_vocabulary import Permission
from store.validation import COMMENT_MAX, DESCRIPTION_MAX, TITLE_MAX
from store.vocabulary import OPEN_STATUSES, Source, Status
from webmap.access import requires
from webmap.assets import STATIC_DIR
from webmap.base_map import build_base_map, display_shift, home_bounds
from webmap.field_precache import SERVICE_WORKER, OfflineBundle, offline_bundle
from webmap.folium_page import cached_map_page
from webmap.i18n import plural_forms
from webmap.map_assets import use_page_assets
from webmap.map_elements import AppBinding
from webmap.page_context import ISSUE_STATUS_LABELS, api_root
from webmap.tiles import TileProvider

bp = Blueprint("field_pages", __name__)

ACCURACY_LIMIT_M = 30  # a GPS position less precise than this is flagged on the report
ADDRESS_WITHIN_M = 30  # a report this close to a building takes its address
NEARBY_RADIUS_M = 300  # "open issues nearby"
MAX_PHOTOS = 5
PHOTO_LONG_SIDE_PX = 1600
PHOTO_JPEG_QUALITY = 0.85
FIELD_SOURCE = Source.PATROL  # 巡查: found while walking the lanes
STATUS_CHOICES = (Status.ACKNOWLEDGED, Status.IN_PROGRESS, Status.RESOLVED)
PLACE_LAYERS = ("buildings", "lanes", "boundary")  # what the tablet finds addresses and places in
THEME_COLOUR = "#0b3d66"
OFFLINE = "field_offline"  # app.extensions key of the OfflineBundle


def _prepare_offline(state: BlueprintSetupState) -> None:
    """The precache list and its version, once when the app starts (the base layers are loaded by then)."""
    state.app.extensions[OFFLINE] = offline_bundle(state.app.extensions["base_layers"].geojson)


bp.record_once(_prepare_offline)


def offline(app: Flask | None = None) -> OfflineBundle:
    return (app or current_app).extensions[OFFLINE]


def _static_url(path: str) -> str:
    # Spelled as the page spells it (an "@" stays an "@"), so the service worker's cache keys match.
    return url_for("static", filename="").rstrip("/") + "/" + path


def build_field_map(
    layers: dict[str, gpd.GeoDataFrame], *, lang: str, tiles: TileProvider | None, tiles_key: str
) -> folium.Map:
    """The base map as on / (every layer, popups, legend) with static/field/field.js attached."""
    m = use_page_assets(build_base_map(layers, lang=lang, tiles=tiles, tiles_key=tiles_key), icons=True)
    AppBinding("JintanField", {}, _settings(layers, lang, tiles)).add_to(m)
    return m


def _settings(layers: dict[str, gpd.GeoDataFrame], lang: str, tiles: TileProvider | None) -> dict:
    api = api_root()
    return {
        "lang": lang,
        "api": api,
        "me": api + "/me",
        "categories": url_for("api.categories"),
        "layers": {name: url_for("api.get_layer", name=name) for name in PLACE_LAYERS},
        "detail": url_for("issue_pages.issue_map") + "/",
        "scope": url_for("field_pages.field_app"),
        "serviceWorker": url_for("field_pages.service_worker"),
        "shift": display_shift(layers, tiles),
        "home": home_bounds(layers, tiles),
        "source": FIELD_SOURCE.value,
        "openStatuses": [status.value for status in OPEN_STATUSES],
        "statusChoices": [status.value for status in STATUS_CHOICES],
        "statuses": {status: str(text) for status, text in ISSUE_STATUS_LABELS.items()},
        "accuracyLimitM": ACCURACY_LIMIT_M,
        "addressWithinM": ADDRESS_WITHIN_M,
        "outsideToleranceM": BOUNDARY_STREETS_M,
        "nearbyRadiusM": NEARBY_RADIUS_M,
        "commentMax": COMMENT_MAX,
        "photos": {"max": MAX_PHOTOS, "longSide": PHOTO_LONG_SIDE_PX, "quality": PHOTO_JPEG_QUALITY},
        "messages": {
            "online": _("在线"),
            "offline": _("离线"),
            "locating": _("正在定位…"),
            "gpsGood": _("GPS 精度 ±{n} 米"),
            "gpsPoor": _("GPS 精度较差：±{n} 米"),
            "gpsDenied": _("未允许定位：请在浏览器设置中允许，或在地图上点选位置"),
            "gpsFailed": _("暂时无法定位，请在地图上点选位置"),
            "gpsUnavailable": _("此设备不能定位，请在地图上点选位置"),
            "gpsNeedsHttps": _("定位需要通过 HTTPS 打开本页，请在地图上点选位置"),
            "noPlace": _("尚未选定位置"),
            "nearBuilding": _("{address}（相距 {n} 米）"),
            "noBuilding": _("{n} 米内没有建筑"),
            "poorAccuracy": _("定位精度较差（±{n} 米），请核对位置，或在地图上点选。"),
            "outside": _("这个位置在居民区边界外 {n} 米。"),
            "placesLoading": _("正在加载建筑和弄堂…"),
            "placesFailed": _("建筑和弄堂未能加载，暂时无法显示门牌"),
            "nothingFound": _("未找到，请换个写法"),
            "lane": _("弄堂"),
            "building": _("建筑"),
            "categoriesFailed": _("类别未能加载，请联网后重试"),
            "needPlace": _("请选择问题的位置"),
            "confirmOutside": _("位置在居民区外：请确认问题确实在附近，或重新选择位置"),
            "needCategory": _("请选择类别"),
            "needTitle": _("请填写标题"),
            "photo": _("照片 {n}"),
            "removePhoto": _("删除照片 {n}"),
            "tooManyPhotos": plural_forms("最多 {n} 张照片", "最多 {n} 张照片"),
            "unreadablePhoto": _("有照片无法读取，已跳过"),
            "saved": _("已保存，有网络时自动发送"),
            "saveFailed": _("未能保存在本机，请重试"),
            "loading": _("正在加载…"),
            "workFailed": _("离线且没有缓存的问题列表，请联网后再试"),
            "metres": _("{n} 米"),
            "newStatus": _("更新状态"),
            "keepStatus": _("不变"),
            "note": _("备注"),
            "addPhotos": _("添加照片"),
            "saveUpdate": _("保存"),
            "details": _("查看详情"),
            "nothingToSave": _("请填写备注、选择新状态或添加照片"),
            "kindReport": _("上报"),
            "kindUpdate": _("更新"),
            "kindPhoto": _("照片"),
            "photoCount": plural_forms("{n} 张照片", "{n} 张照片"),
            "waiting": _("等待发送"),
            "refused": _("服务器未接受"),
            "discard": _("放弃"),
            "confirmDiscard": _("确认放弃"),
            "sending": _("正在发送…"),
            "waitingOffline": _("离线：联网后自动发送"),
            "waitingRetry": _("将自动重试发送"),
            "noOffline": _("此浏览器不能离线使用本页（需要 HTTPS）"),
            "noOutbox": _("此浏览器不能在本机保存待发送内容"),
        },
    }


@bp.get("/field/")
@requires(Permission.REPORT)
def field_app():
    return cached_map_page(
        "field", build_field_map, "field.html",
        title=_("外勤"),
        theme_colour=THEME_COLOUR,
        title_max=TITLE_MAX,
        description_max=DESCRIPTION_MAX,
        max_photos=MAX_PHOTOS,
        sign_in_url=url_for("sign_in.sign_in", next=url_for("field_pages.field_app")),
    )


@bp.get("/field/sw.js")
def service_worker():
    bundle = offline(current_app)
    shell = url_for("field_pages.field_app")
    config = {
        "version": bundle.version,
        "shell": shell,
        "api": api_root() + "/",
        "static": _static_url(""),
        "precache": [
            shell,
            url_for("field_pages.web_app_manifest"),
            url_for("api.categories"),
            *(url_for("api.get_layer", name=name) for name in bundle.layers),
            *(_static_url(path) for path in bundle.files),
        ],
    }
    source = (STATIC_DIR / SERVICE_WORKER).read_text(encoding="utf-8")
    response = Response(f"self.JINTAN_FIELD = {json.dumps(config)};\n{source}", mimetype="text/javascript")
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/field/manifest.webmanifest")
def web_app_manifest():
    scope = url_for("field_pages.field_app")
    icons = [
        {"src": _static_url("field/icons/icon-192.png"), "sizes": "192x192", "type": "image/png"},
        {"src": _static_url("field/icons/icon-512.png"), "sizes": "512x512", "type": "image/png"},
        {"src": _static_url("field/icons/icon.svg"), "sizes": "any", "type": "image/svg+xml"},
    ]
    manifest = {
        "name": _("金坛路 外勤"),
        "short_name": _("外勤"),
        "start_url": scope,
        "scope": scope,
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": THEME_COLOUR,
        "icons": icons,
    }
    return Response(json.dumps(manifest, ensure_ascii=False), mimetype="application/manifest+json")
