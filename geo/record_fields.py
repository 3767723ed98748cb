"""The fields of every published record, declared once: name, type, Chinese and English label, OGC role.

Every output of the same record (OGC API items and their JSON Schema, GeoPackage,
GeoJSON, CSV, .xlsx, Shapefile through its 10-character names) is built from
these declarations, so each says the same thing under the same name and type.
Types: "str", "int", "float", "bool", "date" (a calendar day) and "datetime" (an instant).
"""
from __future__ import annotations

from dataclasses import dataclass

from geo.schema import LayerSchema


@dataclass(frozen=True)
class RecordField:
    name: str
    type: str
    zh: str
    en: str
    # Its role in OGC API - Features Part 5 (x-ogc-role): "id", "primary-instant",
    # "primary-interval-start", "primary-interval-end"; None for an ordinary property.
    role: str | None = None
    # False: left out of a Shapefile (a DBF text holds 254 bytes; a geometry as WKT would be cut).
    in_shapefile: bool = True

    def label(self, lang: str = "zh") -> str:
        return self.zh if lang == "zh" else self.en


ISSUE_FIELDS: tuple[RecordField, ...] = (
    RecordField("id", "str", "编号", "ID", role="id"),
    RecordField("category", "str", "类别代码", "Category code"),
    RecordField("category_name_zh", "str", "类别", "Category (Chinese)"),
    RecordField("category_name_en", "str", "类别（英文）", "Category"),
    RecordField("title", "str", "标题", "Title"),
    RecordField("description", "str", "描述", "Description"),
    RecordField("status", "str", "状态", "Status"),
    RecordField("rejection_reason", "str", "不受理原因", "Rejection reason"),
    RecordField("priority", "str", "优先级", "Priority"),
    RecordField("source", "str", "来源", "Source"),
    RecordField("address", "str", "地址", "Address"),
    RecordField("building", "str", "建筑编号", "Building"),
    RecordField("compound", "str", "小区编号", "Compound"),
    RecordField("lon", "float", "经度", "Longitude"),
    RecordField("lat", "float", "纬度", "Latitude"),
    RecordField("location_source", "str", "定位方式", "Location source"),
    RecordField("location_accuracy_m", "float", "定位精度（米）", "Location accuracy (m)"),
    RecordField("location_flagged", "bool", "定位精度不足", "Location flagged"),
    RecordField("reported_at", "datetime", "上报时间", "Reported at", role="primary-instant"),
    RecordField("resolved_at", "datetime", "解决时间", "Resolved at"),
    RecordField("updated_at", "datetime", "更新时间", "Updated at"),
    RecordField("due_date", "date", "期限", "Due date"),
    RecordField("assignee", "str", "负责人", "Assignee"),
    RecordField("typical_case", "bool", "典型案例", "Typical case"),
    RecordField("photo_count", "int", "照片数", "Photos"),
)

PROJECT_FIELDS: tuple[RecordField, ...] = (
    RecordField("id", "str", "编号", "ID", role="id"),
    RecordField("name", "str", "名称", "Name"),
    RecordField("kind", "str", "类型代码", "Kind code"),
    RecordField("kind_name_zh", "str", "类型", "Kind (Chinese)"),
    RecordField("kind_name_en", "str", "类型（英文）", "Kind"),
    RecordField("status", "str", "状态", "Status"),
    RecordField("planned_start", "date", "计划开工", "Planned start", role="primary-interval-start"),
    RecordField("planned_end", "date", "计划完工", "Planned end", role="primary-interval-end"),
    RecordField("actual_start", "date", "实际开工", "Actual start"),
    RecordField("actual_end", "date", "实际完工", "Actual end"),
    RecordField("budget", "float", "预算（元）", "Budget (yuan)"),
    RecordField("contractor", "str", "施工单位", "Contractor"),
    RecordField("description", "str", "说明", "Description"),
    RecordField("households_affected", "int", "受影响户数", "Households affected"),
    RecordField("linked_issues", "int", "关联问题数", "Linked issues"),
    RecordField("created_by", "str", "录入人", "Created by"),
    RecordField("created_at", "datetime", "录入时间", "Created at"),
    RecordField("updated_at", "datetime", "更新时间", "Updated at"),
    RecordField("works_kind", "str", "施工范围原类型", "Works geometry kind"),
    RecordField("works_geometry_wkt", "str", "施工范围原几何（WKT）", "Works geometry (WKT)", in_shapefile=False),
)

# The base layers' fields (geo.schema) by name, with their labels.
LAYER_FIELD_LABELS: dict[str, tuple[str, str]] = {
    "id": ("编号", "ID"),
    "name": ("名称", "Name"),
    "name_en": ("英文名称", "English name"),
    "kind": ("类型", "Kind"),
    "address": ("地址", "Address"),
    "compound": ("所属小区", "Compound"),
    "type": ("类型", "Type"),
    "floors": ("层数", "Floors"),
    "households": ("户数", "Households"),
    "year_built": ("建成年份", "Year built"),
    "protected": ("历史保护建筑", "Protected"),
    "width": ("宽度（米）", "Width (m)"),
    "height": ("安装高度（米）", "Height (m)"),
    "power": ("功率（瓦）", "Power (W)"),
    "luminaire": ("灯具", "Luminaire"),
    "status": ("状态", "Status"),
    "installed": ("安装日期", "Installed"),
    "removed": ("拆除日期", "Removed"),
}


def layer_fields(schema: LayerSchema) -> tuple[RecordField, ...]:
    """A base layer's fields as record fields, in the schema's order."""
    return tuple(
        RecordField(f.name, f.type, *LAYER_FIELD_LABELS.get(f.name, (f.name, f.name)),
                    role="id" if f.name == schema.id_field else None)
        for f in schema.fields
    )
