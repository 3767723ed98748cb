"""The project map, the project form and a project's record: languages, offline assets, escaping, 404."""
from __future__ import annotations

import json
import re
import uuid

import pytest

from tests.accounts import client_as
from tests.conftest import HOSTILE_NAME, make_app
from webmap.assets import find_external_urls

HOSTILE_TEXT = "<script>alert(3)</script>"


@pytest.fixture(scope="module")
def app():
    """An app of this module's own, so the projects made here meet no other test."""
    return make_app()


@pytest.fixture()
def client(app):
    """A planner's: the pages show them the controls for changing projects."""
    return client_as(app, "planner")


def binding(html: str, app_name: str) -> dict:
    """The settings a page hands to its script: the last argument of `<app>.attach(map, layers, {...})`."""
    call = html[html.index(f"{app_name}.attach("):]
    config = call[call.index("}") + 1:]
    return json.JSONDecoder().raw_decode(config[config.index("{"):])[0]


def create(client, **fields) -> dict:
    body = {"name": "黄家路55弄美丽家园", "kind": "beautiful_home", "compounds": ["hjl55"], **fields}
    response = client.post("/api/v1/projects", json=body)
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()


def project_id(feature: dict) -> str:
    return feature.get("id") or feature["properties"]["id"]


@pytest.fixture(scope="module")
def project(app):
    return create(client_as(app, "planner"), status="approved", planned_start="2024-03-01", planned_end="2024-12-31",
                  budget=1200000, contractor="上海某建设公司")


@pytest.fixture(scope="module")
def pages(project):
    pid = project_id(project)
    return ["/projects", "/projects/new", f"/projects/{pid}", f"/projects/{pid}?edit=1"]


def test_only_those_who_may_plan_see_or_open_the_forms(app, project):
    pid = project_id(project)
    anonymous, viewer = app.test_client(), client_as(app, "viewer")
    for path in ("/projects/new", f"/projects/{pid}?edit=1"):
        assert anonymous.get(path).headers["Location"].startswith("/login?next=/projects/")
        assert viewer.get(path).status_code == 403
    assert "新建项目" not in viewer.get("/projects").get_data(as_text=True)
    record = viewer.get(f"/projects/{pid}").get_data(as_text=True)
    assert "jt-status-form" not in record and "修改项目" not in record
    assert "jt-make-project" not in viewer.get("/planning/lighting").get_data(as_text=True)
    assert "jt-make-project" in client_as(app, "planner").get("/planning/lighting").get_data(as_text=True)


def with_language(path: str, lang: str) -> str:
    return path + ("&" if "?" in path else "?") + f"lang={lang}"


def test_every_page_is_chinese_by_default_and_english_on_request(client, pages):
    for path in pages:
        zh = client.get(path)
        assert zh.status_code == 200, path
        html = zh.get_data(as_text=True)
        assert '<html lang="zh-CN">' in html
        assert '<a href="/projects" aria-current="page">项目</a>' in html, path
        en = client.get(with_language(path, "en"))
        assert en.status_code == 200, path
        assert '<html lang="en">' in en.get_data(as_text=True)


def test_every_page_requests_nothing_from_other_hosts(client, pages):
    for path in pages:
        html = client.get(path).get_data(as_text=True)
        assert find_external_urls(html) == [], path
        local = set(re.findall(r'(?:src|href)="(/static/[^"]+)"', html))
        assert "/static/css/projects.css" in local, path
        for url in local:
            assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("path", ["/", "/issues", "/hotspots"])
def test_the_other_pages_link_to_the_projects(client, path):
    assert '<a href="/projects">项目</a>' in client.get(path).get_data(as_text=True)


def test_project_map_hands_its_script_the_palette_and_leaves_the_projects_to_the_api(client, project):
    html = client.get("/projects").get_data(as_text=True)
    assert "/static/js/projects.js" in html
    config = binding(html, "JintanProjects")
    assert config["api"] == "/api/v1"
    assert config["detail"] == "/projects/"
    assert set(config["statuses"]) == {"proposed", "approved", "in_construction", "completed", "accepted"}
    assert all(re.fullmatch(r"#[0-9a-f]{6}", s["colour"]) for s in config["statuses"].values())
    assert len({s["colour"] for s in config["statuses"].values()}) == 5
    assert config["kinds"]["beautiful_home"] == "美丽家园"
    assert project["properties"]["name"] not in html  # projects come from the API, never inside the page
    for year in range(2018, 2028):
        assert f'name="year" value="{year}"' in html
    assert html.count('name="status"') == 5 and html.count('name="kind"') == 8
    english = binding(client.get("/projects?lang=en").get_data(as_text=True), "JintanProjects")
    assert english["lang"] == "en" and english["kinds"]["lift_retrofit"] == "Lift retrofit"


def test_project_form_has_leaflet_draw_and_no_alert_on_tap(client):
    html = client.get("/projects/new").get_data(as_text=True)
    assert "/static/vendor/leaflet-draw@1.0.2/dist/leaflet.draw.js" in html
    assert "new L.Control.Draw(" in html
    assert "alert(" not in html  # Folium's Draw shows the shape's GeoJSON in an alert unless told not to
    config = binding(html, "JintanProjectEditor")
    assert config["layers"] == "/api/v1/layers/"
    assert config["drawText"]["draw"]["toolbar"]["buttons"]["polygon"]
    for field in ("name", "kind", "status", "planned_start", "planned_end", "actual_start", "actual_end",
                  "budget", "contractor", "description", "geometry"):
        assert f'data-field="{field}"' in html, field


def test_record_shows_the_summary_and_what_the_project_touches(client, project):
    html = client.get(f"/projects/{project_id(project)}").get_data(as_text=True)
    assert "黄家路55弄美丽家园" in html
    assert "美丽家园" in html and "已批准" in html
    assert "2024-03-01 – 2024-12-31" in html
    assert "¥1,200,000" in html and "上海某建设公司" in html
    households = project["derived"]["households_affected"]
    assert households > 200
    assert f"{households:,} 户" in html
    for building in project["derived"]["buildings_affected"]:
        assert building["address"] in html
    assert 'id="jt-status-form"' in html
    assert "完工时同时解决关联问题" in html
    assert "/static/js/project_edit.js" in html
    history = html[html.index('class="jt-history"'):]
    assert history.count("<li>") == len(project["events"])


def test_edit_mode_fills_the_form_with_the_project(client, project):
    html = client.get(f"/projects/{project_id(project)}?edit=1").get_data(as_text=True)
    assert 'value="黄家路55弄美丽家园"' in html
    assert 'name="planned_start" value="2024-03-01"' in html
    assert 'name="kind"' not in html  # a project's kind does not change
    data = json.loads(re.search(r'id="jt-project-data">(.*?)</script>', html, re.S).group(1))
    assert data["project"]["geometry"]["type"] in ("Polygon", "MultiPolygon")
    assert data["back"] == f"/projects/{project_id(project)}"


def stored_project(app, **fields) -> str:
    """A project put in through the store, as an import or older data could hold it (markup included); its id."""
    from store.projects import create_project, validate_new_project
    from webmap.api.projects import site
    from webmap.database import transaction

    body = {"name": "黄家路55弄美丽家园", "kind": "beautiful_home", "compounds": ["hjl55"], **fields}
    with app.test_request_context(), transaction() as s:
        project, _ = create_project(s, validate_new_project(body, site()), "import")
        return project.public_id


def test_markup_is_refused_when_a_project_is_made(client):
    response = client.post("/api/v1/projects", json={"name": HOSTILE_NAME, "kind": "beautiful_home",
                                                      "compounds": ["hjl55"], "contractor": HOSTILE_TEXT})
    assert response.status_code == 422 and set(response.get_json()["fields"]) == {"name", "contractor"}


def test_user_text_on_the_record_and_the_form_is_never_markup(app, client):
    pid = stored_project(app, name=HOSTILE_NAME, description=HOSTILE_TEXT, contractor=HOSTILE_TEXT)
    for path in (f"/projects/{pid}", f"/projects/{pid}?edit=1"):
        html = client.get(path).get_data(as_text=True)
        assert HOSTILE_NAME not in html, path
        assert HOSTILE_TEXT not in html, path
        assert "&lt;img src=x onerror=alert(1)&gt;" in html or "\\u003cimg src=x onerror=alert(1)\\u003e" in html
        assert "<script>alert" not in html


@pytest.mark.parametrize("pid", [str(uuid.uuid4()), "not-a-uuid", "12345", "%3Cscript%3E"])
def test_unknown_or_malformed_project_is_a_404_page(client, pid):
    for path in (f"/projects/{pid}", f"/projects/{pid}?edit=1"):
        response = client.get(path)
        assert response.status_code == 404
        html = response.get_data(as_text=True)
        assert response.mimetype == "text/html"
        assert "未找到该项目" in html
        assert "<script>" not in html
