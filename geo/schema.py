"""The base layers of the neighbourhood dataset and the fields each must have.

Field names are at most 10 characters (the DBF limit), so one schema serves
Shapefile, GeoPackage and GeoJSON alike.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Field:
    name: str
    type: str  # "str", "int", "float", "bool", "date"
    required: bool = True
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class LayerSchema:
    name: str
    geometry: str  # "Polygon", "LineString" or "Point" (Multi* accepted)
    fields: tuple[Field, ...] = field(default_factory=tuple)
    id_field: str = "id"

    def field(self, name: str) -> Field:
        return next(f for f in self.fields if f.name == name)


COMPOUND_KINDS = ("旧里", "售后公房", "商品房", "历史保护", "商住楼")
BUILDING_TYPES = COMPOUND_KINDS + ("公建",)
LUMINAIRES = ("cut-off", "semi-cut-off", "non-cut-off")
LAMP_STATUSES = ("working", "broken")
FACILITY_KINDS = (
    "committee_office",
    "pocket_park",
    "service_station",
    "activity_room",
    "garbage_room",
    "parking",
)

LAYERS: dict[str, LayerSchema] = {
    s.name: s
    for s in (
        LayerSchema(
            "boundary",
            "Polygon",
            (Field("id", "int"), Field("name", "str"), Field("name_en", "str")),
        ),
        LayerSchema(
            "compounds",
            "Polygon",
            (
                Field("id", "str"),
                Field("name", "str"),
                Field("name_en", "str"),
                Field("kind", "str", choices=COMPOUND_KINDS),
            ),
        ),
        LayerSchema(
            "buildings",
            "Polygon",
            (
                Field("id", "str"),
                Field("address", "str"),
                Field("name", "str", required=False),
                Field("compound", "str"),
                Field("type", "str", choices=BUILDING_TYPES),
                Field("floors", "int"),
                Field("households", "int"),
                Field("year_built", "int"),
                Field("protected", "bool"),
            ),
        ),
        LayerSchema(
            "roads",
            "LineString",
            (
                Field("id", "int"),
                Field("name", "str"),
                Field("name_en", "str"),
                Field("width", "float"),
            ),
        ),
        LayerSchema(
            "lanes",
            "LineString",
            (
                Field("id", "int"),
                Field("name", "str"),
                Field("name_en", "str", required=False),
                Field("compound", "str", required=False),
                Field("width", "float"),
            ),
        ),
        LayerSchema(
            "streetlights",
            "Point",
            (
                Field("id", "str"),
                Field("height", "float"),
                Field("power", "int"),
                Field("luminaire", "str", choices=LUMINAIRES),
                Field("status", "str", choices=LAMP_STATUSES),
                Field("installed", "date"),
                Field("removed", "date", required=False),
            ),
        ),
        LayerSchema(
            "facilities",
            "Point",
            (
                Field("id", "str"),
                Field("name", "str"),
                Field("name_en", "str"),
                Field("kind", "str", choices=FACILITY_KINDS),
                Field("address", "str", required=False),
                Field("installed", "date", required=False),
                Field("removed", "date", required=False),
            ),
        ),
    )
}

LAYER_NAMES: tuple[str, ...] = tuple(LAYERS)
