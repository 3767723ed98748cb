"""store.projects on both backends: checking, picking, history, links, completion, derived facts, filters."""
from __future__ import annotations

import json
import uuid
from datetime import date, datetime, timezone
from decimal import Decimal

import pytest
from shapely.geometry import LineString, box, mapping, shape
from sqlalchemy import func, inspect, select, text
from sqlalchemy.exc import IntegrityError

from geo.dataset import load_dataset
from geo.picking import Site
from store import projects as store_projects
from store.database import downgrade, upgrade
from store.errors import NotFound, ValidationError
from store.issues import get_issue, update_issue
from store.models import Project, ProjectEvent
from store.projects import (
    ProjectFilters,
    complete_project,
    create_project,
    get_project,
    households_affected,
    link_issues,
    list_projects,
    project_facts,
    unlink_issue,
    update_project,
    validate_new_project,
)
from tests.conftest import DATA_DIR
from tests.store.helpers import add_issue

PLANNER = "街道城建中心"
AT = datetime(2024, 5, 1, 2, 0, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def layers():
    return load_dataset(DATA_DIR).layers


@pytest.fixture(scope="module")
def site(layers):
    return Site(layers)


def building_point(layers, address: str) -> tuple[float, float]:
    point = layers["buildings"].set_index("address").loc[address].geometry.representative_point()
    return round(point.x, 7), round(point.y, 7)


def payload(**overrides):
    values = {
        "name": "黄家路55弄美丽家园",
        "kind": "beautiful_home",
        "compounds": ["hjl55"],
        "planned_start": "2019-06-01",
        "planned_end": "2020-08-31",
        "budget": 2450000,
        "contractor": "示例建筑装饰工程有限公司",
    }
    values.update(overrides)
    return {name: value for name, value in values.items() if value is not None}


def add_project(session, site, actor: str = PLANNER, **overrides) -> Project:
    project, created = create_project(session, validate_new_project(payload(**overrides), site), actor)
    assert created
    return project


def problems(site, **overrides) -> dict[str, str]:
    with pytest.raises(ValidationError) as refused:
        validate_new_project(payload(**overrides), site)
    return refused.value.field_errors


# --- checking -----------------------------------------------------------------------------


def test_a_valid_payload_becomes_clean_values(site):
    data = validate_new_project(payload(id=None, status=None, budget="2450000.5", description="  屋面整修 "), site)
    assert (data.name, data.kind, data.status) == ("黄家路55弄美丽家园", "beautiful_home", "proposed")
    assert (data.planned_start, data.planned_end) == (date(2019, 6, 1), date(2020, 8, 31))
    assert data.budget == Decimal("2450000.50") and data.description == "屋面整修"
    assert data.geometry.geom_type == "Polygon" and data.link_issues == ()


def test_every_bad_field_is_named_at_once(site):
    found = problems(
        site,
        name=" ",
        kind="castle",
        status="dreaming",
        planned_start="2019-13-01",
        actual_start="2020-05-01",
        actual_end="2020-04-30",
        budget=-1,
        contractor="x" * 201,
        description=5,
        link_issues=["not-a-uuid"],
        colour="red",
    )
    assert set(found) == {
        "name", "kind", "status", "planned_start", "actual_end", "budget", "contractor", "description",
        "link_issues", "colour",
    }
    assert found["name"] == "required" and found["colour"] == "unknown field"
    assert found["actual_end"] == "before actual_start (2020-05-01)"


@pytest.mark.parametrize(
    "value, message",
    [
        (True, "must be a number of yuan"),
        ("12.345", "at most two decimal places (fen)"),
        ("1e13", "must be between 0 and 999999999999.99"),
        ("NaN", "must be a finite number"),
        ("lots", "must be a number of yuan"),
    ],
)
def test_a_budget_is_yuan_to_the_fen(site, value, message):
    assert problems(site, budget=value) == {"budget": message}


def test_dates_out_of_any_plausible_range_are_refused(site):
    assert problems(site, planned_end="2999-01-01")["planned_end"] == "must be between 1900-01-01 and 2100-12-31"


def test_somewhere_is_required(site):
    assert problems(site, compounds=None) == {
        "geometry": "required: give a GeoJSON geometry, or compounds, buildings or lanes to pick"
    }


@pytest.mark.parametrize(
    "geometry, message",
    [
        ({"type": "GeometryCollection", "geometries": []}, "type must be one of"),
        ({"type": "Point", "coordinates": [121.493]}, "a position must be [lon, lat]"),
        ({"type": "Point", "coordinates": [221.493, 31.22]}, "must be between -180 and 180"),
        ({"type": "LineString", "coordinates": [[121.493, 31.22]]}, "not a LineString"),
        ({"type": "Polygon", "coordinates": [[121.493, 31.22]]}, "a position must be [lon, lat]"),
        ({"type": "Polygon", "coordinates": 5}, "not nested as the type needs"),
        ({"type": "MultiPoint", "coordinates": []}, "is empty"),
        (
            {"type": "Polygon", "coordinates": [[[121.492, 31.221], [121.494, 31.223], [121.494, 31.221],
                                                 [121.492, 31.223], [121.492, 31.221]]]},
            "not a valid Polygon: Self-intersection",
        ),
        ({"type": "Point", "coordinates": [121.55, 31.22]}, "outside the neighbourhood"),
        ("POINT (121.493 31.22)", "must be a GeoJSON geometry object"),
    ],
)
def test_a_geometry_must_be_valid_geojson_in_or_near_the_neighbourhood(site, geometry, message):
    found = problems(site, compounds=None, geometry=geometry)
    assert set(found) == {"geometry"} and message in found["geometry"]


def test_a_geometry_near_the_boundary_is_accepted_and_its_height_dropped(site):
    data = validate_new_project(payload(compounds=None, geometry={"type": "Point", "coordinates": [121.493, 31.222, 4.5]}), site)
    assert mapping(data.geometry) == {"type": "Point", "coordinates": (121.493, 31.222)}


def test_geometry_and_picking_cannot_both_be_given(site):
    found = problems(site, geometry={"type": "Point", "coordinates": [121.493, 31.222]})
    assert found == {"geometry": "give either geometry or compounds/buildings/lanes, not both"}


def test_unknown_ids_are_named_under_their_field(site):
    found = problems(site, compounds=["hjl55", "atlantis"], buildings=["B999", "B001"])
    assert found == {"compounds": "unknown compound id: atlantis", "buildings": "unknown building id: B999"}
    assert problems(site, compounds=None, lanes=[64, 9999, "x"]) == {"lanes": "unknown lane ids: 9999, x"}
    assert problems(site, compounds=[]) == {"compounds": "must be a non-empty list of ids"}
    assert problems(site, compounds="hjl55") == {"compounds": "must be a non-empty list of ids"}


def test_areas_and_lanes_cannot_be_picked_together(site):
    assert set(problems(site, lanes=[64])) == {"lanes"}


# --- creating and picking -----------------------------------------------------------------


def test_a_project_is_stored_with_its_box_and_created_event(session, site):
    project = add_project(session, site)
    session.commit()
    stored = get_project(session, project.public_id)
    assert uuid.UUID(stored.public_id) and stored.created_by == PLANNER
    assert stored.budget == Decimal("2450000.00") and stored.status == "proposed"
    geometry = shape(json.loads(stored.geometry))
    assert (stored.min_lon, stored.min_lat, stored.max_lon, stored.max_lat) == pytest.approx(geometry.bounds)
    [created] = stored.events
    assert (created.kind, created.to_value, created.actor) == ("created", "proposed", PLANNER)


def test_the_same_id_again_returns_the_first_project_and_writes_nothing(session, site):
    public_id = str(uuid.uuid4())
    first, created = create_project(session, validate_new_project(payload(public_id=public_id.upper()), site), "a")
    again, created_again = create_project(
        session, validate_new_project(payload(public_id=public_id, name="别的名字"), site), "b"
    )
    assert (created, created_again) == (True, False)
    assert again.id == first.id and again.name == "黄家路55弄美丽家园"
    assert session.scalar(select(func.count()).select_from(Project)) == 1
    assert session.scalar(select(func.count()).select_from(ProjectEvent)) == 1


def test_picking_compounds_buildings_or_lanes(session, site, layers):
    by_compound = add_project(session, site, compounds=["hjl55"])
    by_buildings = add_project(session, site, compounds=None, buildings=["B115", "B116"])
    by_lanes = add_project(session, site, compounds=None, lanes=[64, "65", 66])
    kinds = {p.public_id: shape(json.loads(p.geometry)).geom_type
             for p in (by_compound, by_buildings, by_lanes)}
    assert kinds[by_compound.public_id] == "Polygon"
    assert kinds[by_buildings.public_id] in ("Polygon", "MultiPolygon")
    assert kinds[by_lanes.public_id] in ("LineString", "MultiLineString")
    households = households_affected([by_compound, by_buildings, by_lanes], site)
    chosen = layers["buildings"].set_index("id").loc[["B115", "B116"], "households"].sum()
    assert households[by_compound.public_id] == 230
    assert households[by_buildings.public_id] == chosen


def test_linking_issues_on_creation_needs_them_to_exist(session, site):
    issue = add_issue(session)
    missing = str(uuid.uuid4())
    with pytest.raises(ValidationError) as refused:
        create_project(session, validate_new_project(payload(link_issues=[issue.public_id, missing]), site), PLANNER)
    assert refused.value.field_errors == {"link_issues": f"no issue {missing!r}"}
    assert session.scalar(select(func.count()).select_from(Project)) == 0
    project = add_project(session, site, link_issues=[issue.public_id])
    assert [link.issue_id for link in project.issue_links] == [issue.id]
    assert [e.kind for e in project.events] == ["created", "linked"]
    assert [e.comment for e in get_issue(session, issue.public_id).events][-1] == "关联项目「黄家路55弄美丽家园」"


# --- derived facts ------------------------------------------------------------------------


def test_hjl55_affects_its_six_buildings_and_about_230_households(session, site):
    facts = project_facts(session, add_project(session, site), site)
    assert facts.households == 230
    assert len(facts.buildings) == 6
    assert all(b.address.startswith("黄家路55弄") for b in facts.buildings)


def test_open_issues_on_its_ground_are_offered_for_linking(session, site, layers):
    lon, lat = building_point(layers, "黄家路55弄3号")
    offered = add_issue(session, lon=lon, lat=lat, title="楼道灯损坏")
    resolved = add_issue(session, lon=lon, lat=lat, title="已解决")
    update_issue(session, resolved.public_id, {"status": "resolved"}, "社工小王")
    linked = add_issue(session, lon=lon, lat=lat, title="已关联")
    elsewhere = add_issue(session, lon=lon + 0.003, lat=lat, title="别处")
    project = add_project(session, site, link_issues=[linked.public_id])
    facts = project_facts(session, project, site)
    assert [i.title for i in facts.open_issues_inside] == ["楼道灯损坏"]
    assert [link.issue.title for link in facts.linked] == ["已关联"]
    assert elsewhere.id not in {i.id for i in facts.open_issues_inside} and offered.status == "reported"


def test_conflicts_need_both_space_and_time(session, site):
    home = add_project(session, site)
    lights = add_project(session, site, name="路灯", kind="lighting_works", compounds=None, lanes=[64, 65],
                         planned_start="2020-03-01", planned_end="2020-05-31")
    later = add_project(session, site, name="后来", kind="other", planned_start="2024-01-01", planned_end="2024-12-31")
    undated = add_project(session, site, name="未定", kind="other", planned_start=None, planned_end=None)
    away = add_project(session, site, name="别处", kind="other", compounds=["jixian"])
    conflicts = {p.name: [c.name for c in project_facts(session, p, site).conflicts]
                 for p in (home, lights, later, undated, away)}
    assert conflicts == {"黄家路55弄美丽家园": ["路灯"], "路灯": ["黄家路55弄美丽家园"], "后来": [], "未定": [], "别处": []}


# --- changing -----------------------------------------------------------------------------


def test_each_changed_field_is_an_event_with_from_and_to(session, site):
    project = add_project(session, site)
    old_geometry = project.geometry
    update_project(
        session, project.public_id,
        {"name": "黄家路55弄美丽家园（一期）", "status": "approved", "planned_end": "2020-10-31", "actual_start": None,
         "budget": "2600000", "contractor": None, "description": "屋面", "buildings": ["B115"]},
        "街道", "立项批复", site=site, at=AT,
    )
    session.commit()
    project = get_project(session, project.public_id)
    changes = [(e.kind, e.from_value, e.to_value, e.comment) for e in project.events[1:]]
    assert changes[:6] == [
        ("name", "黄家路55弄美丽家园", "黄家路55弄美丽家园（一期）", "立项批复"),
        ("status", "proposed", "approved", None),
        ("planned_end", "2020-08-31", "2020-10-31", None),
        ("budget", "2450000.00", "2600000.00", None),
        ("contractor", "示例建筑装饰工程有限公司", None, None),
        ("description", "", "屋面", None),
    ]
    kind, old, new, _ = changes[6]
    assert (kind, old, new) == ("geometry", old_geometry, project.geometry)
    assert all(e.actor == "街道" and e.at == AT for e in project.events[1:])
    assert project.updated_at == AT and project.min_lon > 0
    assert households_affected([project], site)[project.public_id] < 230


def test_a_comment_alone_is_an_event_and_no_change_is_none(session, site):
    project = add_project(session, site)
    update_project(session, project.public_id, {"status": "proposed", "budget": 2450000}, "a")
    assert len(project.events) == 1
    update_project(session, project.public_id, {}, "a", "现场三会听取意见")
    assert [(e.kind, e.comment) for e in project.events] == [("created", None), ("comment", "现场三会听取意见")]


def test_bad_changes_are_named_and_nothing_changes(session, site):
    project = add_project(session, site)
    with pytest.raises(ValidationError) as refused:
        update_project(session, project.public_id,
                       {"kind": "other", "name": None, "planned_start": "2021-01-01", "geometry": None}, "a")
    assert set(refused.value.field_errors) == {"kind", "name", "geometry"}
    with pytest.raises(ValidationError) as refused:
        update_project(session, project.public_id, {"planned_start": "2021-01-01"}, "a")
    assert refused.value.field_errors == {"planned_end": "before planned_start (2021-01-01)"}
    assert len(project.events) == 1 and project.planned_start == date(2019, 6, 1)
    with pytest.raises(NotFound):
        update_project(session, str(uuid.uuid4()), {"status": "approved"}, "a")


# --- links --------------------------------------------------------------------------------


def test_linking_and_unlinking_leave_events_on_both_sides(session, site):
    project = add_project(session, site)
    issue = add_issue(session)
    _, new = link_issues(session, project.public_id, [issue.public_id, issue.public_id.upper()], "社工小王")
    assert [i.id for i in new] == [issue.id]
    _, again = link_issues(session, project.public_id, [issue.public_id], "社工小王")
    assert again == []
    unlink_issue(session, project.public_id, issue.public_id, "社工小李", "不是同一处")
    session.commit()

    project = get_project(session, project.public_id)
    assert project.issue_links == []
    assert [(e.kind, e.from_value, e.to_value, e.actor) for e in project.events[1:]] == [
        ("linked", None, issue.public_id, "社工小王"),
        ("unlinked", issue.public_id, None, "社工小李"),
    ]
    assert project.events[-1].comment == "不是同一处"
    assert [(e.kind, e.comment, e.actor) for e in get_issue(session, issue.public_id).events[1:]] == [
        ("comment", "关联项目「黄家路55弄美丽家园」", "社工小王"),
        ("comment", "取消关联项目「黄家路55弄美丽家园」", "社工小李"),
    ]


def test_linking_unknown_issues_or_unlinking_what_is_not_linked(session, site):
    project = add_project(session, site)
    missing = str(uuid.uuid4())
    with pytest.raises(ValidationError) as refused:
        link_issues(session, project.public_id, [missing], "a")
    assert refused.value.field_errors == {"issues": f"no issue {missing!r}"}
    with pytest.raises(ValidationError):
        link_issues(session, project.public_id, "not a list", "a")
    with pytest.raises(NotFound):
        unlink_issue(session, project.public_id, add_issue(session).public_id, "a")
    with pytest.raises(NotFound):
        unlink_issue(session, project.public_id, "nonsense", "a")


def test_a_link_pair_is_unique(session, site):
    project = add_project(session, site)
    issue = add_issue(session)
    link_issues(session, project.public_id, [issue.public_id], "a")
    session.commit()
    with pytest.raises(IntegrityError):
        session.execute(
            text("INSERT INTO project_issues (project_id, issue_id, linked_by, linked_at) VALUES (:p, :i, 'b', :at)"),
            {"p": project.id, "i": issue.id, "at": AT},
        )
    session.rollback()


# --- completing ---------------------------------------------------------------------------


def test_completing_resolves_the_linked_open_issues_naming_the_project(session, site):
    project = add_project(session, site, name="黄家路55弄路灯实事工程", kind="lighting_works")
    open_one, in_progress, closed = add_issue(session), add_issue(session), add_issue(session)
    update_issue(session, in_progress.public_id, {"status": "in_progress"}, "a")
    update_issue(session, closed.public_id, {"status": "closed"}, "a")
    link_issues(session, project.public_id, [open_one.public_id, in_progress.public_id, closed.public_id], "a")
    project, resolved = complete_project(session, project.public_id, "街道", "当晚亮灯",
                                         changes={"actual_end": "2020-05-28"}, at=AT)
    session.commit()

    assert project.status == "completed" and project.actual_end == date(2020, 5, 28)
    assert sorted(i.id for i in resolved) == sorted([open_one.id, in_progress.id])
    for issue in (open_one, in_progress):
        stored = get_issue(session, issue.public_id)
        last = stored.events[-1]
        assert stored.status == "resolved" and stored.resolved_at == AT
        assert (last.kind, last.to_value, last.comment, last.actor) == (
            "status", "resolved", "由项目「黄家路55弄路灯实事工程」解决", "街道")
    assert get_issue(session, closed.public_id).status == "closed"


def test_completing_without_resolving_leaves_the_issues_alone(session, site):
    project = add_project(session, site)
    issue = add_issue(session)
    link_issues(session, project.public_id, [issue.public_id], "a")
    _, resolved = complete_project(session, project.public_id, "a", resolve_linked_issues=False)
    assert resolved == [] and get_issue(session, issue.public_id).status == "reported"
    with pytest.raises(ValidationError):
        complete_project(session, project.public_id, "a", changes={"status": "accepted"})


def test_completing_is_all_or_nothing(session, site, monkeypatch):
    project = add_project(session, site)
    first, second = add_issue(session), add_issue(session)
    link_issues(session, project.public_id, [first.public_id, second.public_id], "a")
    session.commit()
    events_before = session.scalar(select(func.count()).select_from(ProjectEvent))
    real_update_issue = store_projects.update_issue
    calls = []

    def failing_on_the_second(*args, **kwargs):
        calls.append(args[1])
        if len(calls) == 2:
            raise RuntimeError("the database went away")
        return real_update_issue(*args, **kwargs)

    monkeypatch.setattr(store_projects, "update_issue", failing_on_the_second)
    with pytest.raises(RuntimeError):
        complete_project(session, project.public_id, "a")
    session.commit()  # whatever the caller does next, nothing half-done is kept
    session.expire_all()

    assert len(calls) == 2
    assert get_project(session, project.public_id).status == "proposed"
    assert session.scalar(select(func.count()).select_from(ProjectEvent)) == events_before
    assert {get_issue(session, i.public_id).status for i in (first, second)} == {"reported"}
    assert [e.kind for e in get_issue(session, first.public_id).events] == ["created", "comment"]


# --- listing ------------------------------------------------------------------------------


def test_filters_by_status_kind_year_and_bbox(session, site):
    home = add_project(session, site)  # planned 2019-06 … 2020-08
    lights = add_project(session, site, name="路灯", kind="lighting_works", compounds=None, lanes=[64, 65],
                         planned_start=None, planned_end=None, actual_start="2021-04-13", status="in_construction")
    lifts = add_project(session, site, name="南花苑加装电梯", kind="lift_retrofit", compounds=["nanhuayuan"],
                        planned_start="2027-03-01", planned_end=None)
    undated = add_project(session, site, name="未定", kind="other", compounds=["jixian"],
                          planned_start=None, planned_end=None)
    session.commit()

    def names(**filters) -> list[str]:
        found, matched = list_projects(session, ProjectFilters(**filters))
        assert matched == len(found)
        return sorted(p.name for p in found)

    assert names() == sorted(p.name for p in (home, lights, lifts, undated))
    assert names(status="in_construction,proposed") == sorted(["路灯", "黄家路55弄美丽家园", "南花苑加装电梯", "未定"])
    assert names(status=["in_construction"]) == ["路灯"]
    assert names(kind="lift_retrofit,other") == sorted(["南花苑加装电梯", "未定"])
    assert names(year=2020) == ["黄家路55弄美丽家园"]
    assert names(year="2021") == ["路灯"]  # the actual period counts too, an open end lasting its day
    assert names(year=2027) == ["南花苑加装电梯"]
    assert names(year=2022) == []
    hjl55 = site.pick({"compounds": ["hjl55"]}).bounds
    assert names(bbox=",".join(map(str, hjl55))) == sorted(["路灯", "黄家路55弄美丽家园"])


def test_bbox_is_tested_against_the_geometry_not_only_its_box(session, site):
    bend = {"type": "LineString", "coordinates": [[121.4905, 31.2180], [121.4935, 31.2180], [121.4935, 31.2210]]}
    add_project(session, site, name="拐弯", compounds=None, geometry=bend)
    inside_the_box_only = (121.4906, 31.2190, 121.4920, 31.2205)
    assert box(*inside_the_box_only).intersects(box(*shape(bend).bounds))
    assert not box(*inside_the_box_only).intersects(LineString(bend["coordinates"]))
    assert list_projects(session, ProjectFilters(bbox=inside_the_box_only)) == ([], 0)
    assert list_projects(session, ProjectFilters(bbox=(121.49, 31.2175, 121.491, 31.2185)))[1] == 1


def test_paging_counts_every_match(session, site):
    for n in range(5):
        add_project(session, site, name=f"项目{n}")
    page, matched = list_projects(session, limit=2, offset=2)
    assert matched == 5 and [p.name for p in page] == ["项目2", "项目1"]  # newest entered first
    page, matched = list_projects(session, ProjectFilters(bbox="121.48,31.21,121.50,31.23"), limit=2, offset=4)
    assert matched == 5 and [p.name for p in page] == ["项目0"]


def test_bad_filters_are_named_together(session):
    with pytest.raises(ValidationError) as refused:
        list_projects(session, ProjectFilters(status="lost", kind="castle", year="20x0", bbox="1,2,3"), limit=0)
    assert set(refused.value.field_errors) == {"status", "kind", "year", "bbox", "limit"}


# --- schema -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE projects SET kind = 'castle'",
        "UPDATE projects SET status = 'dreaming'",
        "UPDATE projects SET budget = -1",
        "UPDATE projects SET planned_end = '2000-01-01'",
        "UPDATE project_events SET kind = 'magic'",
    ],
)
def test_constraints_refuse_what_the_code_would_never_write(session, site, statement):
    add_project(session, site)
    session.commit()
    with pytest.raises(IntegrityError):
        session.execute(text(statement))
    session.rollback()


def test_migration_0002_goes_down_to_0001_and_up_again(engine):
    downgrade(engine, "0001")
    with engine.connect() as connection:
        assert connection.scalar(text("SELECT count(*) FROM issues")) == 0
    assert not {"projects", "project_events", "project_issues"} & set(inspect(engine).get_table_names())
    upgrade(engine)
    assert {"projects", "project_events", "project_issues"} <= set(inspect(engine).get_table_names())
