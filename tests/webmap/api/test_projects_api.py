"""/api/v1/projects on both backends: record, read, change, link, complete, list; as documented."""
from __future__ import annotations

import threading
import uuid

import pytest
from openapi_schema_validator import OAS30Validator

from tests.accounts import as_user, bearer
from tests.webmap.api.helpers import building_point, report

PREFIX = "/api/v1"
PLANNER = "chengjian"


def project_body(**overrides):
    values = {
        "id": str(uuid.uuid4()),
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


def record(api, actor: str | None = PLANNER, **overrides) -> dict:
    headers = as_user(api, actor) if actor else {}
    response = api.post(f"{PREFIX}/projects", json=project_body(**overrides), headers=headers)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def as_planner(api, actor: str = PLANNER) -> dict[str, str]:
    return as_user(api, actor)


def test_a_project_is_recorded_with_what_it_affects_and_its_first_event(api):
    response = api.post(f"{PREFIX}/projects", json=project_body(), headers=as_planner(api))
    assert response.status_code == 201 and response.mimetype == "application/geo+json"
    feature = response.get_json()
    assert response.headers["Location"] == f"{PREFIX}/projects/{feature['id']}"
    assert feature["type"] == "Feature" and feature["geometry"]["type"] == "Polygon"
    p = feature["properties"]
    assert p["id"] == feature["id"] and p["kind_name"] == "美丽家园" and p["status"] == "proposed"
    assert (p["budget"], p["planned_start"], p["households_affected"]) == (2450000, "2019-06-01", 230)
    derived = feature["derived"]
    assert derived["households_affected"] == 230 and len(derived["buildings_affected"]) == 6
    assert derived["buildings_affected"][0] == {"id": "B115", "address": "黄家路55弄1号", "households": 36}
    assert derived["linked_issues"] == derived["conflicts"] == derived["open_issues_inside"] == []
    [created] = feature["events"]
    assert (created["kind"], created["to"], created["actor"]) == ("created", "proposed", PLANNER)
    assert api.get(response.headers["Location"]).get_json() == feature


def test_the_same_id_again_returns_the_first_project_and_stores_nothing(api):
    body = project_body(id="9B2F7C1E-0D5A-4C3B-8F8E-2A7D6C5B4A39")
    first = api.post(f"{PREFIX}/projects", json=body)
    again = api.post(f"{PREFIX}/projects", json={**body, "id": body["id"].lower(), "name": "重发"})
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.get_json() == first.get_json()
    assert api.get(f"{PREFIX}/projects").get_json()["numberMatched"] == 1


def test_two_simultaneous_submissions_of_one_project_store_it_once(api_app):
    body = project_body()
    start = threading.Barrier(2)
    statuses: list[int] = []
    headers = bearer(api_app, "admin")

    def submit():
        client = api_app.test_client()
        start.wait()
        statuses.append(client.post(f"{PREFIX}/projects", json=body, headers=headers).status_code)

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(statuses) == [200, 201]
    client = api_app.test_client()
    assert client.get(f"{PREFIX}/projects").get_json()["numberMatched"] == 1
    assert len(client.get(f"{PREFIX}/projects/{body['id']}").get_json()["events"]) == 1


def test_every_bad_field_is_named_and_nothing_is_stored(api):
    response = api.post(
        f"{PREFIX}/projects",
        json=project_body(id="nope", name="", kind="castle", compounds=["hjl55", "atlantis"], budget="12.345",
                          planned_end="2019-01-01", link_issues=[str(uuid.uuid4())], colour="red"),
    )
    assert response.status_code == 422
    answer = response.get_json()
    assert answer["error"] == "invalid project"
    assert set(answer["fields"]) == {"id", "name", "kind", "compounds", "budget", "planned_end", "colour"}
    assert answer["fields"]["compounds"] == "unknown compound id: atlantis"
    assert api.get(f"{PREFIX}/projects").get_json()["numberMatched"] == 0


def test_a_client_public_id_or_nowhere_or_a_far_geometry_is_refused(api):
    fields = api.post(f"{PREFIX}/projects", json=project_body(public_id=str(uuid.uuid4()))).get_json()["fields"]
    assert fields == {"public_id": "unknown field; send the client's UUID as 'id'"}
    fields = api.post(f"{PREFIX}/projects", json=project_body(compounds=None)).get_json()["fields"]
    assert set(fields) == {"geometry"}
    far = {"type": "Point", "coordinates": [121.60, 31.22]}
    fields = api.post(f"{PREFIX}/projects", json=project_body(compounds=None, geometry=far)).get_json()["fields"]
    assert fields["geometry"].startswith("outside the neighbourhood")
    unknown_issue = str(uuid.uuid4())
    fields = api.post(f"{PREFIX}/projects", json=project_body(link_issues=[unknown_issue])).get_json()["fields"]
    assert fields == {"link_issues": f"no issue {unknown_issue!r}"}


@pytest.mark.parametrize(
    "data, content_type, status",
    [("not json", "application/json", 400), ("[]", "application/json", 400), ("{}", "text/plain", 400),
     ("{" + " " * (1024 * 1024 + 1) + "}", "application/json", 413)],
)
def test_bodies_that_are_not_a_json_object_or_too_large(api, data, content_type, status):
    response = api.post(f"{PREFIX}/projects", data=data, content_type=content_type)
    assert response.status_code == status and response.get_json()["error"]


def test_picking_buildings_or_lanes_or_drawing(api):
    buildings = record(api, compounds=None, buildings=["B115", "B116"])
    lanes = record(api, name="路灯", kind="lighting_works", compounds=None, lanes=[64, 65, 66])
    drawn = record(api, name="一盏灯", kind="lighting_works", compounds=None,
                   geometry={"type": "Point", "coordinates": list(building_point("黄家路55弄3号")[:2])})
    assert buildings["properties"]["households_affected"] == 76
    assert lanes["geometry"]["type"] in ("LineString", "MultiLineString")
    assert lanes["properties"]["households_affected"] > 0
    assert [b["address"] for b in drawn["derived"]["buildings_affected"]] == ["黄家路55弄3号"]


def test_open_issues_inside_are_offered_and_linking_moves_them_to_linked(api):
    lon, lat, _ = building_point("黄家路55弄3号")
    issue = report(api, lon=lon, lat=lat, category="lighting", title="楼道灯损坏")
    project = record(api)
    assert [i["id"] for i in project["derived"]["open_issues_inside"]] == [issue["id"]]
    assert project["derived"]["open_issues_inside"][0] == {
        "id": issue["id"], "title": "楼道灯损坏", "category": "lighting", "status": "reported"}

    linked = api.post(f"{PREFIX}/projects/{project['id']}/issues", json={"issues": [issue["id"]], "comment": "纳入"},
                      headers=as_planner(api, "xiao.wang"))
    assert linked.status_code == 200
    derived = linked.get_json()["derived"]
    assert derived["open_issues_inside"] == []
    assert [(i["id"], i["linked_by"]) for i in derived["linked_issues"]] == [(issue["id"], "xiao.wang")]
    last = linked.get_json()["events"][-1]
    assert (last["kind"], last["to"], last["comment"]) == ("linked", issue["id"], "纳入")
    issue_events = api.get(f"{PREFIX}/issues/{issue['id']}").get_json()["properties"]["events"]
    assert (issue_events[-1]["kind"], issue_events[-1]["comment"]) == ("comment", "关联项目「黄家路55弄美丽家园」")


def test_linking_needs_a_list_of_known_issues(api):
    project = record(api)
    url = f"{PREFIX}/projects/{project['id']}/issues"
    assert api.post(url, json={}).get_json()["fields"] == {"issues": "required: a list of issue ids (UUIDs)"}
    assert set(api.post(url, json={"issues": [], "extra": 1}).get_json()["fields"]) == {"extra"}
    missing = str(uuid.uuid4())
    response = api.post(url, json={"issues": [missing]})
    assert response.status_code == 422 and response.get_json()["fields"] == {"issues": f"no issue {missing!r}"}
    assert api.post(f"{PREFIX}/projects/{uuid.uuid4()}/issues", json={"issues": []}).status_code == 404


def test_unlinking_leaves_events_on_both_sides_and_again_is_404(api):
    issue = report(api)
    project = record(api, link_issues=[issue["id"]])
    assert [i["id"] for i in project["derived"]["linked_issues"]] == [issue["id"]]
    url = f"{PREFIX}/projects/{project['id']}/issues/{issue['id']}"
    response = api.delete(url, headers=as_planner(api, "xiao.li"))
    assert response.status_code == 200
    assert response.get_json()["derived"]["linked_issues"] == []
    last = response.get_json()["events"][-1]
    assert (last["kind"], last["from"], last["actor"]) == ("unlinked", issue["id"], "xiao.li")
    issue_events = api.get(f"{PREFIX}/issues/{issue['id']}").get_json()["properties"]["events"]
    assert [e["comment"] for e in issue_events[1:]] == ["关联项目「黄家路55弄美丽家园」", "取消关联项目「黄家路55弄美丽家园」"]
    assert api.delete(url).status_code == 404
    assert api.delete(f"{PREFIX}/projects/{project['id']}/issues/not-a-uuid").status_code == 404


def test_conflicts_are_projects_meeting_in_space_and_time(api):
    home = record(api)
    lights = record(api, name="黄家路55弄路灯实事工程", kind="lighting_works", compounds=None, lanes=[64, 65],
                    planned_start="2020-03-01", planned_end="2020-05-31")
    later = record(api, name="以后", kind="other", planned_start="2030-01-01", planned_end="2030-12-31")
    assert [c["name"] for c in lights["derived"]["conflicts"]] == ["黄家路55弄美丽家园"]
    assert lights["derived"]["conflicts"][0]["planned_start"] == "2019-06-01"
    assert later["derived"]["conflicts"] == []
    again = api.get(f"{PREFIX}/projects/{home['id']}").get_json()
    assert [c["id"] for c in again["derived"]["conflicts"]] == [lights["id"]]


def test_changes_are_events_with_from_and_to(api):
    project = record(api)
    response = api.patch(
        f"{PREFIX}/projects/{project['id']}",
        json={"status": "approved", "budget": "2600000.50", "contractor": None, "comment": "立项批复"},
        headers=as_planner(api, "fangguan"),
    )
    assert response.status_code == 200
    changed = response.get_json()
    assert changed["properties"]["budget"] == 2600000.5 and changed["properties"]["contractor"] is None
    assert [(e["kind"], e["from"], e["to"], e["comment"]) for e in changed["events"][1:]] == [
        ("status", "proposed", "approved", "立项批复"),
        ("budget", "2450000.00", "2600000.50", None),
        ("contractor", "示例建筑装饰工程有限公司", None, None),
    ]
    moved = api.patch(f"{PREFIX}/projects/{project['id']}", json={"compounds": ["jixian"]}).get_json()
    assert moved["properties"]["households_affected"] == 151
    assert moved["events"][-1]["kind"] == "geometry" and '"Polygon"' in moved["events"][-1]["from"]


def test_bad_changes_are_422_and_an_unknown_project_404(api):
    project = record(api)
    url = f"{PREFIX}/projects/{project['id']}"
    response = api.patch(url, json={"kind": "other", "planned_start": "2021-01-01", "status": "done"})
    assert response.status_code == 422
    assert set(response.get_json()["fields"]) == {"kind", "status"}
    assert api.patch(url, json={"planned_start": "2021-01-01"}).get_json()["fields"] == {
        "planned_end": "before planned_start (2021-01-01)"}
    assert api.patch(url, json={"resolve_linked_issues": "yes", "status": "completed"}).status_code == 422
    assert api.patch(f"{PREFIX}/projects/{uuid.uuid4()}", json={"status": "x"}).status_code == 404
    assert api.get(f"{PREFIX}/projects/not-a-uuid").status_code == 404
    assert len(api.get(url).get_json()["events"]) == 1


def test_completing_with_resolve_linked_issues_resolves_the_open_ones(api):
    open_one, closed = report(api), report(api)
    api.patch(f"{PREFIX}/issues/{closed['id']}", json={"status": "closed"})
    project = record(api, name="黄家路55弄路灯实事工程", kind="lighting_works",
                     link_issues=[open_one["id"], closed["id"]])
    url = f"{PREFIX}/projects/{project['id']}"

    refused = api.patch(url, json={"status": "approved", "resolve_linked_issues": True})
    assert refused.get_json()["fields"] == {"resolve_linked_issues": "only together with status: completed"}
    half_wrong = api.patch(url, json={"status": "completed", "actual_end": "1800-01-01", "resolve_linked_issues": True})
    assert half_wrong.status_code == 422
    assert api.get(f"{PREFIX}/issues/{open_one['id']}").get_json()["properties"]["status"] == "reported"

    done = api.patch(url, json={"status": "completed", "actual_end": "2020-05-28", "resolve_linked_issues": True,
                                "comment": "当晚亮灯"}, headers=as_planner(api))
    assert done.status_code == 200
    assert done.get_json()["properties"]["status"] == "completed"
    statuses = {i["id"]: i["status"] for i in done.get_json()["derived"]["linked_issues"]}
    assert statuses == {open_one["id"]: "resolved", closed["id"]: "closed"}
    last = api.get(f"{PREFIX}/issues/{open_one['id']}").get_json()["properties"]["events"][-1]
    assert (last["kind"], last["to"], last["comment"], last["actor"]) == (
        "status", "resolved", "由项目「黄家路55弄路灯实事工程」解决", PLANNER)


def test_completing_without_the_flag_leaves_linked_issues_open(api):
    issue = report(api)
    project = record(api, link_issues=[issue["id"]])
    api.patch(f"{PREFIX}/projects/{project['id']}", json={"status": "completed"})
    assert api.get(f"{PREFIX}/issues/{issue['id']}").get_json()["properties"]["status"] == "reported"


def test_the_list_filters_by_status_kind_year_and_bbox(api):
    home = record(api)
    lights = record(api, name="路灯", kind="lighting_works", compounds=None, lanes=[64, 65], planned_start=None,
                    planned_end=None, actual_start="2021-04-13", status="in_construction")
    lifts = record(api, name="南花苑加装电梯", kind="lift_retrofit", compounds=["nanhuayuan"],
                   planned_start="2027-03-01", planned_end="2027-12-31")

    def ids(query: str = "") -> set[str]:
        collection = api.get(f"{PREFIX}/projects{query}").get_json()
        assert collection["numberMatched"] == collection["numberReturned"] == len(collection["features"])
        return {f["id"] for f in collection["features"]}

    assert ids() == {home["id"], lights["id"], lifts["id"]}
    assert ids("?status=in_construction") == {lights["id"]}
    assert ids("?status=proposed&status=in_construction") == {home["id"], lights["id"], lifts["id"]}
    assert ids("?kind=lift_retrofit,beautiful_home") == {home["id"], lifts["id"]}
    assert ids("?year=2020") == {home["id"]}
    assert ids("?year=2021") == {lights["id"]}
    assert ids("?year=2027&kind=lift_retrofit") == {lifts["id"]}
    assert ids("?bbox=121.4934,31.2203,121.4935,31.2204") == set()  # inside 集贤村
    ring = home["geometry"]["coordinates"][0]
    lons, lats = [lon for lon, _ in ring], [lat for _, lat in ring]
    assert ids(f"?bbox={min(lons)},{min(lats)},{max(lons)},{max(lats)}") == {home["id"], lights["id"]}


def test_the_list_pages_with_links_and_names_kinds_in_the_language(api):
    for n in range(3):
        record(api, name=f"项目{n}")
    collection = api.get(f"{PREFIX}/projects?limit=2&lang=en").get_json()
    assert collection["numberMatched"] == 3 and collection["numberReturned"] == 2
    assert [link["rel"] for link in collection["links"]] == ["self", "next"]
    feature = collection["features"][0]
    assert feature["properties"]["name"] == "项目2" and feature["properties"]["kind_name"] == "Beautiful Home renovation"
    assert set(feature["properties"]) == {
        "id", "name", "kind", "kind_name", "status", "planned_start", "planned_end", "actual_start", "actual_end",
        "budget", "contractor", "households_affected"}
    following = api.get(next(link["href"] for link in collection["links"] if link["rel"] == "next")).get_json()
    assert [f["properties"]["name"] for f in following["features"]] == ["项目0"]


def test_bad_list_parameters_are_named(api):
    response = api.get(f"{PREFIX}/projects?status=lost&year=20x0&bbox=1,2&limit=0&colour=red")
    assert response.status_code == 400
    assert set(response.get_json()["fields"]) == {"status", "year", "bbox", "limit", "colour"}
    assert api.get(f"{PREFIX}/projects/{uuid.uuid4()}?x=1").status_code == 400


# --- as documented ------------------------------------------------------------------------


@pytest.fixture()
def document(api):
    return api.get(f"{PREFIX}/openapi.json").get_json()


def conforms(document, path: str, method: str, status: str, instance) -> None:
    content = document["paths"][path][method]["responses"][status]
    if "$ref" in content:
        content = document["components"]["responses"][content["$ref"].rsplit("/", 1)[1]]
    schema = next(iter(content["content"].values()))["schema"]
    validator = OAS30Validator({**schema, "components": document["components"]})
    errors = sorted(validator.iter_errors(instance), key=str)
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:5])


def test_real_responses_match_the_documented_schemas(api, document):
    issue = report(api)
    created = api.post(f"{PREFIX}/projects", json=project_body(link_issues=[issue["id"]]))
    conforms(document, "/projects", "post", "201", created.get_json())
    project_id = created.get_json()["id"]
    lines = api.post(f"{PREFIX}/projects", json=project_body(kind="lighting_works", compounds=None, lanes=[64]))
    conforms(document, "/projects", "post", "201", lines.get_json())
    conforms(document, "/projects", "get", "200", api.get(f"{PREFIX}/projects").get_json())
    conforms(document, "/projects", "get", "400", api.get(f"{PREFIX}/projects?year=x").get_json())
    conforms(document, "/projects", "post", "422", api.post(f"{PREFIX}/projects", json={}).get_json())
    conforms(document, "/projects/{project_id}", "get", "200", api.get(f"{PREFIX}/projects/{project_id}").get_json())
    conforms(document, "/projects/{project_id}", "get", "404", api.get(f"{PREFIX}/projects/{uuid.uuid4()}").get_json())
    changed = api.patch(f"{PREFIX}/projects/{project_id}",
                        json={"status": "completed", "resolve_linked_issues": True, "compounds": ["jixian"]})
    conforms(document, "/projects/{project_id}", "patch", "200", changed.get_json())
    unlinked = api.delete(f"{PREFIX}/projects/{project_id}/issues/{issue['id']}")
    conforms(document, "/projects/{project_id}/issues/{issue_id}", "delete", "200", unlinked.get_json())
    linked = api.post(f"{PREFIX}/projects/{project_id}/issues", json={"issues": [issue["id"]]})
    conforms(document, "/projects/{project_id}/issues", "post", "200", linked.get_json())


# --- the seed command ---------------------------------------------------------------------


def test_seed_stores_the_demo_projects_once(api_app):
    runner = api_app.test_cli_runner()
    for already in (0, 5):  # a day when the 2027 proposals were not yet entered
        result = runner.invoke(args=["seed", "--today", "2021-03-31"])
        assert result.exit_code == 0, result.output
        assert f"Demo projects: 5; stored {5 - already} new, {already} were already there." in result.output
    client = api_app.test_client()
    collection = client.get(f"{PREFIX}/projects").get_json()
    assert collection["numberMatched"] == 5
    lights = next(f for f in collection["features"] if f["properties"]["name"] == "黄家路55弄路灯实事工程")
    assert lights["properties"]["households_affected"] == 230
    lights = client.get(f"{PREFIX}/projects/{lights['id']}").get_json()
    assert [i["title"] for i in lights["derived"]["linked_issues"]] == ["黄家路55弄无路灯，居民夜间出行不便"]
