"""/api/v1/lighting: gaps and plans for a compound, the whole neighbourhood or a drawn polygon; the lighting
issues on dark lanes read afresh; a 422 naming each bad field; the plan as CSV and GeoJSON. Both backends."""
from __future__ import annotations

import csv
import io

import pytest
import shapely
from openapi_schema_validator import OAS30Validator
from shapely.geometry import mapping, shape

from tests.webmap.api.helpers import report

HJL55_ADDRESSES = [f"黄家路55弄{n}号" for n in range(1, 7)]
HJL55_HOUSEHOLDS = 230
# 黄家路55弄 had no streetlight until the 2020 实事工程 (lamps lit 2020-05-28): the plans and gaps below
# that need it dark look at a day before.
BEFORE_THE_WORKS = "2019-06-01"


def kinds(collection, kind: str) -> list[dict]:
    return [f for f in collection["features"] if f["properties"]["kind"] == kind]


def plan(api, **body):
    """The plan for `body`, as of BEFORE_THE_WORKS unless it says another day."""
    body.setdefault("as_of", BEFORE_THE_WORKS)
    response = api.post("/api/v1/lighting/plan", json=body)
    assert response.status_code == 200, response.get_json()
    assert response.mimetype == "application/geo+json"
    return response.get_json()


def refused(api, body) -> dict[str, str]:
    response = api.post("/api/v1/lighting/plan", json=body)
    assert response.status_code == 422, response.get_json()
    answer = response.get_json()
    assert answer["error"] == "invalid plan request"
    return answer["fields"]


def hjl55_polygon(api) -> dict:
    compounds = api.get("/api/v1/layers/compounds").get_json()
    return next(f["geometry"] for f in compounds["features"] if f["properties"]["id"] == "hjl55")


def on_dark_lane(api) -> tuple[float, float]:
    """A point on the longest dark stretch of 黄家路55弄."""
    gaps = api.get(f"/api/v1/lighting/gaps?area=hjl55&as_of={BEFORE_THE_WORKS}").get_json()
    coordinates = kinds(gaps, "dark")[0]["geometry"]["coordinates"]
    return tuple(coordinates[len(coordinates) // 2])


# --- gaps ----------------------------------------------------------------------------------------

def test_gaps_for_hjl55_before_the_works_find_every_lane_dark(api):
    response = api.get(f"/api/v1/lighting/gaps?area=hjl55&as_of={BEFORE_THE_WORKS}")
    assert response.status_code == 200 and response.mimetype == "application/geo+json"
    gaps = response.get_json()
    assert gaps["as_of"] == BEFORE_THE_WORKS
    summary = gaps["summary"]
    assert summary["lit_share"] == 0
    assert summary["lit_length_m"] == 0 and summary["dark_length_m"] == summary["lane_length_m"] > 100
    assert summary["lit_radius_m"] == 7.0  # a new 4 m semi-cut-off lamp
    assert gaps["area"]["id"] == "hjl55" and gaps["area"]["name"] == "黄家路55弄"
    assert gaps["area"]["geometry"]["type"] in ("Polygon", "MultiPolygon")
    assert kinds(gaps, "lit") == []
    dark = kinds(gaps, "dark")
    assert len(dark) == summary["dark_stretches"]
    assert sum(f["properties"]["length_m"] for f in dark) == pytest.approx(summary["dark_length_m"], abs=0.05)
    for feature in dark:
        p = feature["properties"]
        assert (p["lane"], p["compound"]) == ("黄家路55弄", "hjl55") and p["lane_id"] is not None
        assert feature["geometry"]["type"] == "LineString"
    lamps = kinds(gaps, "lamp")
    assert lamps, "the lamps on the streets around it"
    for lamp in lamps:
        assert lamp["properties"]["role"] in ("lighting", "broken", "off-network")
        assert lamp["properties"]["lit_radius_m"] >= 0


def test_gaps_for_hjl55_today_find_it_lit_by_the_works_lamps(api):
    from datetime import datetime

    from store.timestamps import LOCAL_TZ

    gaps = api.get("/api/v1/lighting/gaps?area=hjl55").get_json()
    assert gaps["as_of"] == datetime.now(LOCAL_TZ).date().isoformat()
    assert gaps["summary"]["lit_share"] == pytest.approx(1.0) and kinds(gaps, "dark") == []
    works = {f["id"] for f in kinds(gaps, "lamp")} & {f"L{n}" for n in range(235, 246)}  # put up on 2020-05-28
    assert len(works) == 11
    assert api.get("/api/v1/lighting/gaps?area=hjl55&as_of=2020-05-28").get_json()["summary"]["lit_share"] == (
        pytest.approx(1.0)
    )
    assert api.get("/api/v1/lighting/gaps?area=hjl55&as_of=2020-05-27").get_json()["summary"]["lit_share"] == 0
    today = plan(api, area="hjl55", as_of=None)
    assert today["summary"]["lamps_proposed"] == 0 and today["summary"]["lit_share_before"] == pytest.approx(1.0)


def test_a_bad_as_of_is_refused_by_name(api):
    for bad in ("yesterday", "2019-13-01", "2019-06-01T10:00"):
        response = api.get("/api/v1/lighting/gaps", query_string={"area": "hjl55", "as_of": bad})
        assert response.status_code == 400 and set(response.get_json()["fields"]) == {"as_of"}, bad
        assert set(refused(api, {"area": "hjl55", "as_of": bad})) == {"as_of"}
    assert set(refused(api, {"area": "hjl55", "as_of": 20190601})) == {"as_of"}
    response = api.get("/api/v1/lighting/plan.csv?area=hjl55&as_of=soon")
    assert response.status_code == 400 and set(response.get_json()["fields"]) == {"as_of"}


def test_gaps_for_the_whole_neighbourhood_have_lit_and_dark_stretches(api):
    gaps = api.get("/api/v1/lighting/gaps?area=all").get_json()
    summary = gaps["summary"]
    assert 0 < summary["lit_share"] < 1
    assert summary["lit_length_m"] + summary["dark_length_m"] == pytest.approx(summary["lane_length_m"], abs=0.02)
    assert {f["properties"]["kind"] for f in gaps["features"]} == {"lit", "dark", "lamp"}
    assert len(kinds(gaps, "lamp")) == summary["lamps_lighting"] + summary["lamps_broken"] + summary["lamps_ignored"]
    assert api.get("/api/v1/lighting/gaps").get_json()["summary"] == summary  # "all" is the default
    with_roads = api.get("/api/v1/lighting/gaps?area=all&include_roads=true").get_json()["summary"]
    assert with_roads["lane_length_m"] > summary["lane_length_m"]


def test_gaps_refuse_bad_parameters_by_name(api):
    response = api.get("/api/v1/lighting/gaps?area=nowhere&include_roads=maybe&colour=red")
    assert response.status_code == 400
    assert set(response.get_json()["fields"]) == {"area", "include_roads", "colour"}


# --- plans ---------------------------------------------------------------------------------------

def test_a_plan_lights_all_of_hjl55_and_serves_its_230_households(api):
    result = plan(api, area="hjl55")
    s = result["summary"]
    assert s["lit_share_before"] == 0
    assert s["lit_share_after"] == 1.0
    lamps = kinds(result, "proposed_lamp")
    assert s["lamps_proposed"] == len(lamps) > 0
    assert s["lower_bound"] <= s["lamps_proposed"] <= s["naive_count"]
    assert s["cost"] == s["lamps_proposed"] * 8000
    assert s["households_served"] == HJL55_HOUSEHOLDS
    assert [b["address"] for b in result["buildings_served"]] == HJL55_ADDRESSES
    assert sum(b["households"] for b in result["buildings_served"]) == HJL55_HOUSEHOLDS
    assert result["issues"] == []
    compound = shape(hjl55_polygon(api)).buffer(0.0001)
    assert [lamp["properties"]["number"] for lamp in lamps] == list(range(1, len(lamps) + 1))
    for lamp in lamps:
        p = lamp["properties"]
        assert p["lane"] == "黄家路55弄"
        assert (p["height"], p["luminaire"]) == (4.0, "semi-cut-off")
        assert lamp["geometry"]["coordinates"] == [p["lon"], p["lat"]]
        assert compound.contains(shapely.Point(p["lon"], p["lat"]))
    assert len(kinds(result, "dark")) == s["dark_stretches_before"]


def test_the_parameters_change_the_plan(api):
    default = plan(api, area="hjl55")["summary"]
    taller = plan(api, area="hjl55", mounting_height=6, luminaire="non-cut-off", unit_cost=12000)
    s = taller["summary"]
    assert s["lit_radius_m"] == 12.0  # 4 x 6 m / 2
    assert (s["mounting_height_m"], s["luminaire"]) == (6.0, "non-cut-off")
    assert s["lamps_proposed"] < default["lamps_proposed"]
    assert s["cost"] == s["lamps_proposed"] * 12000
    assert s["lit_share_after"] == 1.0
    assert {lamp["properties"]["height"] for lamp in kinds(taller, "proposed_lamp")} == {6.0}


def test_a_drawn_polygon_is_planned_like_the_compound_it_outlines(api):
    outline = hjl55_polygon(api)
    drawn = plan(api, area=outline)
    named = plan(api, area="hjl55")
    assert drawn["area"]["id"] == "drawn"
    assert drawn["summary"]["lit_share_after"] == 1.0
    assert drawn["summary"]["lamps_proposed"] == named["summary"]["lamps_proposed"]
    assert drawn["summary"]["households_served"] == HJL55_HOUSEHOLDS

    # Half of it: the southern half of the lanes, fewer lamps, still all lit.
    minx, miny, maxx, maxy = shape(outline).bounds
    half = mapping(shapely.box(minx, miny, maxx, (miny + maxy) / 2))
    south = plan(api, area=half)["summary"]
    assert 0 < south["lamps_proposed"] < named["summary"]["lamps_proposed"]
    assert south["lane_length_m"] < named["summary"]["lane_length_m"]
    assert south["lit_share_after"] == 1.0

    # The gaps take the same polygon (as JSON text in the query).
    import json

    gaps = api.get(
        "/api/v1/lighting/gaps", query_string={"area": json.dumps(outline), "as_of": BEFORE_THE_WORKS}
    ).get_json()
    assert gaps["summary"]["lit_share"] == 0 and gaps["area"]["id"] == "drawn"


def test_the_plan_names_the_open_lighting_issues_on_its_dark_lanes_read_afresh(api):
    lon, lat = on_dark_lane(api)
    assert plan(api, area="hjl55")["issues"] == []  # and now that plan is kept in memory
    lamp_out = report(api, category="lighting", title="55弄里没有路灯", lon=lon, lat=lat)
    report(api, category="sanitation", title="弄堂口垃圾", lon=lon, lat=lat)  # not about lighting
    fixed = report(api, category="lighting", title="已修好的灯", lon=lon, lat=lat)
    assert api.patch(f"/api/v1/issues/{fixed['id']}", json={"status": "resolved"}).status_code == 200

    result = plan(api, area="hjl55")
    assert [issue["id"] for issue in result["issues"]] == [lamp_out["id"]]
    issue = result["issues"][0]
    assert (issue["title"], issue["status"], issue["lane"]) == ("55弄里没有路灯", "reported", "黄家路55弄")
    assert issue["distance_m"] < 1 and (issue["lon"], issue["lat"]) == pytest.approx((lon, lat), abs=1e-6)
    assert result["summary"]["lighting_issues_near_dark"] == 1
    # Elsewhere the issue is not in the dark stretches of the area planned.
    assert plan(api, area="jixian")["issues"] == []


def test_every_bad_field_is_named_in_a_422(api):
    assert set(refused(api, {"area": "nowhere"})) == {"area"}
    assert "unknown compound 'nowhere'" in refused(api, {"area": "nowhere"})["area"]
    assert set(refused(api, {})) == {"area"}
    fields = refused(api, {"area": "hjl55", "mounting_height": 20, "luminaire": "led", "unit_cost": -5, "colour": "red"})
    assert set(fields) == {"mounting_height", "luminaire", "unit_cost", "colour"}
    assert "between 2 and 15" in fields["mounting_height"]
    assert "led" in fields["luminaire"] and "semi-cut-off" in fields["luminaire"]
    for height in (1.9, 15.5, "high", True, None, [4]):
        if height is not None:
            assert set(refused(api, {"area": "hjl55", "mounting_height": height})) == {"mounting_height"}, height
    for luminaire in ("", " ", 3, ["cut-off"]):
        body = {"area": "hjl55", "luminaire": luminaire}
        if luminaire in ("", " "):
            assert api.post("/api/v1/lighting/plan", json=body).status_code == 200  # blank is the default
        else:
            assert set(refused(api, body)) == {"luminaire"}
    assert set(refused(api, {"area": "hjl55", "unit_cost": "cheap"})) == {"unit_cost"}
    assert set(refused(api, {"area": "hjl55\x00"})) == {"area"}


@pytest.mark.parametrize(
    "geometry, problem",
    [
        ({"type": "Point", "coordinates": [121.4925, 31.218]}, "Polygon or MultiPolygon"),
        ({"type": "Polygon"}, "coordinates"),
        ({"type": "Polygon", "coordinates": [[[121.49, 31.21], [121.5, 31.21], [121.5, 31.22]]]}, "at least 4"),
        ({"type": "Polygon", "coordinates": [[[121.49, 31.21], [121.5, 31.21], [121.5, 31.22], [121.49, 31.22]]]},
         "end where it starts"),
        ({"type": "Polygon", "coordinates": [[[121.49, 31.21], [121.5, 31.22], [121.5, 31.21], [121.49, 31.22],
                                              [121.49, 31.21]]]}, "Self-intersection"),
        ({"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0]]]}, "outside the neighbourhood"),
        ({"type": "Polygon", "coordinates": [[[121.49, 31.21], ["east", 31.21], [121.5, 31.22], [121.49, 31.21]]]},
         "numbers"),
        ({"type": "Polygon", "coordinates": [[[181, 31.21], [182, 31.21], [182, 31.22], [181, 31.21]]]}, "lon/lat"),
        ({"type": "MultiPolygon", "coordinates": []}, "coordinates"),
        ([121.49, 31.21], "compound id"),
    ],
)
def test_a_bad_area_geometry_is_a_422_saying_why(api, geometry, problem):
    fields = refused(api, {"area": geometry})
    assert set(fields) == {"area"} and problem in fields["area"]


def test_a_body_that_is_not_a_json_object_is_a_400(api):
    assert api.post("/api/v1/lighting/plan", data="area=hjl55").status_code == 400
    assert api.post("/api/v1/lighting/plan", json=["hjl55"]).status_code == 400


# --- downloads -----------------------------------------------------------------------------------

def test_the_csv_download_has_a_bom_and_a_row_for_each_lamp(api):
    posted = plan(api, area="hjl55", mounting_height=5, luminaire="cut-off")
    response = api.get(f"/api/v1/lighting/plan.csv?area=hjl55&mounting_height=5&luminaire=cut-off&as_of={BEFORE_THE_WORKS}")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith('attachment; filename="lighting-plan-hjl55-') and disposition.endswith('.csv"')
    data = response.get_data()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    lamps = kinds(posted, "proposed_lamp")
    assert len(rows) == len(lamps) == posted["summary"]["lamps_proposed"]
    assert list(rows[0])[:5] == ["number", "lane", "lane_id", "lon", "lat"]
    for row, lamp in zip(rows, lamps):
        p = lamp["properties"]
        assert (int(row["number"]), row["lane"]) == (p["number"], "黄家路55弄")
        assert (float(row["lon"]), float(row["lat"])) == (p["lon"], p["lat"])
        assert (float(row["height"]), row["luminaire"]) == (5.0, "cut-off")


def test_the_geojson_download_is_the_plan(api):
    posted = plan(api, area="hjl55")
    response = api.get(f"/api/v1/lighting/plan.geojson?area=hjl55&as_of={BEFORE_THE_WORKS}")
    assert response.status_code == 200 and response.mimetype == "application/geo+json"
    assert response.headers["Content-Disposition"].endswith('.geojson"')
    assert response.get_json() == posted


def test_downloads_refuse_bad_parameters_by_name(api):
    response = api.get("/api/v1/lighting/plan.csv?area=nowhere&mounting_height=99&luminaire=led&unit_cost=-1")
    assert response.status_code == 400
    assert set(response.get_json()["fields"]) == {"area", "mounting_height", "luminaire", "unit_cost"}
    assert set(api.get("/api/v1/lighting/plan.geojson").get_json()["fields"]) == {"area"}
    assert set(api.get("/api/v1/lighting/plan.geojson?area=hjl55&page=2").get_json()["fields"]) == {"page"}
    drawn = api.get("/api/v1/lighting/plan.geojson", query_string={"area": '{"type": "Polygon"'})
    assert drawn.status_code == 400 and "JSON" in drawn.get_json()["fields"]["area"]


# --- the documentation ---------------------------------------------------------------------------

def test_real_answers_match_the_documented_schemas(api):
    document = api.get("/api/v1/openapi.json").get_json()
    paths = document["paths"]

    def conforms(schema, instance):
        validator = OAS30Validator({**schema, "components": document["components"]})
        errors = sorted(validator.iter_errors(instance), key=str)
        assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:5])

    gaps_schema = paths["/lighting/gaps"]["get"]["responses"]["200"]["content"]["application/geo+json"]["schema"]
    conforms(gaps_schema, api.get("/api/v1/lighting/gaps?area=all").get_json())
    post = paths["/lighting/plan"]["post"]
    lon, lat = on_dark_lane(api)
    report(api, category="lighting", title="无路灯", lon=lon, lat=lat)
    conforms(post["responses"]["200"]["content"]["application/geo+json"]["schema"], plan(api, area="hjl55"))
    conforms(post["requestBody"]["content"]["application/json"]["schema"], {"area": "hjl55", "mounting_height": 5})
    invalid = api.post("/api/v1/lighting/plan", json={"area": "x"}).get_json()
    conforms(post["responses"]["422"]["content"]["application/json"]["schema"], invalid)
